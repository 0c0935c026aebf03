import { beforeAll, describe, expect, it } from "vitest";
import { FLOOR_TICK_MS, type FloorRun, runFloor } from "../src/bench/floor.js";

// One tiny floor run end to end: a real uWS server process and a real client process on
// 127.0.0.1, their IPC and the window.
const CLIENTS = 50;
const MESSAGE_BYTES = 400;
const TICKS_PER_SEC = 1000 / FLOOR_TICK_MS;
/** Window edges cut a tick or so off either end; more than this means ticks were lost. */
const BYTES_TOLERANCE = 0.15;

describe("floor benchmark, C=50 with a 2 s window", () => {
  let run: FloorRun;

  beforeAll(async () => {
    run = await runFloor({ clients: CLIENTS, messageBytes: MESSAGE_BYTES, warmupSec: 1, windowSec: 2, pinned: false, clientInputs: true });
  }, 15_000);

  it("keeps every client connected through the window", () => {
    expect(run.connected).toBe(CLIENTS);
  });

  it("delivers one message per client per tick", () => {
    const expected = MESSAGE_BYTES * TICKS_PER_SEC;
    expect(Math.abs(run.bytesPerClientSec - expected) / expected).toBeLessThan(BYTES_TOLERANCE);
  });

  it("measures the server's CPU and send times", () => {
    expect(Number.isFinite(run.cpuPct)).toBe(true);
    expect(run.cpuPct).toBeGreaterThan(0);
    expect(Number.isFinite(run.sendP99Ms)).toBe(true);
    expect(run.sendP99Ms).toBeGreaterThanOrEqual(run.sendP50Ms);
  });
});
