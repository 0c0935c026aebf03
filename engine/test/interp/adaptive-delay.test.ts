import { describe, expect, it } from "vitest";
import { AdaptiveDelay, DEFAULT_DECREASE_RATE, DEFAULT_INCREASE_RATE } from "../../src/interp/adaptive-delay.js";
import { InterpolationBuffer } from "../../src/interp/buffer.js";
import { Rng } from "../../src/util/rng.js";

const INTERVAL_MS = 50;
const FRAME_MS = 1000 / 60;
/** The local clock reads this much ahead of the server's: the controller must not care. */
const CLOCK_OFFSET_MS = 123_456;
/** Half of a 150 ms round trip. */
const ONE_WAY_MS = 75;

/** Extra transit of the snapshot sent at `serverTime`, on top of ONE_WAY_MS. */
type Jitter = (serverTime: number, rng: Rng) => number;

interface Frame {
  elapsedMs: number;
  renderTime: number;
  delayMs: number;
  targetMs: number;
  settled: boolean;
  /** Whether the render time fell inside the snapshots that had arrived. */
  inside: boolean;
}

/**
 * Server sends a snapshot every INTERVAL_MS (server time starting at 0); they arrive in
 * order as over TCP; the client renders at 60 Hz, feeding the controller and an
 * interpolation buffer as a real client would, and records every frame.
 */
function simulate(delay: AdaptiveDelay, seconds: number, jitter: Jitter, seed = 1): Frame[] {
  const rng = new Rng(seed);
  const arrivals: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (let serverTime = 0; serverTime <= seconds * 1000; serverTime += INTERVAL_MS) {
    previous = Math.max(previous, serverTime + CLOCK_OFFSET_MS + ONE_WAY_MS + jitter(serverTime, rng));
    arrivals.push(previous);
  }
  const buffer = new InterpolationBuffer({ fields: ["linear"], capacity: 64 });
  const out = [0];
  const frames: Frame[] = [];
  let delivered = 0;
  const frameCount = Math.floor((seconds * 1000) / FRAME_MS);
  for (let frame = 1; frame <= frameCount; frame++) {
    const now = CLOCK_OFFSET_MS + frame * FRAME_MS;
    while (delivered < arrivals.length && arrivals[delivered] <= now) {
      const serverTime = delivered * INTERVAL_MS;
      delay.onSnapshot(arrivals[delivered], serverTime);
      buffer.push(serverTime, [serverTime]);
      delivered++;
    }
    delay.update(FRAME_MS);
    const renderTime = delay.renderTime(now);
    frames.push({
      elapsedMs: frame * FRAME_MS,
      renderTime,
      delayMs: delay.delayMs,
      targetMs: delay.targetMs,
      settled: delay.settled,
      inside: buffer.sample(renderTime, out) === "interpolated",
    });
  }
  return frames;
}

const steady: Jitter = () => 0;
const uniform =
  (spreadMs: number): Jitter =>
  (_, rng) =>
    rng.range(-spreadMs, spreadMs);

function last<T>(items: readonly T[]): T {
  return items[items.length - 1];
}

