import type { Schema, TypeName } from "@tickwire/engine";
import {
  type ApplyResult,
  DeltaMode,
  type FieldInterp,
  InterpolationBuffer,
  type MirrorEntity,
  type SampleStatus,
  SnapshotMirror,
} from "@tickwire/engine/wire";
import { HOLD_SLIDE_MS, MAX_EXTRAPOLATION_MS, MIN_BLENDED_HOLD_MS } from "./constants.js";

export interface InterpolationOptions {
  /**
   * Interpolated fields per entity type and how each blends. Default: every `fixed` field
   * of every type, linear. Other fields are read from `values` (latest snapshot).
   */
  fields?: Readonly<Record<string, Readonly<Record<string, FieldInterp>>>>;
  /** A linear field jumping more than this between snapshots is a teleport: snap, don't slide. */
  teleportDistance?: number;
  /** Snapshots kept per entity. */
  capacity?: number;
  /** How long motion is projected past the newest snapshot before it holds. */
  maxExtrapolationMs?: number;
}

/** Fields of entity type `K` interpolated by default: its `fixed` fields. */
export type FixedFieldName<S extends Schema, K extends TypeName<S>> = {
  [F in keyof S["definition"][K] & string]: S["definition"][K][F] extends { kind: "fixed" } ? F : never;
}[keyof S["definition"][K] & string];

/** Values to draw, by field name (`render.x`): numbers only, read-only to the game. */
export type RenderValues<F extends string = string> = { readonly [K in F]: number };

/** What the client adds to an entity of the mirror, for rendering. */
export interface EntityView<F extends string = string> {
  /** True for the entity this client controls: drawn from prediction when the game predicts. */
  readonly local: boolean;
  /** Interpolated fields of this type (default: its `fixed` fields), in schema order unless overridden. */
  readonly fields: readonly string[];
  /**
   * Where to draw it, by field name (`entity.render.x`), written by `sample()`: interpolated
   * at the render time for remote entities; for the local one predicted and smoothed (when
   * the game predicts). Holds the interpolated fields only.
   */
  readonly render: RenderValues<F>;
  /** Where the last sample fell; "empty" for types with no interpolated field. */
  readonly status: SampleStatus;
}

/**
 * An entity as the client sees it: id, type and the authoritative `values` of the latest
 * snapshot (typed per entity type: narrow on `type`), plus what to draw.
 */
export type ClientEntity<S extends Schema = Schema> = {
  [K in TypeName<S>]: MirrorEntity<S, K> & EntityView<FixedFieldName<S, K>>;
}[TypeName<S>];

/** Backing store of a `render` object; a symbol so that no field name can clash with it. */
const DRAWN = Symbol("drawn");

type RenderConstructor = new (drawn: Float64Array) => RenderValues;

/**
 * A class per entity type whose getters read the drawn values by name, so that the hot
 * path (`sample`, prediction) keeps writing one Float64Array and a frame allocates nothing.
 */
function renderClass(names: readonly string[]): RenderConstructor {
  class Render {
    readonly [DRAWN]: Float64Array;
    constructor(drawn: Float64Array) {
      this[DRAWN] = drawn;
    }
    /** For logs and devtools: the drawn values as a plain object. */
    toJSON(): Record<string, number> {
      const out: Record<string, number> = {};
      for (let i = 0; i < names.length; i++) out[names[i]] = this[DRAWN][i];
      return out;
    }
  }
  names.forEach((name, index) => {
    Object.defineProperty(Render.prototype, name, {
      get(this: Render) {
        return this[DRAWN][index];
      },
      enumerable: true,
    });
  });
  return Render as unknown as RenderConstructor;
}

/** Listener surface the scene reports lifecycle changes to. */
export interface SceneListener {
  spawn(entity: EntityRecord): void;
  update(entity: EntityRecord, mask: number): void;
  despawn(entity: EntityRecord): void;
  /** False while nothing listens to updates: apply then skips looking up each updated entity. */
  wantsUpdates?(): boolean;
}

