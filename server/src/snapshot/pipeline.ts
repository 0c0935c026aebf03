/**
 * Builds every client's snapshot after a world tick, sharing the work clients have in
 * common (DESIGN.md, Data flow step 4). The orchestrator; each part owns its state:
 * - `change-arena.ts`: this tick's update payloads and Enter entries, encoded once;
 * - `membership.ts`: the interest grid, this tick's cell-membership events, the flat layout;
 * - `viewer.ts`: one client's view (what it holds, its cells, its centre) and its diff.
 *
 * Per client (`writeSnapshot`):
 * - keeping up (baseline = tick-1) with an interest grid: the arena's updates of what it
 *   holds, then its own leaves and enters (`Viewer.diff`);
 * - interest "all": every client keeping up gets the same body, built once per tick;
 * - behind (skipped snapshots, lowered rate), joining or resuming: `encodeDelta` from its
 *   baseline — ABSOLUTE while the baseline is in the history ring, FULL otherwise.
 */
import type { EntityBase, EntityStore, Schema } from "@tickwire/engine";
import {
  beginSnapshotMessage,
  ByteWriter,
  DeltaMode,
  encodeDelta,
  endSnapshotMessage,
  ensureScratchLength,
  writeEnter,
  writeUpdate,
} from "@tickwire/engine/wire";
import { DEFAULT_CELL_SIZE_PER_RADIUS, type InterestOptions } from "../game.js";
import { ChangeArena, copyInto } from "./change-arena.js";
import { GridMembership, NONE, positionMasks } from "./membership.js";
import { ViewChanges, Viewer } from "./viewer.js";

/** What the pipeline reads of a player when it builds its snapshot. */
export interface SnapshotRecipient {
  readonly viewer: Viewer;
  /** The entity its view follows. */
  readonly entity: EntityBase | undefined;
  /** The ack the snapshot carries. */
  readonly lastProcessedSeq: number;
}

export class SnapshotPipeline<S extends Schema> {
  /** Undefined for interest "all". */
  private readonly membership: GridMembership<S> | undefined;
  private readonly radius: number;
  /** Per type id: bits of its `x` and `y` fields, or 0 when it has no position. */
  private readonly positionMask: Uint32Array;
  private readonly arena: ChangeArena<S>;
  private readonly spanCapacity: number;

  /** The shared keep-up body of interest "all", built once per tick. */
  private readonly allBody = new ByteWriter(16 * 1024);
  private allBodyTick = NONE;
  /** Ids in increasing order, for the body of interest "all". */
  private allOrder = new Int32Array(256);

  // Per-client scratch, reused by every client in turn.
  private readonly changes = new ViewChanges();
  private readonly visible: number[] = [];

  constructor(
    private readonly store: EntityStore<S>,
    interest: InterestOptions | "all",
    bounds: { readonly width: number; readonly height: number },
  ) {
    this.positionMask = positionMasks(store.schema);
    this.arena = new ChangeArena(store);
    if (interest === "all") {
      this.radius = Number.POSITIVE_INFINITY;
    } else {
      this.radius = interest.radius;
      const cellSize = interest.cellSize ?? interest.radius * DEFAULT_CELL_SIZE_PER_RADIUS;
      this.membership = new GridMembership(store, this.positionMask, bounds, cellSize);
    }
    this.spanCapacity = 2 + 2 * (this.membership?.grid.rows ?? 0);
  }

  /** The interest radius ("all": infinite). */
  get interestRadius(): number {
    return this.radius;
  }

  /** A new client's view, sized to this pipeline's grid. */
  createViewer(): Viewer {
    return new Viewer(this.spanCapacity, this.radius);
  }

  /** Ids of live entities within `radius` of a point, into `out`; returns the count. */
  queryRadius(x: number, y: number, radius: number, out: number[]): number {
    if (this.membership !== undefined) return this.membership.grid.queryRadius(x, y, radius, out);
    let count = 0;
    for (const entity of this.store.values()) {
      if (this.positionMask[entity.typeId] === 0) continue;
      const { x: ex, y: ey } = entity as unknown as { x: number; y: number };
      if ((ex - x) ** 2 + (ey - y) ** 2 <= radius * radius) out[count++] = entity.id;
    }
    return count;
  }

