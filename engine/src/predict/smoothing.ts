export interface ErrorSmootherOptions {
  /** Components per offset, e.g. 2 for x and y. */
  dimensions: number;
  /** Time after which an offset has decayed to `DECAY_RESIDUE` of its size. */
  decayMs: number;
  /** An offset longer than this is dropped at once: teleports are not smoothed. */
  snapDistance?: number;
}

/** Fraction of an offset left after `decayMs`: 5% reads as "done" on screen. */
export const DECAY_RESIDUE = 0.05;

/**
 * Hides reconciliation corrections: the entity is drawn at predicted + `offset`, where the
 * offset starts at the jump (old rendered − new predicted) and decays exponentially,
 * `offset(t) = offset(0) · DECAY_RESIDUE^(t / decayMs)`. Because the curve is exponential,
 * splitting time into frames of any length gives the same offset at the same time.
 */
export class ErrorSmoother {
  readonly offset: Float64Array;
  private readonly decayPerMs: number;
  private readonly snapDistanceSquared: number;

  constructor(opts: ErrorSmootherOptions) {
    if (!Number.isInteger(opts.dimensions) || opts.dimensions < 1) {
      throw new RangeError(`dimensions must be a positive integer, got ${opts.dimensions}`);
    }
    if (!(opts.decayMs > 0)) throw new RangeError(`decayMs must be positive, got ${opts.decayMs}`);
    const snapDistance = opts.snapDistance ?? Number.POSITIVE_INFINITY;
    if (!(snapDistance >= 0)) throw new RangeError(`snapDistance must be >= 0, got ${snapDistance}`);
    this.offset = new Float64Array(opts.dimensions);
    this.decayPerMs = Math.log(DECAY_RESIDUE) / opts.decayMs;
    this.snapDistanceSquared = snapDistance * snapDistance;
  }

  /**
   * Adds a correction (old rendered − new predicted) to the offset. If the total exceeds
   * `snapDistance`, the offset is cleared and the entity snaps to its predicted position.
   */
  add(error: ArrayLike<number>): void {
    const offset = this.offset;
    if (error.length < offset.length) {
      throw new RangeError(`expected ${offset.length} components, got ${error.length}`);
    }
    for (let i = 0; i < offset.length; i++) offset[i] += error[i];
    if (this.magnitudeSquared() > this.snapDistanceSquared) this.reset();
  }

  update(dtMs: number): void {
    if (!(dtMs > 0)) return;
    const factor = Math.exp(this.decayPerMs * dtMs);
    const offset = this.offset;
    for (let i = 0; i < offset.length; i++) offset[i] *= factor;
  }

  magnitude(): number {
    return Math.sqrt(this.magnitudeSquared());
  }

  reset(): void {
    this.offset.fill(0);
  }

  private magnitudeSquared(): number {
    let sum = 0;
    for (let i = 0; i < this.offset.length; i++) sum += this.offset[i] * this.offset[i];
    return sum;
  }
}