/** Mutable record behind a ClientEntity. */
export class EntityRecord implements EntityView {
  local = false;
  /** The drawn values by name, over `drawn`. */
  readonly render: RenderValues;
  status: SampleStatus = "empty";
  /** Slot in the scene's dense list. */
  slot = -1;
  /** Render time at which the current hold (status "clamped") began. */
  heldSince = Number.NaN;
  /** Render ms since the slide after a hold began; the slide is over at HOLD_SLIDE_MS. */
  slideAge = HOLD_SLIDE_MS;
  constructor(
    readonly id: number,
    readonly type: string,
    readonly typeId: number,
    readonly values: Readonly<Record<string, number | boolean | string>>,
    readonly fields: readonly string[],
    /** The values to draw, in `fields` order: what `sample()` and prediction write. */
    readonly drawn: Float64Array,
    Render: RenderConstructor,
    readonly buffer: InterpolationBuffer | null,
    /** Values pushed last, for teleport detection. */
    readonly lastPushed: Float64Array,
    readonly linear: Uint8Array,
    /** Where it was drawn when fresh snapshots ended a hold, less where it belonged: the slide's start. */
    readonly slideFrom: Float64Array,
    /** The interpolated values of the previous sample, before the slide. */
    readonly lastSample: Float64Array,
  ) {
    this.render = new Render(drawn);
  }
}

/** The per-entity arrays of a type with no interpolated field: empty, so one instance serves every entity. */
const NO_VALUES = new Float64Array(0);
const NO_KINDS = new Uint8Array(0);

/**
 * The share of a slide's start offset still left after `age` ms: eases out and in
 * (smoothstep), so the entity keeps its own speed at the start instead of leaping, and the
 * fastest it catches up is 1.5 × offset / HOLD_SLIDE_MS.
 */
function slideLeft(age: number): number {
  if (age >= HOLD_SLIDE_MS) return 0;
  const t = age / HOLD_SLIDE_MS;
  return 1 - t * t * (3 - 2 * t);
}

function fieldValues(count: number): Float64Array {
  return count === 0 ? NO_VALUES : new Float64Array(count);
}

interface TypeLayout {
  names: string[];
  kinds: FieldInterp[];
  Render: RenderConstructor;
}

/**
 * The client's scene: what it sees of the server's world (the authoritative mirror), and per entity an
 * interpolation buffer fed with every snapshot so `sample(renderTime)` can place remote
 * entities between the snapshots around the render time.
 */
export class ClientScene<S extends Schema = Schema> {
  readonly mirror: SnapshotMirror<S>;
  /** Every entity, in no particular order: iterate this each frame (no allocation). */
  readonly entities: EntityRecord[] = [];
  private readonly byId = new Map<number, EntityRecord>();
  private readonly layouts: TypeLayout[];
  private readonly teleportDistance: number;
  private readonly scratch: Float64Array;
  /** Entities with an interpolation buffer: with none (a client that draws nothing), a snapshot touches only what it changed. */
  private bufferedCount = 0;
  private localId = -1;
  private newestTime = Number.NaN;
  private lastRenderTime = Number.NaN;

  constructor(
    readonly schema: S,
    private readonly options: InterpolationOptions = {},
  ) {
    this.mirror = new SnapshotMirror(schema);
    this.teleportDistance = options.teleportDistance ?? Number.POSITIVE_INFINITY;
    this.layouts = schema.types.map((type) => {
      const override = options.fields?.[type.name];
      if (override !== undefined) {
        for (const name of Object.keys(override)) {
          if (!type.fieldIndex.has(name)) throw new TypeError(`interpolation: type "${type.name}" has no field "${name}"`);
        }
        const names = Object.keys(override);
        return { names, kinds: Object.values(override), Render: renderClass(names) };
      }
      const names = type.fields.filter((field) => field.type.kind === "fixed").map((field) => field.name);
      return { names, kinds: names.map((): FieldInterp => "linear"), Render: renderClass(names) };
    });
    let widest = 0;
    for (const layout of this.layouts) widest = Math.max(widest, layout.names.length);
    this.scratch = new Float64Array(widest);
  }