  /**
   * Call right after `store.commit()`: encodes this tick's updates once, then moves the
   * grid to the committed positions and records membership changes.
   */
  afterCommit(): void {
    if (this.membership === undefined) return;
    this.arena.encode();
    this.membership.update();
  }

  /**
   * Appends `recipient`'s Snapshot message for the store's current tick to `out` and
   * advances its view as if delivered. `events` are pre-encoded (encodeEvents), the first
   * one numbered `firstEventSeq` in the recipient's session.
   */
  writeSnapshot(recipient: SnapshotRecipient, events: Uint8Array | null, firstEventSeq: number, out: ByteWriter): void {
    const tick = this.store.tick;
    const viewer = recipient.viewer;
    viewer.follow(recipient.entity, this.positionMask);
    const mark = beginSnapshotMessage(out, tick, recipient.lastProcessedSeq);
    if (viewer.view.baseline !== tick - 1 || tick === 0) this.writeOwnDelta(recipient, out);
    else if (this.membership === undefined) this.writeSharedAll(recipient, out);
    else this.writeKeepUp(this.membership, recipient, out);
    endSnapshotMessage(out, mark, events, firstEventSeq);
  }

  /** Behind, joining or resuming: a delta of its own from its baseline. */
  private writeOwnDelta(recipient: SnapshotRecipient, out: ByteWriter): void {
    const viewer = recipient.viewer;
    if (this.membership === undefined) {
      encodeDelta(this.store, viewer.view, null, out);
    } else {
      viewer.computeSpans(this.membership.grid);
      viewer.gatherVisible(this.membership, this.visible);
      encodeDelta(this.store, viewer.view, this.visible, out);
      viewer.keepSpans();
    }
  }

  /** Interest "all", keeping up: everyone shares one body per tick. */
  private writeSharedAll(recipient: SnapshotRecipient, out: ByteWriter): void {
    const tick = this.store.tick;
    const body = this.allBody;
    const despawned = this.store.despawnedThisTick;
    const spawned = this.store.spawnedThisTick;
    if (this.allBodyTick !== tick) {
      this.allBodyTick = tick;
      body.reset();
      body.u8(DeltaMode.RELATIVE);
      body.varuint(1);
      const changed = this.store.changedThisTick;
      body.varuint(changed.count);
      if (this.allOrder.length < changed.count) this.allOrder = ensureScratchLength(this.allOrder, changed.count);
      const order = this.allOrder.subarray(0, changed.count);
      for (let i = 0; i < changed.count; i++) order[i] = i;
      // Entries go by increasing id (their heads are id gaps).
      order.sort((a, b) => changed.ids[a] - changed.ids[b]);
      let previousId = 0;
      for (let k = 0; k < changed.count; k++) {
        const i = order[k];
        writeUpdate(body, this.store.committedEntity(changed.ids[i]) as EntityBase, changed.masks[i], true, previousId);
        previousId = changed.ids[i];
      }
      body.varuint(despawned.count);
      for (let i = 0; i < despawned.count; i++) body.varuint(despawned.ids[i]);
      body.varuint(spawned.count);
      for (let i = 0; i < spawned.count; i++) writeEnter(body, this.store.committedEntity(spawned.ids[i]) as EntityBase);
    }
    const view = recipient.viewer.view;
    const known = view.known;
    for (let i = 0; i < despawned.count; i++) known.delete(despawned.ids[i]);
    for (let i = 0; i < spawned.count; i++) known.add(spawned.ids[i]);
    view.baseline = tick;
    copyInto(out, body.bytes, 0, body.length);
  }

  /** Interest grid, keeping up: shared update ranges plus its own leaves and enters. */
  private writeKeepUp(membership: GridMembership<S>, recipient: SnapshotRecipient, out: ByteWriter): void {
    const tick = this.store.tick;
    const viewer = recipient.viewer;
    out.u8(DeltaMode.RELATIVE);
    out.varuint(1);
    this.arena.writeUpdates(viewer.view.known, out);

    viewer.computeSpans(membership.grid);
    const changes = this.changes;
    viewer.diff(membership, changes);
    const { leaveCount, enterCount } = changes;
    out.varuint(leaveCount);
    for (let i = 0; i < leaveCount; i++) out.varuint(changes.leaves[i]);
    out.varuint(enterCount);
    for (let i = 0; i < enterCount; i++) this.arena.writeEnter(changes.entering[i], out);
    viewer.view.baseline = tick;
  }
}