describe("AdaptiveDelay", () => {
  it("steady 50 ms arrivals: the delay settles at one interval plus a margin", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    const frames = simulate(delay, 5, steady);
    expect(delay.jitterMs).toBe(0);
    expect(delay.settled).toBe(true);
    expect(delay.delayMs).toBeGreaterThan(INTERVAL_MS);
    expect(delay.delayMs).toBeLessThan(1.5 * INTERVAL_MS);
    expect(frames.slice(60).every((frame) => frame.inside)).toBe(true);
  });

  it("±30 ms jitter: the target grows past the steady one by the jitter", () => {
    const calm = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    simulate(calm, 5, steady);
    const jittery = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    simulate(jittery, 10, uniform(30));
    expect(jittery.jitterMs).toBeGreaterThan(15);
    expect(jittery.jitterMs).toBeLessThanOrEqual(30);
    expect(jittery.targetMs).toBeGreaterThan(calm.targetMs + jittery.jitterMs);
  });

  it("±30 ms jitter: render time stays inside the buffer on at least 99% of frames after settling", () => {
    for (const seed of [1, 2, 3]) {
      const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
      const frames = simulate(delay, 60, uniform(30), seed).filter((frame) => frame.elapsedMs > 3000);
      const inside = frames.filter((frame) => frame.inside).length;
      expect(inside / frames.length).toBeGreaterThanOrEqual(0.99);
    }
  });

  it("settles within 3 s at 150 ms RTT with ±30 ms jitter", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    const frames = simulate(delay, 5, uniform(30));
    const firstSettled = frames.find((frame) => frame.settled);
    expect(firstSettled).toBeDefined();
    expect(firstSettled!.elapsedMs).toBeLessThanOrEqual(3000);
  });

  it("the render clock never jumps: it runs between (1 - increaseRate) and (1 + decreaseRate) of real time", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    // Start once the delay is inside [min, max], where base moves are absorbed.
    const frames = simulate(delay, 20, uniform(30)).slice(60);
    for (let i = 1; i < frames.length; i++) {
      const advance = frames[i].renderTime - frames[i - 1].renderTime;
      expect(advance).toBeGreaterThanOrEqual(FRAME_MS * (1 - DEFAULT_INCREASE_RATE) - 1e-6);
      expect(advance).toBeLessThanOrEqual(FRAME_MS * (1 + DEFAULT_DECREASE_RATE) + 1e-6);
    }
  });

  it("extreme jitter: the target clamps at maxDelayMs and the delay never exceeds it", () => {
    const maxDelayMs = 300;
    // Arrivals seconds apart are this test's jitter, not an outage.
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS, maxDelayMs, outageMs: Number.POSITIVE_INFINITY });
    const frames = simulate(delay, 20, uniform(2000));
    expect(frames.every((frame) => frame.delayMs <= maxDelayMs)).toBe(true);
    expect(frames.some((frame) => frame.delayMs === maxDelayMs)).toBe(true);
    const lastTenSeconds = frames.slice(-600);
    const atMax = lastTenSeconds.filter((frame) => frame.targetMs === maxDelayMs).length;
    expect(atMax / lastTenSeconds.length).toBeGreaterThanOrEqual(0.95);
    expect(lastTenSeconds.every((frame) => frame.targetMs <= maxDelayMs)).toBe(true);
  });

  it("jitter drops: the delay comes down slowly, at no more than decreaseRate, and reaches the new target", () => {
    const dropAtMs = 10_000;
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    const frames = simulate(delay, 40, (serverTime, rng) => (serverTime < dropAtMs ? rng.range(-60, 60) : 0));
    const highDelay = frames.find((frame) => frame.elapsedMs >= dropAtMs)!.delayMs;
    const targetFalls = frames.findIndex((frame) => frame.elapsedMs > dropAtMs && frame.targetMs < 0.6 * highDelay);
    expect(targetFalls).toBeGreaterThan(0);
    const fallen = frames[targetFalls];
    const oneSecondLater = frames[targetFalls + 60];
    expect(oneSecondLater.delayMs - oneSecondLater.targetMs).toBeGreaterThan(
      0.5 * (fallen.delayMs - fallen.targetMs),
    );
    for (let i = targetFalls + 1; i < frames.length; i++) {
      expect(frames[i - 1].delayMs - frames[i].delayMs).toBeLessThanOrEqual(DEFAULT_DECREASE_RATE * FRAME_MS + 1e-6);
    }
    expect(last(frames).delayMs).toBeCloseTo(last(frames).targetMs, 6);
    expect(delay.settled).toBe(true);
  });

  it("skipped snapshots raise the target by the longer gap at once", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    let serverTime = 0;
    for (; serverTime < 2000; serverTime += INTERVAL_MS) delay.onSnapshot(serverTime + ONE_WAY_MS, serverTime);
    const before = delay.targetMs;
    const skipped = 3;
    serverTime += skipped * INTERVAL_MS;
    delay.onSnapshot(serverTime + ONE_WAY_MS, serverTime);
    expect(delay.targetMs).toBeCloseTo(before + skipped * INTERVAL_MS, 9);
  });

  it("a 3 s downlink outage does not raise the delay: within 1.2x of before, 2 s after the link returns", () => {
    // Snapshots sent during the outage are held and arrive together when it ends.
    const outage: Jitter = (serverTime) => (serverTime >= 4000 && serverTime < 7000 ? 7000 - serverTime : 0);
    const frames = simulate(new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS }), 12, outage);
    const at = (ms: number) => frames[Math.round(ms / FRAME_MS) - 1];
    const before = at(4000).delayMs;
    for (const frame of frames.filter((f) => f.elapsedMs >= 7000 + ONE_WAY_MS + 2000)) {
      expect(frame.delayMs).toBeLessThanOrEqual(before * 1.2);
      expect(frame.inside).toBe(true);
    }
  });

  it("restart() (a resume) forgets the outage's gap and keeps the delay", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    let serverTime = 0;
    for (; serverTime < 3000; serverTime += INTERVAL_MS) delay.onSnapshot(serverTime + ONE_WAY_MS, serverTime);
    const before = delay.targetMs;
    delay.restart();
    serverTime += 400;
    for (let i = 0; i < 10; i++, serverTime += INTERVAL_MS) delay.onSnapshot(serverTime + ONE_WAY_MS + 2000, serverTime);
    expect(delay.targetMs).toBeCloseTo(before, 6);
  });

  it("late snapshots raise the target within a few arrivals", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    let serverTime = 0;
    for (; serverTime < 3000; serverTime += INTERVAL_MS) delay.onSnapshot(serverTime + ONE_WAY_MS, serverTime);
    const before = delay.targetMs;
    const lateMs = 80;
    for (let i = 0; i < 5; i++, serverTime += INTERVAL_MS) {
      delay.onSnapshot(serverTime + ONE_WAY_MS + lateMs, serverTime);
    }
    expect(delay.jitterMs).toBe(lateMs);
    expect(delay.targetMs).toBeGreaterThan(before + lateMs);
  });

  it("a single late outlier leaves the jitter estimate unchanged", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    let serverTime = 0;
    for (; serverTime < 2000; serverTime += INTERVAL_MS) delay.onSnapshot(serverTime + ONE_WAY_MS, serverTime);
    delay.onSnapshot(serverTime + ONE_WAY_MS + 500, serverTime);
    expect(delay.jitterMs).toBe(0);
  });

  it("ignores snapshots whose server time is not newer than the last one", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    delay.onSnapshot(ONE_WAY_MS + 100, 100);
    const renderTimeBefore = delay.renderTime(1000);
    delay.onSnapshot(ONE_WAY_MS + 900, 100);
    delay.onSnapshot(ONE_WAY_MS + 900, 50);
    expect(delay.renderTime(1000)).toBe(renderTimeBefore);
    expect(delay.jitterMs).toBe(0);
  });

  it("before any snapshot the render time is NaN and the controller is not settled", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    delay.update(5000);
    expect(delay.renderTime(0)).toBeNaN();
    expect(delay.settled).toBe(false);
  });

  it("maps the arrival clock to server time through the typical offset, whatever the clock offset", () => {
    const delay = new AdaptiveDelay({ snapshotIntervalMs: INTERVAL_MS });
    for (let serverTime = 0; serverTime <= 1000; serverTime += INTERVAL_MS) {
      delay.onSnapshot(serverTime + CLOCK_OFFSET_MS + ONE_WAY_MS, serverTime);
    }
    const now = CLOCK_OFFSET_MS + ONE_WAY_MS + 1020;
    expect(delay.serverTimeAt(now)).toBeCloseTo(1020, 9);
    expect(delay.renderTime(now)).toBeCloseTo(1020 - delay.delayMs, 9);
  });

  it("rejects bad options", () => {
    expect(() => new AdaptiveDelay({ snapshotIntervalMs: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveDelay({ snapshotIntervalMs: 50, minDelayMs: 200, maxDelayMs: 100 })).toThrow(RangeError);
    expect(() => new AdaptiveDelay({ snapshotIntervalMs: 50, windowSize: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveDelay({ snapshotIntervalMs: 50, increaseRate: 0 })).toThrow(RangeError);
  });
});