  get(id: number): EntityRecord | undefined {
    return this.byId.get(id);
  }

  /** Id of the entity this client controls, -1 when none. */
  get local(): EntityRecord | undefined {
    return this.byId.get(this.localId);
  }

  setLocalId(id: number): void {
    const previous = this.byId.get(this.localId);
    if (previous !== undefined) previous.local = false;
    this.localId = id;
    const next = this.byId.get(id);
    if (next !== undefined) next.local = true;
  }

  /** Server time of the newest snapshot applied; NaN before any. */
  get newestSnapshotTime(): number {
    return this.newestTime;
  }

  /**
   * Applies a snapshot body stamped with server time `time`. Entities enter and leave,
   * and every entity's buffer gets a sample so a stationary one does not extrapolate.
   */
  apply(body: Uint8Array, tick: number, time: number, listener: SceneListener): ApplyResult | { ok: false; message: string } {
    const result = this.mirror.apply(body, tick);
    if (!result.ok) return result;
    this.newestTime = time;
    // Despawns first: an id replaced by a new entity is in both lists.
    for (const id of result.despawned) {
      const record = this.byId.get(id);
      if (record === undefined) continue;
      this.remove(record);
      listener.despawn(record);
    }
    for (const id of result.spawned) {
      const record = this.add(id);
      this.push(record, time, true);
      listener.spawn(record);
    }
    const { updatedIds, updatedMasks } = result;
    const updates = listener.wantsUpdates?.() === false ? 0 : updatedIds.length;
    for (let i = 0; i < updates; i++) {
      const record = this.byId.get(updatedIds[i]);
      if (record !== undefined) listener.update(record, updatedMasks[i]);
    }
    if (this.bufferedCount === 0) return result;
    // Spawned entities already have their sample at this time; push() ignores the repeat.
    // A FULL snapshot (join, resume, or a baseline too old) may follow a gap: snap, don't slide.
    const snap = result.mode === DeltaMode.FULL;
    const entities = this.entities;
    for (let i = 0; i < entities.length; i++) this.push(entities[i], time, snap);
    return result;
  }

  /** Forgets buffered snapshots, e.g. when the server's tick timeline restarted. */
  resetTimeline(): void {
    for (const record of this.entities) record.buffer?.clear();
    this.newestTime = Number.NaN;
  }

