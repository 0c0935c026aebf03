import { angleDelta } from "./angle.js";

/**
 * How a field moves between snapshots: `linear` blends, `angle` blends along the shorter
 * arc (radians), `step` keeps the older value until the newer snapshot's time (ints, enums).
 */
export type FieldInterp = "linear" | "angle" | "step";

/**
 * Where the render time fell: `interpolated` inside the buffer; `extrapolated` past the
 * newest snapshot but within the extrapolation window; `clamped` past the window (values
 * hold at the window's end); `before` older than the oldest snapshot (its values); `empty`
 * nothing pushed yet (`out` untouched).
 */
export type SampleStatus = "interpolated" | "extrapolated" | "clamped" | "before" | "empty";

export interface InterpolationBufferOptions {
  fields: readonly FieldInterp[];
  /** Snapshots kept; the oldest is dropped when full. */
  capacity?: number;
  /** How far past the newest snapshot motion is projected before it holds. */
  maxExtrapolationMs?: number;
}

/** 1.6 s at 20 Hz: far more than any sane interpolation delay needs. */
export const DEFAULT_INTERP_CAPACITY = 32;
/** Two snapshot intervals at 20 Hz: longer guesses overshoot turns and stops visibly. */
export const DEFAULT_MAX_EXTRAPOLATION_MS = 100;

const LINEAR = 0;
const ANGLE = 1;
const STEP = 2;
const FIELD_CODES: Record<FieldInterp, number> = { linear: LINEAR, angle: ANGLE, step: STEP };

/**
 * Snapshot history of one entity, sampled at a render time behind the newest snapshot
 * (Valve's entity interpolation). Times are server milliseconds. Storage is a preallocated
 * ring; neither `push` nor `sample` allocates. Angle results are not re-wrapped: they lie
 * within half a turn of a stored value.
 */
export class InterpolationBuffer {
  readonly fieldCount: number;
  private readonly kinds: Uint8Array;
  private readonly capacity: number;
  private readonly maxExtrapolationMs: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  /** 1 where the snapshot starts a new motion (teleport, spawn): no blending into it. */
  private readonly breaks: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(opts: InterpolationBufferOptions) {
    const capacity = opts.capacity ?? DEFAULT_INTERP_CAPACITY;
    const maxExtrapolationMs = opts.maxExtrapolationMs ?? DEFAULT_MAX_EXTRAPOLATION_MS;
    if (opts.fields.length === 0) throw new RangeError("at least one field is required");
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`capacity must be an integer >= 2, got ${capacity}`);
    }
    if (!(maxExtrapolationMs >= 0)) {
      throw new RangeError(`maxExtrapolationMs must be >= 0, got ${maxExtrapolationMs}`);
    }
    this.fieldCount = opts.fields.length;
    this.kinds = Uint8Array.from(opts.fields, (field) => {
      if (!Object.hasOwn(FIELD_CODES, field)) throw new RangeError(`unknown field interpolation "${field}"`);
      return FIELD_CODES[field];
    });
    this.capacity = capacity;
    this.maxExtrapolationMs = maxExtrapolationMs;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity * this.fieldCount);
    this.breaks = new Uint8Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Server time of the oldest snapshot, NaN when empty. */
  get oldestTime(): number {
    return this.count === 0 ? Number.NaN : this.times[this.head];
  }

  /** Server time of the newest snapshot, NaN when empty. */
  get newestTime(): number {
    return this.count === 0 ? Number.NaN : this.times[this.slot(this.count - 1)];
  }

  /**
   * Stores a snapshot. `discontinuity` marks a teleport or spawn: nothing is blended or
   * extrapolated across it. Returns false (and stores nothing) for a time not newer than
   * the newest snapshot, i.e. a duplicate or out-of-order one, or a non-finite time.
   */
  push(time: number, values: ArrayLike<number>, discontinuity = false): boolean {
    if (!Number.isFinite(time)) return false;
    if (this.count > 0 && time <= this.times[this.slot(this.count - 1)]) return false;
    if (values.length < this.fieldCount) {
      throw new RangeError(`expected ${this.fieldCount} values, got ${values.length}`);
    }
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    const slot = this.slot(this.count);
    this.times[slot] = time;
    this.breaks[slot] = discontinuity ? 1 : 0;
    const base = slot * this.fieldCount;
    for (let i = 0; i < this.fieldCount; i++) this.values[base + i] = values[i];
    this.count++;
    return true;
  }

  /** Writes the entity's fields at `renderTime` into `out`. A NaN time counts as `before`. */
  sample(renderTime: number, out: Float64Array | number[]): SampleStatus {
    const count = this.count;
    if (count === 0) return "empty";
    const times = this.times;
    if (!(renderTime >= times[this.head])) {
      this.copySlot(this.head, out);
      return "before";
    }
    const newest = this.slot(count - 1);
    if (renderTime >= times[newest]) {
      if (renderTime === times[newest]) {
        this.copySlot(newest, out);
        return "interpolated";
      }
      return this.extrapolate(renderTime - times[newest], out);
    }
    // Invariant: times[lo] <= renderTime < times[hi].
    let lo = 0;
    let hi = count - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[this.slot(mid)] <= renderTime) lo = mid;
      else hi = mid;
    }
    const from = this.slot(lo);
    const to = this.slot(hi);
    if (this.breaks[to] === 1) {
      this.copySlot(from, out);
      return "interpolated";
    }
    const fraction = (renderTime - times[from]) / (times[to] - times[from]);
    const values = this.values;
    const fromBase = from * this.fieldCount;
    const toBase = to * this.fieldCount;
    for (let i = 0; i < this.fieldCount; i++) {
      const a = values[fromBase + i];
      const b = values[toBase + i];
      const kind = this.kinds[i];
      if (kind === LINEAR) out[i] = a + (b - a) * fraction;
      else if (kind === ANGLE) out[i] = a + angleDelta(a, b) * fraction;
      else out[i] = a;
    }
    return "interpolated";
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Projects the last two snapshots' velocity forward, up to the window, then holds. */
  private extrapolate(ahead: number, out: Float64Array | number[]): SampleStatus {
    const status: SampleStatus = ahead <= this.maxExtrapolationMs ? "extrapolated" : "clamped";
    const newest = this.slot(this.count - 1);
    if (this.count < 2 || this.breaks[newest] === 1) {
      this.copySlot(newest, out);
      return status;
    }
    const previous = this.slot(this.count - 2);
    const scale = Math.min(ahead, this.maxExtrapolationMs) / (this.times[newest] - this.times[previous]);
    const values = this.values;
    const newestBase = newest * this.fieldCount;
    const previousBase = previous * this.fieldCount;
    for (let i = 0; i < this.fieldCount; i++) {
      const p = values[previousBase + i];
      const n = values[newestBase + i];
      const kind = this.kinds[i];
      if (kind === LINEAR) out[i] = n + (n - p) * scale;
      else if (kind === ANGLE) out[i] = n + angleDelta(p, n) * scale;
      else out[i] = n;
    }
    return status;
  }

  private copySlot(slot: number, out: Float64Array | number[]): void {
    const base = slot * this.fieldCount;
    for (let i = 0; i < this.fieldCount; i++) out[i] = this.values[base + i];
  }

  /** Ring slot of the `index`-th oldest snapshot. */
  private slot(index: number): number {
    return (this.head + index) % this.capacity;
  }
}
