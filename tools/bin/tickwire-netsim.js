#!/usr/bin/env node
// Runs the compiled CLI when the package is built. In the monorepo before a build it runs
// the TypeScript sources through tsx, resolving workspace packages to their sources
// (the "source" export condition), so `npx tickwire-netsim` works without `npm run build`.
import { existsSync } from "node:fs";
import { register } from "node:module";

const built = new URL("../dist/netsim/cli.js", import.meta.url);
let entry = built;
if (!existsSync(built)) {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // Registered after tsx, so it runs first and hands tsx a context that includes "source".
  const addSourceCondition =
    "export function resolve(specifier, context, next) {" +
    ' return next(specifier, { ...context, conditions: [...context.conditions, "source"] }); }';
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  entry = new URL("../src/netsim/cli.ts", import.meta.url);
}

const { runNetsimCli } = await import(entry.href);
const stopRequested = new Promise((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
const code = await runNetsimCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stopRequested,
});
// stdin may still hold the event loop open after an interactive session.
process.exit(code);
