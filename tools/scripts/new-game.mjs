#!/usr/bin/env node
// `npm run new-game -- <name>`: creates games/<name> from tools/templates/game (shared schema
// and step, server entry, Vite client, a two-client test) and links it as a workspace.
//   --dir <parent>  create <parent>/<name> instead (the template test uses a temporary one)
//   --no-install    skip `npm install` (which links the new workspace)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const template = join(root, "tools", "templates", "game");
/** npm package names are lower case; a game name is also a folder and a world title. */
const NAME = /^[a-z][a-z0-9-]{0,38}$/;

function fail(message) {
  console.error(`new-game: ${message}`);
  console.error("usage: npm run new-game -- <name> [--dir <parent>] [--no-install]");
  process.exit(1);
}

const args = process.argv.slice(2);
let name;
let parent = join(root, "games");
let install = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--dir") parent = resolve(args[++i] ?? fail("--dir needs a folder"));
  else if (args[i] === "--no-install") install = false;
  else if (name === undefined) name = args[i];
  else fail(`unexpected argument ${args[i]}`);
}
if (name === undefined) fail("name the game");
if (!NAME.test(name)) fail(`"${name}" is not a valid name: lower-case letters, digits and dashes, starting with a letter`);
const target = join(parent, name);
if (existsSync(target)) fail(`${target} already exists`);
if (existsSync(join(root, "node_modules", "@tickwire", name))) fail(`@tickwire/${name} is already a package of this repo`);

// The template's configs extend the repo's: point them at it from wherever the game lands.
const rootFromGame = relative(target, root).split(sep).join("/");
cpSync(template, target, { recursive: true });
for (const file of listFiles(target)) {
  const text = readFileSync(file, "utf8");
  const filled = text.replaceAll("__NAME__", name).replaceAll("__ROOT__", rootFromGame);
  if (filled !== text) writeFileSync(file, filled);
}
console.log(`created ${relative(process.cwd(), target) || "."} (@tickwire/${name})`);

if (install && resolve(parent) === join(root, "games")) {
  // The root's `games/*` workspace glob already covers it; npm install links it.
  const linked = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (linked.status !== 0) fail("npm install failed: run it at the repo root to link the new workspace");
}
console.log(`next: npm run dev -w @tickwire/${name}   (then open the URL Vite prints, in two tabs)`);

function listFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
