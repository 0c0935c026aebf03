/** LmdbPlayerStore beyond the contract: what a crash and a restart leave on disk. */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LmdbPlayerStore } from "../src/persistence/index.js";

/** Enough saves that the kill lands in the middle of a stream of writes. */
const SAVES_BEFORE_KILL = 30;

describe("LmdbPlayerStore on disk", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tickwire-lmdb-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("records survive closing and reopening the data directory", async () => {
    const first = new LmdbPlayerStore({ dir });
    await first.acquire("ann", "p", 60_000);
    await first.save("ann", "p", { level: 3 });
    await first.close();
    const second = new LmdbPlayerStore({ dir });
    expect(await second.load("ann")).toEqual({ level: 3 });
    await second.close();
  });

  it("kill -9 of a process mid-stream of saves keeps every save whose promise had resolved", async () => {
    const child = fork(fileURLToPath(new URL("./fixtures/lmdb-saver.ts", import.meta.url)), [dir], {
      execArgv: ["--conditions=source", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let confirmed = 0;
    const exit = await new Promise<NodeJS.Signals | null>((resolve) => {
      child.on("message", (message: { cmd: string; level: number }) => {
        if (message.cmd !== "saved") return;
        confirmed = Math.max(confirmed, message.level);
        if (confirmed === SAVES_BEFORE_KILL) child.kill("SIGKILL");
      });
      child.once("exit", (_code, signal) => resolve(signal));
    });
    expect(exit).toBe("SIGKILL");
    const reopened = new LmdbPlayerStore({ dir });
    const record = await reopened.load("ann");
    await reopened.close();
    expect(record?.level).toBeGreaterThanOrEqual(confirmed);
    expect(record).toEqual({
      name: "ann",
      level: record?.level,
      inventory: Array.from({ length: 20 }, (_, i) => i * (record?.level as number)),
    });
  });
});
