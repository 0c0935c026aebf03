import type { Rng } from "@tickwire/engine";
import type { LinkConditions } from "./conditions.js";

/**
 * The live settings of one direction, shared by every connection's link in that
 * direction, so that a change at run time applies to all of them at once.
 */
export interface DirectionConfig {
  conditions: LinkConditions;
  /** Stall windows are counted from here (ms), so all connections stall together. */
  stallEpochMs: number;
}

/**
 * One TCP segment's payload on Ethernet (MSS 1460): the bucket always holds at least
 * this much, so a slow link still moves whole packets instead of dribbling bytes.
 */
const MIN_BURST_BYTES = 1_460;
/**
 * The token bucket holds 10 ms of traffic: small enough that a sub-second transfer
 * stays within ~2% of the cap, large enough that a link wakes at most ~100 times/s.
 */
const BURST_WINDOW_MS = 10;

export function burstBytes(bytesPerSec: number): number {
  return Math.max(MIN_BURST_BYTES, (bytesPerSec * BURST_WINDOW_MS) / 1_000);
}

/**
 * The timing decisions of one direction of one connection, as pure arithmetic on the
 * `now` values it is given: when an arriving chunk becomes due (latency and jitter
 * without reordering), whether the link is in a stall, and how many bytes the token
 * bucket lets through. `Link` does the socket work around it.
 */
export class LinkShaper {
  private lastDueAt = Number.NEGATIVE_INFINITY;
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly config: DirectionConfig,
    private readonly rng: Rng,
    now: number,
  ) {
    this.tokens = burstBytes(config.conditions.bandwidthBytesPerSec);
    this.refilledAt = now;
  }

  /**
   * When a chunk arriving at `now` may be delivered: now + latency ± jitter, but never
   * before the chunk that arrived ahead of it, as TCP would deliver.
   */
  dueAt(now: number): number {
    const { latencyMs, jitterMs } = this.config.conditions;
    const delay = jitterMs > 0 ? Math.max(0, latencyMs + this.rng.range(-jitterMs, jitterMs)) : latencyMs;
    this.lastDueAt = Math.max(this.lastDueAt, now + delay);
    return this.lastDueAt;
  }

  /** The earliest time ≥ now at which the link is not stalled. */
  resumesAt(now: number): number {
    const { stallEveryMs, stallForMs } = this.config.conditions;
    if (stallForMs <= 0 || stallEveryMs <= 0) return now;
    const elapsed = now - this.config.stallEpochMs;
    const phase = ((elapsed % stallEveryMs) + stallEveryMs) % stallEveryMs;
    return phase >= stallEveryMs - stallForMs ? now + (stallEveryMs - phase) : now;
  }

  /** Takes up to `wanted` bytes from the bucket and returns how many may be sent now. */
  take(now: number, wanted: number): number {
    const rate = this.config.conditions.bandwidthBytesPerSec;
    if (rate <= 0) return wanted;
    this.refill(now, rate);
    const granted = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Ms until the bucket holds `wanted` bytes, or a full burst if `wanted` is larger. */
  waitFor(now: number, wanted: number): number {
    const rate = this.config.conditions.bandwidthBytesPerSec;
    if (rate <= 0) return 0;
    this.refill(now, rate);
    const missing = Math.min(wanted, Math.floor(burstBytes(rate))) - this.tokens;
    return missing > 0 ? (missing * 1_000) / rate : 0;
  }

  private refill(now: number, rate: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(burstBytes(rate), this.tokens + (elapsed * rate) / 1_000);
    this.refilledAt = now;
  }
}
