import { describe, expect, it } from "vitest";
import { ClockSync, DEFAULT_JUMP_CONFIRM_SAMPLES, DEFAULT_READY_SAMPLES, DEFAULT_SLEW_RATE } from "../../src/time/index.js";
import { Rng } from "../../src/util/rng.js";

/** Client clock reading at the first ping; pings go out once a second. */
const CLIENT_START = 50_000;
const PING_INTERVAL_MS = 1000;

/**
 * A simulated ping link: the server clock reads client clock + `offset`; each ping takes
 * `out` ms to reach the server and `back` ms to return.
 */
class Link {
  clientNow = CLIENT_START;
  constructor(
    readonly sync: ClockSync,
    public offset: number,
  ) {}

  ping(out: number, back: number, serverClock: (t: number) => number = (t) => t): void {
    const sent = this.clientNow;
    this.sync.addSample(sent, serverClock(sent + out + this.offset), sent + out + back);
    this.clientNow += PING_INTERVAL_MS;
  }
}

describe("ClockSync", () => {
  it("starts not ready with a zero offset, so serverNow is the client clock", () => {
    const sync = new ClockSync();
    expect(sync.ready).toBe(false);
    expect(sync.offset).toBe(0);
    expect(sync.sampleCount).toBe(0);
    expect(sync.serverNow(1234)).toBe(1234);
  });

  it("takes a single sample's midpoint offset and round trip at once, with zero jitter, but is not ready", () => {
    const sync = new ClockSync();
    sync.addSample(1000, 5030, 1100);
    expect(sync.offset).toBe(5030 - 1050);
    expect(sync.rtt).toBe(100);
    expect(sync.jitter).toBe(0);
    expect(sync.ready).toBe(false);
    expect(sync.serverNow(2000)).toBe(2000 + 3980);
  });

  it("becomes ready after the configured number of consistent samples", () => {
    const link = new Link(new ClockSync(), 700);
    for (let i = 1; i < DEFAULT_READY_SAMPLES; i++) link.ping(20, 20);
    expect(link.sync.ready).toBe(false);
    link.ping(20, 20);
    expect(link.sync.ready).toBe(true);
    const eager = new ClockSync({ readySamples: 1 });
    eager.addSample(0, 10, 4);
    expect(eager.ready).toBe(true);
  });

  it("converges within a 1 ms quantum for a constant offset and symmetric random delays", () => {
    const rng = new Rng(11);
    const truth = -123_456.25;
    const link = new Link(new ClockSync(), truth);
    for (let i = 0; i < 40; i++) {
      const delay = rng.range(5, 150);
      // The server's clock has whole-millisecond resolution.
      link.ping(delay, delay, Math.floor);
      if (link.sync.ready) expect(Math.abs(link.sync.offset - truth)).toBeLessThanOrEqual(1);
    }
    expect(link.sync.ready).toBe(true);
    expect(Math.abs(link.sync.serverNow(link.clientNow) - (link.clientNow + truth))).toBeLessThanOrEqual(1);
  });

  it("rejects asymmetric delay spikes: the offset stays exact and the spikes count as outliers", () => {
    const truth = 2500;
    const link = new Link(new ClockSync(), truth);
    let spikes = 0;
    for (let i = 0; i < 48; i++) {
      const spike = i >= 8 && i % 3 === 0;
      if (spike) spikes++;
      link.ping(spike ? 320 : 20, 20);
      expect(link.sync.offset).toBe(truth);
    }
    expect(link.sync.outlierSamples).toBe(spikes);
    expect(link.sync.rtt).toBe(40);
    expect(link.sync.clockJumps).toBe(0);
  });

  it("takes the offset from the lowest-RTT samples when most samples are skewed by one-way queueing", () => {
    const truth = 800;
    const link = new Link(new ClockSync(), truth);
    for (let i = 0; i < 16; i++) {
      if (i % 4 === 0) link.ping(20, 20);
      else link.ping(60, 20);
    }
    expect(link.sync.offset).toBe(truth);
    expect(link.sync.rtt).toBe(40);
  });

  it("narrows an uncertain estimate with precise samples instead of mistaking them for a clock jump", () => {
    // Skewed samples put the estimate 40 ms off with a 60 ms error bound; tight samples
    // that exclude it are still consistent with that bound.
    const link = new Link(new ClockSync(), 0);
    for (let i = 0; i < 8; i++) link.ping(100, 20);
    expect(link.sync.offset).toBe(40);
    for (let i = 0; i < 4; i++) link.ping(5, 5);
    expect(link.sync.clockJumps).toBe(0);
    expect(link.sync.offset).toBe(0);
  });

  it("keeps a sane offset and reports a large jitter under extreme jitter (RTT 20–400 ms)", () => {
    const truth = 5000;
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new Rng(seed);
      const link = new Link(new ClockSync(), truth);
      for (let i = 0; i < 40; i++) {
        link.ping(rng.range(10, 200), rng.range(10, 200));
        const error = Math.abs(link.sync.offset - truth);
        expect(error).toBeLessThanOrEqual(link.sync.offsetErrorBound + 1e-9);
      }
      expect(Math.abs(link.sync.offset - truth)).toBeLessThan(60);
      expect(link.sync.jitter).toBeGreaterThan(20);
      expect(link.sync.clockJumps).toBe(0);
    }
  });

  it("reports near-zero jitter on a steady link", () => {
    const link = new Link(new ClockSync(), 10);
    for (let i = 0; i < 20; i++) link.ping(30 + (i % 2), 30);
    expect(link.sync.jitter).toBeLessThanOrEqual(0.5);
  });

  for (const [name, shift] of [
    ["the server clock steps forward", 5000],
    ["the client clock steps forward (offset drops)", -3000],
  ] as const) {
    it(`adopts a clock jump after ${DEFAULT_JUMP_CONFIRM_SAMPLES} consecutive agreeing samples when ${name}, snapping serverNow`, () => {
      const link = new Link(new ClockSync(), 1000);
      for (let i = 0; i < 20; i++) link.ping(25, 25);
      link.offset += shift;
      for (let i = 1; i < DEFAULT_JUMP_CONFIRM_SAMPLES; i++) {
        link.ping(25, 25);
        expect(link.sync.offset).toBe(1000);
        expect(link.sync.serverNow(link.clientNow)).toBe(link.clientNow + 1000);
      }
      link.ping(25, 25);
      expect(link.sync.offset).toBe(1000 + shift);
      expect(link.sync.clockJumps).toBe(1);
      expect(link.sync.serverNow(link.clientNow)).toBe(link.clientNow + 1000 + shift);
      expect(link.sync.sampleCount).toBe(DEFAULT_JUMP_CONFIRM_SAMPLES);
      expect(link.sync.ready).toBe(true);
    });
  }

  it("lets an RTT spike in the middle of a jump's confirmation neither break nor confirm it", () => {
    const link = new Link(new ClockSync(), 0);
    for (let i = 0; i < 16; i++) link.ping(20, 20);
    link.offset = 150;
    link.ping(20, 20);
    // A 420 ms round trip whose range still covers the old offset.
    link.ping(20, 400);
    expect(link.sync.outlierSamples).toBe(1);
    link.ping(20, 20);
    expect(link.sync.offset).toBe(0);
    link.ping(20, 20);
    expect(link.sync.clockJumps).toBe(1);
    expect(link.sync.offset).toBe(150);
  });

  it("does not adopt contradicting samples that are not consecutive or do not agree with each other", () => {
    const link = new Link(new ClockSync(), 0);
    for (let i = 0; i < 20; i++) link.ping(25, 25);
    for (const offset of [4000, 4000, 0, 4000, 4000, 0, 4000, -4000, 4000, -4000, 0]) {
      link.offset = offset;
      link.ping(25, 25);
      expect(link.sync.offset).toBe(0);
    }
    expect(link.sync.clockJumps).toBe(0);
  });

  it("slews serverNow towards a small correction at the slew rate without ever running backwards", () => {
    for (const shift of [60, -60]) {
      const link = new Link(new ClockSync(), 0);
      for (let i = 0; i < 20; i++) link.ping(10, 10);
      link.offset = shift;
      for (let i = 0; i < DEFAULT_JUMP_CONFIRM_SAMPLES; i++) link.ping(10, 10);
      expect(link.sync.offset).toBe(shift);
      const adoptedAt = link.clientNow - PING_INTERVAL_MS + 20;
      expect(link.sync.serverNow(adoptedAt)).toBe(adoptedAt);
      const half = Math.abs(shift) / 2 / DEFAULT_SLEW_RATE;
      expect(link.sync.serverNow(adoptedAt + half)).toBeCloseTo(adoptedAt + half + shift / 2, 9);
      expect(link.sync.serverNow(adoptedAt + 2 * half)).toBeCloseTo(adoptedAt + 2 * half + shift, 9);
      expect(link.sync.serverNow(adoptedAt + 10_000)).toBe(adoptedAt + 10_000 + shift);
      let previous = Number.NEGATIVE_INFINITY;
      for (let t = adoptedAt; t < adoptedAt + 3 * half; t += 7) {
        const server = link.sync.serverNow(t);
        expect(server).toBeGreaterThan(previous);
        previous = server;
      }
    }
  });

  it("ignores samples with NaN or infinite times or a negative round trip", () => {
    const link = new Link(new ClockSync(), 300);
    for (let i = 0; i < 6; i++) link.ping(15, 15);
    const { offset, rtt, jitter, sampleCount } = link.sync;
    link.sync.addSample(Number.NaN, 1000, 2000);
    link.sync.addSample(1000, Number.NaN, 2000);
    link.sync.addSample(1000, 2000, Number.POSITIVE_INFINITY);
    link.sync.addSample(2000, 5000, 1990);
    expect(link.sync.invalidSamples).toBe(4);
    expect([link.sync.offset, link.sync.rtt, link.sync.jitter, link.sync.sampleCount]).toEqual([offset, rtt, jitter, sampleCount]);
  });

  it("accepts a lasting rise in RTT as the new normal instead of rejecting it forever", () => {
    const link = new Link(new ClockSync(), 42);
    for (let i = 0; i < 16; i++) link.ping(10, 10);
    for (let i = 0; i < 40; i++) link.ping(100, 100);
    expect(link.sync.outlierSamples).toBeGreaterThan(0);
    expect(link.sync.outlierSamples).toBeLessThan(16);
    expect(link.sync.rtt).toBe(200);
    expect(link.sync.offset).toBe(42);
  });

  it("forgets everything on reset", () => {
    const link = new Link(new ClockSync(), 900);
    for (let i = 0; i < 8; i++) link.ping(20, 20);
    link.sync.reset();
    expect(link.sync.ready).toBe(false);
    expect(link.sync.offset).toBe(0);
    expect(link.sync.sampleCount).toBe(0);
    expect(link.sync.serverNow(100)).toBe(100);
    link.offset = -50;
    link.ping(20, 20);
    expect(link.sync.offset).toBe(-50);
  });

  it("rejects invalid options", () => {
    expect(() => new ClockSync({ windowSize: 0 })).toThrow(RangeError);
    expect(() => new ClockSync({ windowSize: 4, readySamples: 5 })).toThrow(RangeError);
    expect(() => new ClockSync({ jumpConfirmSamples: 0 })).toThrow(RangeError);
    expect(() => new ClockSync({ slewRate: 1 })).toThrow(RangeError);
    expect(() => new ClockSync({ jumpMarginMs: -1 })).toThrow(RangeError);
    expect(() => new ClockSync({ snapThresholdMs: Number.NaN })).toThrow(RangeError);
  });
});
