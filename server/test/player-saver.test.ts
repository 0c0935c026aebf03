/** PlayerSaver: queued, coalescing, retried off the caller's tick; simulated time, then a real Redis outage. */
import { Registry } from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  InMemoryPlayerStore,
  type PlayerRecord,
  PlayerSaver,
  RedisPlayerStore,
  SAVE_CONCURRENCY,
  SAVE_RETRY_FIRST_MS,
  SAVE_RETRY_MAX_MS,
  type WriteOutcome,
} from "../src/persistence/index.js";
import { capturedLogger, LOG_LEVEL } from "./helpers/logs.js";
import { metricValue } from "./helpers/metrics.js";
import { LocalRedisServer } from "../src/local-redis.js";
import { ManualTimers } from "./helpers/timers.js";

const HOLDER = "process-a";
const LEASE_MS = 60_000;

/** An in-memory store whose saves can be held back or made to fail. */
class ScriptedStore extends InMemoryPlayerStore {
  readonly writes: { key: string; record: PlayerRecord }[] = [];
  failNext = 0;
  hold = false;
  inFlight = 0;
  maxInFlight = 0;
  private held: (() => void)[] = [];

  override async save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    this.writes.push({ key, record });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error("store unreachable");
      }
      return await super.save(key, holder, record);
    } finally {
      this.inFlight--;
    }
  }

  releaseHeld(): void {
    this.hold = false;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("PlayerSaver (simulated time)", () => {
  let store: ScriptedStore;
  let timers: ManualTimers;
  let log: ReturnType<typeof capturedLogger>;
  let saver: PlayerSaver;
  let lostLeases: string[];
  let registry: Registry;

  beforeEach(async () => {
    store = new ScriptedStore({ clock: () => timers.now });
    timers = new ManualTimers();
    log = capturedLogger();
    lostLeases = [];
    registry = new Registry();
    saver = new PlayerSaver({
      store,
      holder: HOLDER,
      logger: log.logger,
      timers,
      onLeaseLost: (key) => lostLeases.push(key),
      metricsRegistry: registry,
    });
    for (const key of ["ann", "bob", "cat"]) await store.acquire(key, HOLDER, LEASE_MS);
  });

  it("save() returns before the store is called; the write happens once the caller's task ends", async () => {
    saver.save("ann", { x: 1 });
    expect(store.writes).toEqual([]);
    expect(saver.pending).toBe(1);
    await settle();
    expect(await store.load("ann")).toEqual({ x: 1 });
    expect(saver.pending).toBe(0);
    expect(saver.counts.written).toBe(1);
  });

  it("coalesces saves of one player into the latest: one write in flight, then only the newest record", async () => {
    store.hold = true;
    saver.save("ann", { x: 1 });
    await settle();
    for (let x = 2; x <= 5; x++) saver.save("ann", { x });
    await settle();
    expect(store.writes.map((w) => w.record)).toEqual([{ x: 1 }]);
    store.releaseHeld();
    await settle();
    await settle();
    expect(store.writes.map((w) => w.record)).toEqual([{ x: 1 }, { x: 5 }]);
    expect(await store.load("ann")).toEqual({ x: 5 });
  });

  it("settled(key) resolves once that player's latest record is written, through failures and retries", async () => {
    let settled = false;
    await saver.settled("ann");
    store.failNext = 1;
    saver.save("ann", { x: 1 });
    void saver.settled("ann").then(() => {
      settled = true;
    });
    await settle();
    expect(saver.failing).toBe(true);
    saver.save("ann", { x: 2 });
    expect(settled).toBe(false);
    timers.advance(SAVE_RETRY_FIRST_MS);
    await settle();
    await settle();
    expect(settled).toBe(true);
    expect(saver.failing).toBe(false);
    expect(await store.load("ann")).toEqual({ x: 2 });
  });

  it("keeps at most SAVE_CONCURRENCY writes in flight and writes every player", async () => {
    store.hold = true;
    const keys = Array.from({ length: 3 * SAVE_CONCURRENCY }, (_, i) => `p${i}`);
    for (const key of keys) {
      await store.acquire(key, HOLDER, LEASE_MS);
      saver.save(key, { key });
    }
    await settle();
    expect(store.inFlight).toBe(SAVE_CONCURRENCY);
    store.releaseHeld();
    const flushed = await saver.flushAll(1_000);
    expect(flushed).toEqual({ done: true, unsaved: [] });
    expect(store.maxInFlight).toBe(SAVE_CONCURRENCY);
    for (const key of keys) expect(await store.load(key)).toEqual({ key });
  });

  it("retries a failing store with doubling backoff up to the cap, logging the outage once as an error and its end; the save lands", async () => {
    store.failNext = 5;
    expect(() => saver.save("ann", { x: 1 })).not.toThrow();
    await settle();
    const delays: number[] = [];
    while (store.failNext > 0 || saver.retrying) {
      delays.push(timers.pendingDelays()[0] ?? -1);
      timers.advance(timers.pendingDelays()[0] ?? 0);
      await settle();
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 2000]);
    expect([SAVE_RETRY_FIRST_MS, SAVE_RETRY_MAX_MS]).toEqual([250, 2000]);
    expect(await store.load("ann")).toEqual({ x: 1 });
    expect(saver.counts).toMatchObject({ failed: 5, written: 1 });
    const errors = log.lines.filter((line) => line.level === LOG_LEVEL.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: "player save failed: the store is unavailable; retrying",
      key: "ann",
      retryInMs: 250,
      err: { message: "store unreachable" },
    });
    expect(log.lines.at(-1)).toMatchObject({ level: LOG_LEVEL.info, msg: "player saves succeed again", failures: 5 });
    expect(await metricValue({ registry } as never, "tickwire_player_saves_total", { outcome: "failed" })).toBe(5);
  });

  it("a newer save made during an outage is the one written when the store comes back", async () => {
    store.failNext = 1;
    saver.save("ann", { x: 1 });
    await settle();
    saver.save("ann", { x: 2 });
    timers.advance(SAVE_RETRY_FIRST_MS);
    await settle();
    expect(await store.load("ann")).toEqual({ x: 2 });
    expect(store.writes.map((w) => w.record)).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it("a save refused for a lost lease is reported, counted and not retried", async () => {
    await store.release("bob", HOLDER);
    saver.save("bob", { x: 1 });
    await settle();
    timers.advance(SAVE_RETRY_MAX_MS * 2);
    await settle();
    expect(store.writes).toHaveLength(1);
    expect(lostLeases).toEqual(["bob"]);
    expect(saver.counts.lease_lost).toBe(1);
    expect(log.lines.find((line) => line.level === LOG_LEVEL.warn)).toMatchObject({ key: "bob" });
  });

  it("a record msgpack cannot carry is dropped and counted, never thrown at the caller", async () => {
    expect(() => saver.save("cat", { when: new Date() } as never)).not.toThrow();
    await settle();
    expect(saver.counts.invalid).toBe(1);
    expect(saver.pending).toBe(0);
    expect(await store.load("cat")).toBeUndefined();
  });

  it("flushAll resolves with the players left unsaved when the store is still down at the timeout", async () => {
    store.failNext = 1_000;
    saver.save("ann", { x: 1 });
    saver.save("bob", { x: 2 });
    const flushed = saver.flushAll(5_000);
    await settle();
    for (let i = 0; i < 10; i++) {
      timers.advance(1_000);
      await settle();
    }
    expect(await flushed).toEqual({ done: false, unsaved: ["ann", "bob"] });
  });
});

describe("PlayerSaver on a real Redis", () => {
  let redis: LocalRedisServer;
  beforeAll(async () => {
    redis = await LocalRedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("Redis stopped for 5 s: save() stays instant, each failure is logged clearly, and the save lands after", async () => {
    const OUTAGE_MS = 5_000;
    const store = new RedisPlayerStore({ redis: redis.url, prefix: "outage:" });
    const log = capturedLogger();
    const saver = new PlayerSaver({ store, holder: HOLDER, logger: log.logger });
    try {
      expect(await store.acquire("ann", HOLDER, LEASE_MS)).toBe(true);
      saver.save("ann", { level: 1 });
      expect(await saver.flushAll(2_000)).toEqual({ done: true, unsaved: [] });

      redis.pause();
      const pausedAt = performance.now();
      const callStart = performance.now();
      saver.save("ann", { level: 2 });
      saver.save("ann", { level: 3 });
      expect(performance.now() - callStart).toBeLessThan(5);
      const firstError = await waitFor(() => log.lines.find((line) => line.level === LOG_LEVEL.error), OUTAGE_MS);
      expect(firstError).toMatchObject({ msg: "player save failed: the store is unavailable; retrying", key: "ann" });
      expect(firstError.err?.message).toMatch(/timed out/i);
      // Hold the outage for its full length: the retries keep failing meanwhile.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (performance.now() - pausedAt)));
      expect(saver.counts.failed).toBeGreaterThanOrEqual(2);
      redis.resume();

      expect(await saver.flushAll(OUTAGE_MS)).toEqual({ done: true, unsaved: [] });
      const reader = new RedisPlayerStore({ redis: redis.url, prefix: "outage:" });
      expect(await reader.load("ann")).toEqual({ level: 3 });
      await reader.close();
      expect(log.lines.at(-1)).toMatchObject({ msg: "player saves succeed again" });
    } finally {
      redis.resume();
      await store.close();
    }
  });
});

/** Polls `probe` until it returns something, or fails after `timeoutMs`. */
async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
