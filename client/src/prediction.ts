import type { PredictionModel } from "@tickwire/engine";
import { ErrorSmoother, Reconciler } from "@tickwire/engine/wire";
import { CORRECTION_DECAY_MS } from "./constants.js";

/**
 * How a game predicts the entity its player controls. `P` is the prediction state (for
 * example `{ x, y }`), `I` the game's input object.
 */
export interface PredictConfig<P, I> {
  /**
   * The game's shared step, the same one the server runs for this player's inputs. `dt` is
   * the server's tick length in seconds. Give `createInput`/`copyInput` if the game reuses
   * one input object between ticks.
   */
  model: PredictionModel<P, I>;
  /**
   * Entity fields the prediction state holds under the same names (numbers). They are
   * copied from the authoritative entity before each replay, smoothed, and drawn.
   */
  fields: readonly string[];
  /** Copies more of the authoritative entity into the state; runs after `fields` are copied. */
  fromEntity?(values: Readonly<Record<string, number | boolean | string>>, state: P): void;
  /** Visual correction decay (to 5%), ms. */
  decayMs?: number;
  /** Corrections longer than this (world units) snap instead of sliding. */
  snapDistance?: number;
  /** Unacknowledged inputs kept. */
  maxPending?: number;
}

/**
 * The locally controlled entity: inputs apply at once through the shared step; each
 * snapshot rewinds to the server's state at its acknowledged input and replays the rest;
 * the jump between the old and new prediction is hidden by a decaying visual offset.
 * It is drawn between the states before and after the newest input, at the fraction of a
 * tick since that input was due, so it moves every frame instead of once per tick.
 */
export class LocalPrediction<P, I> {
  readonly reconciler: Reconciler<P, I>;
  readonly smoother: ErrorSmoother;
  /** Whether the prediction has been seeded from an authoritative state. */
  ready = false;
  private readonly authoritative: P;
  private readonly before: Float64Array;
  /** The predicted fields before the newest input. */
  private readonly previous: Float64Array;
  /** When the newest input was due (client clock, ms); NaN: draw the state as is. */
  private appliedAt = Number.NaN;
  private readonly tickMs: number;

  constructor(
    private readonly config: PredictConfig<P, I>,
    /** Tick length in seconds. */
    dt: number,
  ) {
    this.tickMs = dt * 1000;
    this.reconciler = new Reconciler(config.model, { dt, maxPending: config.maxPending });
    this.smoother = new ErrorSmoother({
      dimensions: Math.max(1, config.fields.length),
      decayMs: config.decayMs ?? CORRECTION_DECAY_MS,
      snapDistance: config.snapDistance,
    });
    this.authoritative = config.model.create();
    this.before = new Float64Array(config.fields.length);
    this.previous = new Float64Array(config.fields.length);
  }

  /** The predicted state, including inputs the server has not acknowledged yet. */
  get state(): P {
    return this.reconciler.state;
  }

  /** Starts over from the entity's authoritative values (join, resume): no smoothing, no pending inputs. */
  reset(values: Readonly<Record<string, number | boolean | string>>): void {
    this.read(values);
    this.reconciler.reset(this.authoritative);
    this.smoother.reset();
    this.appliedAt = Number.NaN;
    this.ready = true;
  }

  /** Applies an input that was due at `dueAt` (client clock, ms); returns its seq. */
  applyInput(input: I, dueAt = Number.NaN): number {
    const fields = this.config.fields;
    const state = this.reconciler.state as Record<string, number>;
    for (let i = 0; i < fields.length; i++) this.previous[i] = state[fields[i]];
    this.appliedAt = dueAt;
    return this.reconciler.predict(input);
  }

  /**
   * Rewinds to the server's state after input `ackSeq` and replays the rest. Returns the
   * size of the correction (0 when the prediction was right).
   */
  reconcile(values: Readonly<Record<string, number | boolean | string>>, ackSeq: number): number {
    const fields = this.config.fields;
    const state = this.reconciler.state as Record<string, number>;
    for (let i = 0; i < fields.length; i++) this.before[i] = state[fields[i]];
    this.read(values);
    const { error } = this.reconciler.reconcile(this.authoritative, ackSeq);
    if (error > 0) {
      // The entity was drawn at before + offset; keep it there and let the offset decay.
      for (let i = 0; i < fields.length; i++) {
        this.before[i] -= state[fields[i]];
        // The state drawn from moves with the newest one.
        this.previous[i] -= this.before[i];
      }
      this.smoother.add(this.before);
    }
    return error;
  }

  /**
   * The visual offset still hiding the last corrections of `field` (0 for a field that is
   * not predicted); it decays to 0. For a game that draws the predicted state its own way.
   */
  correctionOf(field: string): number {
    const index = this.config.fields.indexOf(field);
    return index < 0 ? 0 : this.smoother.offset[index];
  }

  /** Advances the visual correction's decay. */
  update(dtMs: number): void {
    this.smoother.update(dtMs);
  }

  /**
   * Writes each predicted field, smoothed, into `out` at that field's position in
   * `fieldNames`: at `now` (client clock, ms), between the states before and after the
   * newest input; without `now`, the newest state.
   */
  draw(fieldNames: readonly string[], out: Float64Array, now = Number.NaN): void {
    const fields = this.config.fields;
    const state = this.reconciler.state as Record<string, number>;
    const offset = this.smoother.offset;
    const elapsed = (now - this.appliedAt) / this.tickMs;
    // NaN (no time given, or no input yet) draws the newest state.
    const fraction = elapsed < 1 ? Math.max(0, elapsed) : 1;
    for (let i = 0; i < fields.length; i++) {
      const index = fieldNames.indexOf(fields[i]);
      if (index < 0) continue;
      const newest = state[fields[i]];
      const drawn = Number.isNaN(elapsed) ? newest : this.previous[i] + (newest - this.previous[i]) * fraction;
      out[index] = drawn + offset[i];
    }
  }

  private read(values: Readonly<Record<string, number | boolean | string>>): void {
    const fields = this.config.fields;
    const target = this.authoritative as Record<string, number>;
    for (let i = 0; i < fields.length; i++) target[fields[i]] = Number(values[fields[i]]);
    this.config.fromEntity?.(values, this.authoritative);
  }
}
