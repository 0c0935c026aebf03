/** `npm run new-game`: the template becomes a game that builds and that two clients play. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "tools", "scripts", "new-game.mjs");
/** Inside the repo (so the workspace packages resolve) but outside games/ (so it is never a workspace); git-ignored. */
const scratch = join(root, ".tmp");
mkdirSync(scratch, { recursive: true });
const parent = mkdtempSync(join(scratch, "new-game-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** A build (vite + tsc) on a loaded 2-core machine takes ~25 s; a minute is a hang. */
const BUILD_TIMEOUT_MS = 60_000;

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: BUILD_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("new-game", () => {
  it("refuses a name that is not a lower-case package name, and an existing folder", () => {
    const bad = run(process.execPath, [script, "Bad_Name", "--dir", parent, "--no-install"], root);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('"Bad_Name" is not a valid name');
    const taken = run(process.execPath, [script, "dots", "--no-install"], root);
    expect(taken.status).toBe(1);
    expect(taken.output).toContain("already exists");
  });

  it(
    "creates a game from the template that builds (page and server) and that two headless clients play",
    () => {
      const created = run(process.execPath, [script, "sample", "--dir", parent, "--no-install"], root);
      expect(created.output).toContain("created");
      expect(created.status).toBe(0);
      const game = join(parent, "sample");
      const manifest = JSON.parse(readFileSync(join(game, "package.json"), "utf8"));
      expect(manifest.name).toBe("@tickwire/sample");
      expect(manifest.scripts.dev).toBeDefined();
      expect(readFileSync(join(game, "src", "server", "game.ts"), "utf8")).toContain('name: "sample"');

      const build = run("npm", ["run", "build"], game);
      expect(build.output).not.toContain("error");
      expect(build.status).toBe(0);
      expect(existsSync(join(game, "dist", "public", "index.html"))).toBe(true);
      expect(existsSync(join(game, "dist", "server", "main.js"))).toBe(true);

      const played = run("npx", ["vitest", "run"], game);
      expect(played.status).toBe(0);
      const report = JSON.parse(readFileSync(join(game, "test-results", "vitest.json"), "utf8"));
      const titles = report.testResults.flatMap((file: { assertionResults: { title: string; status: string }[] }) =>
        file.assertionResults.filter((test) => test.status === "passed").map((test) => test.title),
      );
      expect(titles).toEqual(["two headless clients join; one walks as it predicted, and the other sees it walk"]);
    },
    BUILD_TIMEOUT_MS * 3,
  );
});
