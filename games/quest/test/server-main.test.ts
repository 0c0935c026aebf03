import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { WORLD_MAP_PATH } from "../src/server/world-map.js";

const MAIN = fileURLToPath(new URL("../src/server/main.ts", import.meta.url));
const started: ChildProcess[] = [];
// A failed test must not leave its server running.
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts main.ts from source in a child process; collects its output. */
function start(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ["--conditions=source", "--import", "tsx", MAIN], {
    env: { ...process.env, PORT: "0", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk) => (output.stdout += chunk));
  child.stderr!.on("data", (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited };
}

describe("the Quest server process (src/server/main.ts)", () => {
  it("refuses to start on a map that fails validation, saying why", async () => {
    const map = JSON.parse(readFileSync(WORLD_MAP_PATH, "utf8"));
    map.layers.find((l: { name: string }) => l.name === "checkpoints").objects = [];
    const path = join(mkdtempSync(join(tmpdir(), "quest-map-")), "broken.json");
    writeFileSync(path, JSON.stringify(map));
    const { output, exited } = start({ QUEST_MAP: path });
    expect(await exited).toBe(1);
    expect(output.stderr).toMatch(/refusing to start: the map .*broken\.json is invalid: zone "Oakwood" has no checkpoint/);
  });

  it("hosts its worlds of 200 on the port it prints, and stops cleanly on SIGTERM", async () => {
    const { child, output, exited } = start({ QUEST_WORLDS: "3" });
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output.stdout}${output.stderr}`)), 15_000);
      child.stdout!.on("data", () => {
        const found = /open http:\/\/localhost:(\d+)\//.exec(output.stdout);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { worlds: { id: string; capacity: number; game: string }[] };
    expect(health.worlds.map((w) => [w.id, w.game, w.capacity])).toEqual([
      ["quest-1", "quest", 200],
      ["quest-2", "quest", 200],
      ["quest-3", "quest", 200],
    ]);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
