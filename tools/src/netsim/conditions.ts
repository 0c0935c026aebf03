/**
 * What a simulated link does to the bytes crossing it, the named presets, and the
 * parsers for the human-friendly forms the CLI accepts ("64kbit", "2s", "5s-15s").
 */

/** A time window in ms: a connection is dropped at a uniform random moment within it. */
export interface DropWindow {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Conditions of one direction of a link. Zero means "off" for every field. */
export interface LinkConditions {
  /** One-way delay added to every chunk, in ms. */
  readonly latencyMs: number;
  /** Each chunk's delay is latency ± a uniform sample within this many ms (never below 0); chunks never overtake each other. */
  readonly jitterMs: number;
  /** Bytes per second the link carries; 0 = unlimited. Excess is held, never dropped. */
  readonly bandwidthBytesPerSec: number;
  /** Every `stallEveryMs` the link freezes for its last `stallForMs`; held bytes are released afterwards. */
  readonly stallEveryMs: number;
  readonly stallForMs: number;
  /** Connections are dropped (reset) at a random moment this long after they open; null = never. */
  readonly dropAfterMs: DropWindow | null;
}

export type Direction = "up" | "down";
export type DirectionSelector = Direction | "both";

export const NO_CONDITIONS: LinkConditions = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  bandwidthBytesPerSec: 0,
  stallEveryMs: 0,
  stallForMs: 0,
  dropAfterMs: null,
});

export interface NetsimPreset {
  readonly description: string;
  readonly up: LinkConditions;
  readonly down: LinkConditions;
}

export class NetsimConfigError extends Error {
  override name = "NetsimConfigError";
}

const BITS_PER_BYTE = 8;
const mbit = (megabits: number) => (megabits * 1_000_000) / BITS_PER_BYTE;
const kbit = (kilobits: number) => (kilobits * 1_000) / BITS_PER_BYTE;

/**
 * Linux's minimum TCP retransmission timeout (TCP_RTO_MIN, 200 ms): over TCP a lost
 * segment is not a gap but a hold of at least this long, which is how loss shows up
 * to a WebSocket game.
 */
const TCP_MIN_RETRANSMIT_MS = 200;

function link(conditions: Partial<LinkConditions>): LinkConditions {
  return Object.freeze({ ...NO_CONDITIONS, ...conditions });
}

/**
 * Bandwidths and round-trip times are WebPageTest's connectivity profiles
 * (WPO-Foundation/webpagetest, www/settings/connectivity.ini.sample) and Firefox
 * DevTools' throttling profiles, with the RTT split evenly between the directions.
 * Jitter, stalls and drops are not in those tables; their values are ours, chosen to
 * be clearly noticeable in a game and are documented in tools/README.md.
 */
export const NETSIM_PRESETS: Readonly<Record<string, NetsimPreset>> = Object.freeze({
  good: {
    description: "wired broadband: WebPageTest Cable, 5/1 Mbit/s, 28 ms RTT, 1 ms jitter",
    up: link({ latencyMs: 14, jitterMs: 1, bandwidthBytesPerSec: mbit(1) }),
    down: link({ latencyMs: 14, jitterMs: 1, bandwidthBytesPerSec: mbit(5) }),
  },
  wifi: {
    description: "home Wi-Fi on broadband: Firefox Wi-Fi 30/15 Mbit/s, 40 ms RTT, 5 ms jitter",
    up: link({ latencyMs: 20, jitterMs: 5, bandwidthBytesPerSec: mbit(15) }),
    down: link({ latencyMs: 20, jitterMs: 5, bandwidthBytesPerSec: mbit(30) }),
  },
  "bad-wifi": {
    description: "congested Wi-Fi: 2/1 Mbit/s, 100 ms RTT, 30 ms jitter, 250 ms stall every 5 s",
    up: link({ latencyMs: 50, jitterMs: 30, bandwidthBytesPerSec: mbit(1), stallEveryMs: 5_000, stallForMs: 250 }),
    down: link({ latencyMs: 50, jitterMs: 30, bandwidthBytesPerSec: mbit(2), stallEveryMs: 5_000, stallForMs: 250 }),
  },
  "mobile-4g": {
    description: "WebPageTest LTE: 12/12 Mbit/s, 70 ms RTT, 10 ms jitter",
    up: link({ latencyMs: 35, jitterMs: 10, bandwidthBytesPerSec: mbit(12) }),
    down: link({ latencyMs: 35, jitterMs: 10, bandwidthBytesPerSec: mbit(12) }),
  },
  "mobile-3g": {
    description: "WebPageTest 3G: 1.6 Mbit/s down, 768 kbit/s up, 300 ms RTT, 30 ms jitter",
    up: link({ latencyMs: 150, jitterMs: 30, bandwidthBytesPerSec: kbit(768) }),
    down: link({ latencyMs: 150, jitterMs: 30, bandwidthBytesPerSec: mbit(1.6) }),
  },
  "lossy-drop": {
    description:
      "WebPageTest 3G Fast (1.6 Mbit/s / 768 kbit/s, 150 ms RTT), 20 ms jitter, " +
      "a 200 ms retransmit stall every 2 s, connections dropped after 10-30 s",
    up: link({
      latencyMs: 75,
      jitterMs: 20,
      bandwidthBytesPerSec: kbit(768),
      stallEveryMs: 2_000,
      stallForMs: TCP_MIN_RETRANSMIT_MS,
      dropAfterMs: { minMs: 10_000, maxMs: 30_000 },
    }),
    down: link({
      latencyMs: 75,
      jitterMs: 20,
      bandwidthBytesPerSec: mbit(1.6),
      stallEveryMs: 2_000,
      stallForMs: TCP_MIN_RETRANSMIT_MS,
    }),
  },
});

