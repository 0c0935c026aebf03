import { describe, expect, it } from "vitest";
import { resolveLimits } from "../src/limits.js";
import { Outbox, OutboxStats } from "../src/outbox.js";
import { FakeSocket } from "./helpers/fake-socket.js";

const SOFT = 1000;
const limits = resolveLimits({
  snapshotSoftLimitBytes: SOFT,
  stallTimeoutMs: 10_000,
  skipsBeforeRateDrop: 3,
  sendsBeforeRateRestore: 4,
  maxSnapshotInterval: 8,
});
/** A real Pong frame, so the fake socket can decode what the outbox sends. */
const MESSAGE = new Uint8Array([0x95, 18, 1, 2, 0, 0xc0]);

function setup() {
  const socket = new FakeSocket();
  const stats = new OutboxStats();
  return { socket, stats, outbox: new Outbox(socket, limits, stats) };
}

describe("Outbox", () => {
  it("sends a snapshot every tick while the socket keeps up", () => {
    const { outbox, stats } = setup();
    for (let tick = 1; tick <= 5; tick++) {
      expect(outbox.decide(tick, tick * 50)).toBe("send");
      outbox.sendSnapshot(MESSAGE, tick);
    }
    expect(stats.snapshots).toBe(5);
    expect(stats.snapshotBytes).toBe(5 * MESSAGE.length);
  });

  it("reads the buffered amount before each snapshot and skips over the soft limit", () => {
    const { outbox, socket, stats } = setup();
    socket.bufferedAmount = SOFT + 1;
    expect(outbox.decide(1, 0)).toBe("skip");
    expect(stats.skipped).toBe(1);
    expect(outbox.behind).toBe(true);
    socket.bufferedAmount = SOFT; // at the limit is still fine
    expect(outbox.decide(2, 50)).toBe("send");
  });

  it("halves the snapshot rate after a run of skips, down to the slowest allowed", () => {
    const { outbox, socket, stats } = setup();
    socket.bufferedAmount = SOFT * 2;
    for (let tick = 1; tick <= 3 * 4; tick++) outbox.decide(tick, tick);
    expect(stats.rateDrops).toBe(3); // 1 → 2 → 4 → 8
    expect(outbox.interval).toBe(8);
    for (let tick = 13; tick <= 30; tick++) outbox.decide(tick, tick);
    expect(outbox.interval).toBe(8);
  });

  it("waits `interval` ticks between snapshots once the rate is lowered", () => {
    const { outbox, socket } = setup();
    socket.bufferedAmount = SOFT * 2;
    for (let tick = 1; tick <= 3; tick++) outbox.decide(tick, tick);
    expect(outbox.interval).toBe(2);
    socket.bufferedAmount = SOFT; // drains just below
    expect(outbox.decide(4, 4)).toBe("send");
    outbox.sendSnapshot(MESSAGE, 4);
    expect(outbox.decide(5, 5)).toBe("wait");
    expect(outbox.decide(6, 6)).toBe("send");
  });

  it("restores the rate step by step once sends stay comfortably under the limit", () => {
    const { outbox, socket } = setup();
    socket.bufferedAmount = SOFT * 2;
    for (let tick = 1; tick <= 6; tick++) outbox.decide(tick, tick);
    expect(outbox.interval).toBe(4);
    socket.bufferedAmount = 0;
    const intervals: number[] = [];
    for (let tick = 7; tick <= 40; tick++) {
      if (outbox.decide(tick, tick) !== "send") continue;
      outbox.sendSnapshot(MESSAGE, tick);
      intervals.push(outbox.interval);
    }
    expect(intervals.at(-1)).toBe(1);
    // Never jumps straight back from 4 to 1.
    expect(intervals).toContain(2);
  });

  it("does not restore the rate while the buffer stays near the limit (edge: just under soft)", () => {
    const { outbox, socket } = setup();
    socket.bufferedAmount = SOFT * 2;
    for (let tick = 1; tick <= 3; tick++) outbox.decide(tick, tick);
    socket.bufferedAmount = SOFT * 0.9;
    for (let tick = 4; tick <= 60; tick++) if (outbox.decide(tick, tick) === "send") outbox.sendSnapshot(MESSAGE, tick);
    expect(outbox.interval).toBe(2);
  });

  it("reports a stall once the socket stays over the limit for stallTimeoutMs", () => {
    const { outbox, socket } = setup();
    socket.bufferedAmount = SOFT * 2;
    expect(outbox.decide(1, 0)).toBe("skip");
    expect(outbox.decide(2, 9_999)).toBe("skip");
    expect(outbox.decide(3, 10_000)).toBe("stalled");
  });

  it("restarts the stall timer when the socket gets back under the limit", () => {
    const { outbox, socket } = setup();
    socket.bufferedAmount = SOFT * 2;
    outbox.decide(1, 0);
    socket.bufferedAmount = 0;
    expect(outbox.decide(2, 9_000)).toBe("send");
    outbox.sendSnapshot(MESSAGE, 2);
    socket.bufferedAmount = SOFT * 2;
    expect(outbox.decide(3, 9_500)).toBe("skip");
    expect(outbox.decide(4, 19_000)).toBe("skip");
    expect(outbox.decide(5, 19_500)).toBe("stalled");
  });

  it("allows a catch-up from the drain handler only after a skip and under the limit", () => {
    const { outbox, socket } = setup();
    expect(outbox.canCatchUp()).toBe(false);
    socket.bufferedAmount = SOFT * 2;
    outbox.decide(1, 0);
    expect(outbox.canCatchUp()).toBe(false);
    socket.bufferedAmount = 10;
    expect(outbox.canCatchUp()).toBe(true);
    outbox.sendSnapshot(MESSAGE, 1);
    expect(outbox.canCatchUp()).toBe(false);
  });

  it("counts a send uWS dropped (status 2) instead of treating it as delivered", () => {
    const { outbox, socket, stats } = setup();
    socket.sendStatus = 2;
    outbox.sendSnapshot(MESSAGE, 1);
    expect(stats.sendDrops).toBe(1);
    expect(stats.snapshots).toBe(0);
    expect(outbox.lastSnapshotTick).toBe(-1);
  });

  it("never touches the socket after close (edge: late writes from the tick loop)", () => {
    const { outbox, socket } = setup();
    outbox.close(4007, "stalled");
    expect(socket.ended).toEqual({ code: 4007, reason: "stalled" });
    expect(outbox.send(MESSAGE)).toBe(false);
    expect(outbox.decide(1, 0)).toBe("wait");
    outbox.close(1000, "again");
    expect(socket.sent).toHaveLength(0);
  });
});
