#!/usr/bin/env node
// The repo's one test command: lint (Biome) and typecheck (tsc strict, every package) as
// checks, then every workspace's tests through turbo; ends with one summary line for the
// whole repo ("N passed, M failed[, K skipped]") so a CI log reader sees the count. A
// failing check counts as one failure.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const workspaces = rootPackage.workspaces.flatMap((pattern) =>
  pattern.endsWith("/*") ? listDirs(join(root, pattern.slice(0, -2))) : [join(root, pattern)],
);

function listDirs(dir) {
  return spawnSync("ls", [dir], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map((name) => join(dir, name));
}

const reportPath = (dir) => join(dir, "test-results", "vitest.json");
for (const dir of workspaces) rmSync(reportPath(dir), { force: true });

const checks = [
  ["lint", ["turbo", "run", "lint", "--output-logs=errors-only"]],
  ["typecheck", ["turbo", "run", "typecheck", "--output-logs=errors-only"]],
];
let failedChecks = 0;
for (const [name, args] of checks) {
  console.log(`> ${name}: ${args.join(" ")}`);
  const check = spawnSync("npx", args, { cwd: root, stdio: "inherit" });
  if (check.status !== 0) {
    console.error(`${name} failed`);
    failedChecks++;
  }
}

const turbo = spawnSync(
  "npx",
  ["turbo", "run", "test", "--concurrency=1", "--continue", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaces) {
  if (!existsSync(join(dir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (!pkg.scripts?.test) continue;
  if (!existsSync(reportPath(dir))) {
    missing.push(pkg.name);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath(dir), "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A suite that failed to load (syntax error, failed import) has no tests to count.
  failed += report.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
}
for (const name of missing) console.error(`no test report from ${name}: its test run did not finish`);
failed += missing.length + failedChecks;
console.log("");
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