export function presetNames(): string[] {
  return Object.keys(NETSIM_PRESETS);
}

/** The preset called `name`; throws a NetsimConfigError listing the known names otherwise. */
export function netsimPreset(name: string): NetsimPreset {
  if (!Object.hasOwn(NETSIM_PRESETS, name)) {
    throw new NetsimConfigError(`unknown preset "${name}" (known: ${presetNames().join(", ")})`);
  }
  return NETSIM_PRESETS[name];
}

/** Merges `change` over `base` and checks the result; throws NetsimConfigError on nonsense. */
export function mergeConditions(base: LinkConditions, change: Partial<LinkConditions>): LinkConditions {
  const merged = { ...base, ...change };
  for (const key of ["latencyMs", "jitterMs", "bandwidthBytesPerSec", "stallEveryMs", "stallForMs"] as const) {
    const value = merged[key];
    if (!Number.isFinite(value) || value < 0) throw new NetsimConfigError(`${key} must be a finite number ≥ 0, got ${value}`);
  }
  if (merged.stallForMs > 0 && merged.stallForMs >= merged.stallEveryMs) {
    throw new NetsimConfigError(
      `a stall of ${merged.stallForMs} ms must be shorter than its period (stallEveryMs ${merged.stallEveryMs})`,
    );
  }
  const drop = merged.dropAfterMs;
  if (drop !== null) {
    if (!Number.isFinite(drop.minMs) || !Number.isFinite(drop.maxMs) || drop.minMs < 0 || drop.maxMs < drop.minMs) {
      throw new NetsimConfigError(`dropAfterMs needs 0 ≤ minMs ≤ maxMs, got ${drop.minMs}-${drop.maxMs}`);
    }
  }
  return Object.freeze({ ...merged, dropAfterMs: drop === null ? null : Object.freeze({ ...drop }) });
}

const BANDWIDTH_UNITS: Readonly<Record<string, number>> = {
  bit: 1 / BITS_PER_BYTE,
  kbit: 1_000 / BITS_PER_BYTE,
  mbit: 1_000_000 / BITS_PER_BYTE,
  gbit: 1_000_000_000 / BITS_PER_BYTE,
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  kib: 1_024,
  mib: 1_024 * 1_024,
};
const OFF_WORDS = new Set(["off", "none", "unlimited", "0"]);

/**
 * Bytes per second from "64kbit", "1.6mbit/s", "512KiB", "100kB/s" or a bare number of
 * bytes; "off"/"unlimited" → 0. Bit units are decimal (tc's convention); "kbps" is
 * refused because tools disagree on whether it means bits or bytes.
 */
export function parseBandwidth(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (OFF_WORDS.has(trimmed)) return 0;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?$/.exec(trimmed);
  const unit = match?.[2] || "b";
  if (!match || !Object.hasOwn(BANDWIDTH_UNITS, unit)) {
    throw new NetsimConfigError(`bad bandwidth "${text}": use e.g. 64kbit, 1.6mbit, 512KiB, 100kB or off`);
  }
  return Number(match[1]) * BANDWIDTH_UNITS[unit];
}

/** Milliseconds from "250", "250ms", "2s" or "1.5s". */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text.trim().toLowerCase());
  if (!match) throw new NetsimConfigError(`bad duration "${text}": use e.g. 250, 250ms or 2s`);
  return Number(match[1]) * (match[2] === "s" ? 1_000 : 1);
}

/** A drop window from "5s" (exactly then), "5s-15s" (uniformly within) or "off". */
export function parseDropWindow(text: string): DropWindow | null {
  const trimmed = text.trim().toLowerCase();
  if (OFF_WORDS.has(trimmed) || trimmed === "never") return null;
  const [from, to = from, ...rest] = trimmed.split("-");
  if (rest.length > 0) throw new NetsimConfigError(`bad drop window "${text}": use e.g. 5s, 5s-15s or off`);
  return { minMs: parseDuration(from), maxMs: parseDuration(to) };
}

const KIB = 1_024;

/** "512 B", "1.5 KiB", "3.2 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < KIB) return `${Math.round(bytes)} B`;
  if (bytes < KIB * KIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  return `${(bytes / (KIB * KIB)).toFixed(1)} MiB`;
}

/** One line describing a direction's conditions, e.g. "75±20 ms, 1.6 Mbit/s, stall 200/2000 ms". */
export function describeConditions(conditions: LinkConditions): string {
  const parts = [
    conditions.jitterMs > 0 ? `${conditions.latencyMs}±${conditions.jitterMs} ms` : `${conditions.latencyMs} ms`,
  ];
  const bitsPerSec = conditions.bandwidthBytesPerSec * BITS_PER_BYTE;
  if (bitsPerSec === 0) parts.push("unlimited");
  else if (bitsPerSec >= 1_000_000) parts.push(`${+(bitsPerSec / 1_000_000).toFixed(2)} Mbit/s`);
  else parts.push(`${+(bitsPerSec / 1_000).toFixed(1)} kbit/s`);
  if (conditions.stallForMs > 0) parts.push(`stall ${conditions.stallForMs} ms every ${conditions.stallEveryMs} ms`);
  const drop = conditions.dropAfterMs;
  if (drop) parts.push(drop.minMs === drop.maxMs ? `drop after ${drop.minMs} ms` : `drop after ${drop.minMs}-${drop.maxMs} ms`);
  return parts.join(", ");
}
