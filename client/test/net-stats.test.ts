import { describe, expect, it } from "vitest";
import { NetStats, RateWindow, Series } from "../src/net-stats.js";
import { formatBytes, niceScale } from "../src/netgraph.js";

describe("RateWindow", () => {
  it("reports a steady 20 events per second as 20/s", () => {
    const window = new RateWindow(1_000);
    let now = 0;
    for (; now < 5_000; now += 50) window.add(now, 1);
    expect(window.perSecond(now - 50)).toBeGreaterThanOrEqual(18);
    expect(window.perSecond(now - 50)).toBeLessThanOrEqual(20);
  });

  it("forgets amounts older than the window, including after a long silence", () => {
    const window = new RateWindow(1_000);
    window.add(100, 500);
    expect(window.total(150)).toBe(500);
    expect(window.total(1_200)).toBe(0);
    // Same bucket slot ten windows later must not add up with the stale sum.
    window.add(10_100, 7);
    expect(window.total(10_150)).toBe(7);
  });
});

describe("Series", () => {
  it("keeps the newest values oldest-first once full", () => {
    const series = new Series("x", "ms", 3);
    for (const v of [1, 2, 3, 4, 5]) series.push(v);
    expect([series.at(0), series.at(1), series.at(2)]).toEqual([3, 4, 5]);
    expect(series.length).toBe(3);
    expect(series.last).toBe(5);
    expect(series.max()).toBe(5);
  });

  it("an empty series has last 0 and max 0", () => {
    const series = new Series("x", "ms", 3);
    expect(series.last).toBe(0);
    expect(series.max()).toBe(0);
  });
});

describe("NetStats", () => {
  it("counts tick gaps as skipped snapshots, but not the gap across a reconnect", () => {
    const stats = new NetStats();
    stats.recordSnapshot(0, 10);
    stats.recordSnapshot(50, 11);
    stats.recordSnapshot(150, 13);
    expect(stats.skippedSnapshots).toBe(1);
    stats.newConnection();
    stats.recordSnapshot(5_000, 200);
    expect(stats.skippedSnapshots).toBe(1);
  });

  it("measures snapshot inter-arrival times and the snapshot rate", () => {
    const stats = new NetStats();
    for (let i = 0; i < 40; i++) stats.recordSnapshot(i * 50, i);
    stats.update(39 * 50);
    expect(stats.lastInterArrivalMs).toBe(50);
    expect(stats.meanInterArrivalMs).toBeCloseTo(50, 6);
    expect(stats.snapshotsPerSec).toBeGreaterThanOrEqual(18);
    expect(stats.snapshotsPerSec).toBeLessThanOrEqual(20);
  });

  it("sizes and counts corrections", () => {
    const stats = new NetStats();
    stats.recordCorrection(10, 0.5);
    stats.recordCorrection(20, 2);
    stats.recordCorrection(30, 1);
    stats.update(30);
    expect(stats.corrections).toBe(3);
    expect(stats.lastCorrectionSize).toBe(1);
    expect(stats.largestCorrectionSize).toBe(2);
    expect(stats.correctionsPerSec).toBe(3);
    expect(stats.series.correctionSize.last).toBe(2);
  });

  it("samples the history every 100 ms, not every update, and keeps spikes between samples", () => {
    const stats = new NetStats();
    stats.recordBytesIn(0, 100);
    for (let now = 0; now <= 1_000; now += 10) {
      if (now === 420) stats.recordSnapshot(now, 1);
      if (now === 470) stats.recordSnapshot(now, 2);
      stats.rttMs = now;
      stats.update(now);
    }
    expect(stats.series.rtt.length).toBe(11);
    expect(stats.series.rtt.last).toBe(1_000);
    let largestGap = 0;
    for (let i = 0; i < stats.series.interArrival.length; i++) {
      largestGap = Math.max(largestGap, stats.series.interArrival.at(i));
    }
    expect(largestGap).toBe(50);
    expect(stats.totalBytesIn).toBe(100);
  });
});

describe("net graph scale and labels", () => {
  it("rounds a full scale up to the next 1-2-5 step", () => {
    expect(niceScale(0.3)).toBeCloseTo(0.5, 12);
    expect(niceScale(1)).toBe(1);
    expect(niceScale(101)).toBe(200);
    expect(niceScale(450)).toBe(500);
    expect(niceScale(501)).toBe(1_000);
  });

  it("falls back to 1 for zero, negative or non-finite maxima", () => {
    expect(niceScale(0)).toBe(1);
    expect(niceScale(-5)).toBe(1);
    expect(niceScale(Number.NaN)).toBe(1);
    expect(niceScale(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it("formats byte rates in B, KiB and MiB", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });
});
