#!/usr/bin/env node
// Runs the compiled CLI when the package is built. In the monorepo before a build it runs
// the TypeScript sources through tsx, resolving workspace packages to their sources
// (the "source" export condition), so `npx tickwire-bots` works without `npm run build`.
// Whenever tsx is installed it is registered, so `--game ./src/shared/schema.ts` loads too.
import { existsSync } from "node:fs";
import { register } from "node:module";

const built = new URL("../dist/bots/cli.js", import.meta.url);
const fromSource = !existsSync(built);
try {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
} catch (error) {
  if (fromSource) throw error;
}
if (fromSource) {
  // Registered after tsx, so it runs first and hands tsx a context that includes "source".
  const addSourceCondition =
    "export function resolve(specifier, context, next) {" +
    ' return next(specifier, { ...context, conditions: [...context.conditions, "source"] }); }';
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
}
const entry = fromSource ? new URL("../src/bots/cli.ts", import.meta.url) : built;

const { runBotsCli } = await import(entry.href);
// The first Ctrl-C stops the bots cleanly and still reports; a second one ends at once.
const stopRequested = new Promise((resolve) => {
  const stop = () => {
    resolve();
    process.once("SIGINT", () => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
});
const code = await runBotsCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stopRequested,
  // `npm run bots` runs in the package directory; paths on the command line are the caller's.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exit(code);
