import { type EntityRecord, entityClassFor } from "./entity.js";
import {
  HistoryRing,
  type ReadonlyIdList,
  type ReadonlyMaskedIdList,
  type TickChanges,
} from "./history.js";
import { IdAllocator } from "./ids.js";
import type { AnySchema, Entity, EntityBase, Fields, Schema, TypeName } from "./schema.js";

/** 3.2 s of history at 20 Hz: a client that falls further behind gets a full snapshot. */
export const DEFAULT_HISTORY_TICKS = 64;

export interface EntityStoreOptions {
  /** How many committed ticks of changes to keep for delta baselines. */
  historyTicks?: number;
  /** Tick of the initial empty world (default 0), so a restored world can continue its count. */
  startTick?: number;
}

/** Initial field values for `spawn`; omitted fields start at their type's default. */
export type SpawnInit<S extends Schema, K extends TypeName<S>> = Partial<Fields<S, K>>;

const EMPTY: ReadonlyIdList = { count: 0, ids: new Uint32Array(0) };
const EMPTY_MASKED: ReadonlyMaskedIdList = { count: 0, ids: new Uint32Array(0), masks: new Uint32Array(0) };

/**
 * The authoritative world state. The game spawns, writes fields and despawns during a
 * tick; `commit()` closes the tick, turning what changed into a history record that
 * encoders read. Field setters mark a change only when the quantized value differs
 * from the committed one, so sub-quantum jitter and write-then-revert cost nothing.
 */
export class EntityStore<S extends Schema = AnySchema> {
  private readonly history: HistoryRing;
  private currentTick: number;
  /** First tick whose history this store recorded; older baselines predate it. */
  readonly startTick: number;
  private readonly ids = new IdAllocator();
  /** Live entities by id, including spawns not yet committed. */
  private readonly live: (EntityRecord | undefined)[] = [];
  /** Entities by id as of the last commit: what encoders see. */
  private readonly committed: (EntityRecord | undefined)[] = [];
  private liveCount = 0;
  private readonly dirty: EntityRecord[] = [];
  private readonly pendingSpawns: EntityRecord[] = [];
  private readonly pendingDespawns: number[] = [];

  constructor(
    readonly schema: S,
    options: EntityStoreOptions = {},
  ) {
    const startTick = options.startTick ?? 0;
    if (!Number.isSafeInteger(startTick) || startTick < 0) {
      throw new RangeError(`startTick must be a non-negative integer, got ${startTick}`);
    }
    this.history = new HistoryRing(options.historyTicks ?? DEFAULT_HISTORY_TICKS);
    this.currentTick = startTick;
    this.startTick = startTick;
  }

  /** Last committed tick (`startTick`, 0 by default, is the empty world). */
  get tick(): number {
    return this.currentTick;
  }

  /** Live entities, including spawns not yet committed. */
  get size(): number {
    return this.liveCount;
  }

  /** How many committed ticks of changes are kept: the oldest usable delta baseline is `tick - historyTicks`. */
  get historyTicks(): number {
    return this.history.capacity;
  }

  /** One more than the largest id handed out so far: bounds arrays indexed by id. */
  get idCapacity(): number {
    return this.ids.capacity;
  }

  spawn<K extends TypeName<S>>(type: K, init?: SpawnInit<S, K>): Entity<S, K> {
    const def = this.schema.type(type);
    const id = this.ids.allocate();
    const EntityClass = entityClassFor(def);
    const entity = new EntityClass(def, id, this.currentTick + 1, this.dirty);
    if (init !== undefined) {
      for (const key of Object.keys(init)) {
        if (!def.fieldIndex.has(key)) {
          this.ids.release(id);
          throw new TypeError(`entity type "${type}" has no field "${key}"`);
        }
        try {
          (entity as unknown as Record<string, unknown>)[key] = (init as Record<string, unknown>)[key];
        } catch (error) {
          this.ids.release(id);
          throw error;
        }
      }
    }
    this.live[id] = entity;
    this.liveCount++;
    this.pendingSpawns.push(entity);
    return entity as unknown as Entity<S, K>;
  }

  /** Removes an entity now; a stale reference to an id that was since reused is ignored. */
  despawn(idOrEntity: number | EntityBase): void {
    const id = typeof idOrEntity === "number" ? idOrEntity : idOrEntity.id;
    const entity = this.live[id];
    if (entity === undefined || (typeof idOrEntity !== "number" && idOrEntity !== (entity as EntityBase))) return;
    this.live[id] = undefined;
    this.liveCount--;
    entity.alive = false;
    this.ids.release(id);
    // A spawn not yet committed leaves no trace; commit skips it as dead.
    if (entity.spawnTick <= this.currentTick) this.pendingDespawns.push(id);
  }

  get(id: number): Entity<S> | undefined {
    return this.live[id] as unknown as Entity<S> | undefined;
  }

  has(id: number): boolean {
    return this.live[id] !== undefined;
  }

  *values(): IterableIterator<Entity<S>> {
    const live = this.live;
    for (let id = 0; id < live.length; id++) {
      const entity = live[id];
      if (entity !== undefined) yield entity as unknown as Entity<S>;
    }
  }

  [Symbol.iterator](): IterableIterator<Entity<S>> {
    return this.values();
  }

  /** Ends the tick: records its spawns, despawns and changed masks; returns the new tick. */
  commit(): number {
    const tick = this.currentTick + 1;
    const record = this.history.begin(tick);
    const committed = this.committed;

    for (const id of this.pendingDespawns) {
      committed[id] = undefined;
      record.despawned.push(id);
    }
    this.pendingDespawns.length = 0;

    for (const entity of this.pendingSpawns) {
      if (!entity.alive) continue;
      entity._commitSpawn();
      committed[entity.id] = entity;
      record.spawned.push(entity.id);
    }
    this.pendingSpawns.length = 0;

    for (const entity of this.dirty) {
      if (!entity.alive) continue;
      const mask = entity._commitChanges(tick);
      if (mask !== 0) record.changed.push(entity.id, mask);
    }
    this.dirty.length = 0;

    this.currentTick = tick;
    return tick;
  }

  /**
   * The entity that held `id` at the last commit, even if despawned since: what encoders
   * send. Its getters still read current values; encoders read the committed ones.
   */
  committedEntity(id: number): Entity<S> | undefined {
    return this.committed[id] as unknown as Entity<S> | undefined;
  }

  /** Changes recorded for `tick`, if it is still in the history ring. */
  changesAt(tick: number): TickChanges | undefined {
    return this.history.at(tick);
  }

  /** (id, mask) of entities changed in the last committed tick; valid until the next commit. */
  get changedThisTick(): ReadonlyMaskedIdList {
    return this.history.at(this.currentTick)?.changed ?? EMPTY_MASKED;
  }

  /** Ids spawned in the last committed tick; valid until the next commit. */
  get spawnedThisTick(): ReadonlyIdList {
    return this.history.at(this.currentTick)?.spawned ?? EMPTY;
  }

  /** Ids despawned in the last committed tick; valid until the next commit. */
  get despawnedThisTick(): ReadonlyIdList {
    return this.history.at(this.currentTick)?.despawned ?? EMPTY;
  }
}