  /**
   * Interpolates every entity at `renderTime` into its `render` array; allocation-free.
   * When snapshots resume after the buffer ran dry (extrapolated to the cap, then held),
   * or `renderTimeJumped` (the render clock was re-anchored after an outage), each entity
   * slides from where it was drawn to where it belongs instead of jumping; unless `mayBlend`
   * is false (after a long outage, sliding over the distance would look worse than a jump).
   */
  sample(renderTime: number, renderTimeJumped = false, mayBlend = true): void {
    // Render time, not wall time: a jump back (resume) or the first frame advances nothing.
    const elapsed = Math.max(0, renderTime - this.lastRenderTime) || 0;
    this.lastRenderTime = renderTime;
    if (this.bufferedCount === 0) return;
    const entities = this.entities;
    for (let i = 0; i < entities.length; i++) {
      const record = entities[i];
      if (record.buffer === null) continue;
      const previous = record.status;
      const render = record.drawn;
      const slideFrom = record.slideFrom;
      // Drawn position before this sample, to slide from if the hold ends now.
      const drawnBefore = this.scratch;
      for (let f = 0; f < render.length; f++) drawnBefore[f] = render[f];
      record.status = record.buffer.sample(renderTime, render);
      if (record.status === "clamped" && previous !== "clamped") record.heldSince = renderTime;
      // A hold of a frame or two is jitter: snapping costs one frame, sliding would cost ten.
      const longHold = previous === "clamped" && record.status !== "clamped" && renderTime - record.heldSince >= MIN_BLENDED_HOLD_MS;
      const holdEnded = mayBlend && previous !== "empty" && (renderTimeJumped || longHold);
      record.slideAge = holdEnded ? 0 : record.slideAge + elapsed;
      const left = slideLeft(record.slideAge);
      const lastSample = record.lastSample;
      for (let f = 0; f < render.length; f++) {
        if (record.linear[f] !== 1) continue;
        const sampled = render[f];
        if (holdEnded) {
          const gap = drawnBefore[f] - sampled;
          // A jump beyond the teleport distance is the game's own teleport: snap.
          slideFrom[f] = Math.abs(gap) <= this.teleportDistance ? gap : 0;
        }
        let drawn = sampled + slideFrom[f] * left;
        // Sliding back must not run against the entity's own motion: wait for it instead.
        const motion = sampled - lastSample[f];
        if (left > 0 && slideFrom[f] !== 0 && ((motion > 0 && drawn < drawnBefore[f]) || (motion < 0 && drawn > drawnBefore[f]))) {
          drawn = drawnBefore[f];
          slideFrom[f] = (drawn - sampled) / left;
        }
        lastSample[f] = sampled;
        render[f] = drawn;
      }
    }
  }

  private add(id: number): EntityRecord {
    const entity = this.mirror.get(id) as MirrorEntity | undefined;
    if (entity === undefined) throw new Error(`mirror reported spawn of unknown entity ${id}`);
    const layout = this.layouts[entity.typeId];
    const count = layout.names.length;
    const buffer =
      count === 0
        ? null
        : new InterpolationBuffer({
            fields: layout.kinds,
            capacity: this.options.capacity,
            maxExtrapolationMs: this.options.maxExtrapolationMs ?? MAX_EXTRAPOLATION_MS,
          });
    const record = new EntityRecord(
      id,
      entity.type,
      entity.typeId,
      entity.values as Record<string, number | boolean | string>,
      layout.names,
      fieldValues(count),
      layout.Render,
      buffer,
      fieldValues(count),
      count === 0 ? NO_KINDS : Uint8Array.from(layout.kinds, (kind) => (kind === "linear" ? 1 : 0)),
      fieldValues(count),
      fieldValues(count),
    );
    if (buffer !== null) this.bufferedCount++;
    record.local = id === this.localId;
    record.slot = this.entities.length;
    this.entities.push(record);
    this.byId.set(id, record);
    return record;
  }

  private remove(record: EntityRecord): void {
    const entities = this.entities;
    const last = entities.pop() as EntityRecord;
    if (last !== record) {
      entities[record.slot] = last;
      last.slot = record.slot;
    }
    record.slot = -1;
    this.byId.delete(record.id);
    if (record.buffer !== null) this.bufferedCount--;
  }

  private push(record: EntityRecord, time: number, discontinuity: boolean): void {
    const buffer = record.buffer;
    if (buffer === null) return;
    const values = record.values as Record<string, number>;
    const scratch = this.scratch;
    const names = record.fields;
    let teleport = discontinuity;
    for (let i = 0; i < names.length; i++) {
      const value = Number(values[names[i]]);
      scratch[i] = value;
      if (!teleport && record.linear[i] === 1 && Math.abs(value - record.lastPushed[i]) > this.teleportDistance) teleport = true;
    }
    if (!buffer.push(time, scratch, teleport)) return;
    record.lastPushed.set(scratch.subarray(0, names.length));
    // A new entity is drawn at once instead of "empty" until the next sample.
    if (record.status === "empty") record.drawn.set(scratch.subarray(0, names.length));
  }
}
