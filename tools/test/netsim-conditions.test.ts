import { describe, expect, it } from "vitest";
import {
  describeConditions,
  formatBytes,
  isLoopbackHost,
  mergeConditions,
  NETSIM_PRESETS,
  NetsimConfigError,
  NO_CONDITIONS,
  netsimPreset,
  parseBandwidth,
  parseDropWindow,
  parseDuration,
  presetNames,
} from "../src/netsim/index.js";

describe("parseBandwidth", () => {
  it.each([
    ["64kbit", 8_000],
    ["1.6mbit", 200_000],
    ["1.6Mbit/s", 200_000],
    ["1gbit", 125_000_000],
    ["512KiB", 524_288],
    ["2MiB/s", 2_097_152],
    ["100kB/s", 100_000],
    ["3MB", 3_000_000],
    ["2000", 2_000],
    ["off", 0],
    ["unlimited", 0],
  ])("reads %s as %d bytes per second", (text, bytesPerSec) => {
    expect(parseBandwidth(text)).toBe(bytesPerSec);
  });

  it.each(["64kbps", "fast", "-1kbit", "1e3", ""])("refuses %j (ambiguous or not a rate)", (text) => {
    expect(() => parseBandwidth(text)).toThrow(NetsimConfigError);
  });
});

describe("parseDuration and parseDropWindow", () => {
  it.each([
    ["250", 250],
    ["250ms", 250],
    ["2s", 2_000],
    ["1.5s", 1_500],
    ["0", 0],
  ])("reads duration %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["2m", "", "-5", "soon"])("refuses duration %j", (text) => {
    expect(() => parseDuration(text)).toThrow(NetsimConfigError);
  });

  it("reads a single time as an exact drop moment and a range as a window", () => {
    expect(parseDropWindow("5s")).toEqual({ minMs: 5_000, maxMs: 5_000 });
    expect(parseDropWindow("5s-15s")).toEqual({ minMs: 5_000, maxMs: 15_000 });
    expect(parseDropWindow("100-250")).toEqual({ minMs: 100, maxMs: 250 });
  });

  it("reads off and never as no drops, and refuses three-part ranges", () => {
    expect(parseDropWindow("off")).toBeNull();
    expect(parseDropWindow("never")).toBeNull();
    expect(() => parseDropWindow("1-2-3")).toThrow(NetsimConfigError);
  });
});

describe("mergeConditions", () => {
  it("overrides only the given fields", () => {
    const merged = mergeConditions({ ...NO_CONDITIONS, latencyMs: 40, jitterMs: 5 }, { jitterMs: 9 });
    expect(merged).toEqual({ ...NO_CONDITIONS, latencyMs: 40, jitterMs: 9 });
  });

  it.each([
    [{ latencyMs: -1 }, /latencyMs/],
    [{ jitterMs: Number.NaN }, /jitterMs/],
    [{ bandwidthBytesPerSec: Number.POSITIVE_INFINITY }, /bandwidthBytesPerSec/],
    [{ stallEveryMs: 100, stallForMs: 100 }, /shorter than its period/],
    [{ stallForMs: 50 }, /shorter than its period/],
    [{ dropAfterMs: { minMs: 200, maxMs: 100 } }, /minMs ≤ maxMs/],
  ])("refuses %j", (change, message) => {
    expect(() => mergeConditions(NO_CONDITIONS, change)).toThrow(message);
  });

  it("returns frozen conditions, so a shared preset cannot be changed by accident", () => {
    const merged = mergeConditions(NO_CONDITIONS, { dropAfterMs: { minMs: 1, maxMs: 2 } });
    expect(Object.isFrozen(merged)).toBe(true);
    expect(Object.isFrozen(merged.dropAfterMs)).toBe(true);
  });
});

describe("presets", () => {
  it("offers the six named presets", () => {
    expect(presetNames()).toEqual(["good", "wifi", "bad-wifi", "mobile-4g", "mobile-3g", "lossy-drop"]);
  });

  it.each(presetNames())("%s is valid in both directions and describes itself", (name) => {
    const preset = netsimPreset(name);
    expect(mergeConditions(NO_CONDITIONS, preset.up)).toEqual(preset.up);
    expect(mergeConditions(NO_CONDITIONS, preset.down)).toEqual(preset.down);
    expect(preset.description.length).toBeGreaterThan(10);
  });

  it("mobile-3g is WebPageTest's 3G profile: 300 ms RTT, 1.6 Mbit/s down, 768 kbit/s up", () => {
    const { up, down } = NETSIM_PRESETS["mobile-3g"];
    expect(up.latencyMs + down.latencyMs).toBe(300);
    expect(down.bandwidthBytesPerSec * 8).toBe(1_600_000);
    expect(up.bandwidthBytesPerSec * 8).toBe(768_000);
  });

  it("lossy-drop stalls for TCP's minimum retransmit timeout and drops connections within 10-30 s", () => {
    const { up } = NETSIM_PRESETS["lossy-drop"];
    expect(up.stallForMs).toBe(200);
    expect(up.dropAfterMs).toEqual({ minMs: 10_000, maxMs: 30_000 });
  });

  it("an unknown preset name throws and lists the known ones", () => {
    expect(() => netsimPreset("dial-up")).toThrow(/unknown preset "dial-up".*mobile-3g/);
    expect(() => netsimPreset("toString")).toThrow(NetsimConfigError);
  });
});

describe("isLoopbackHost", () => {
  it.each(["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])(
    "accepts %s",
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(["10.0.0.1", "192.0.2.1", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1", "example.com", "localhost.example.com", ""])(
    "refuses %j without resolving it",
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe("formatting", () => {
  it("formats byte counts in B, KiB and MiB", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_536)).toBe("1.5 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });

  it("describes conditions with jitter, rate, stalls and drops, and unlimited when uncapped", () => {
    expect(describeConditions(NETSIM_PRESETS["lossy-drop"].up)).toBe(
      "75±20 ms, 768 kbit/s, stall 200 ms every 2000 ms, drop after 10000-30000 ms",
    );
    expect(describeConditions(NO_CONDITIONS)).toBe("0 ms, unlimited");
  });
});
