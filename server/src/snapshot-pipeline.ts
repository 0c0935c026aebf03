/**
 * Builds every client's snapshot after a world tick, sharing the work clients have in
 * common (DESIGN.md, Data flow step 4).
 *
 * After `store.commit()` (`afterCommit`):
 * - the entities that changed this tick are binned by the interest cell they were in at
 *   tick-1, and each non-empty cell's RELATIVE update payloads are encoded once, in cell
 *   order, into one arena — so the entries of a run of adjacent cells are one contiguous
 *   range of the entry order; a client's message lists its entries by increasing id with
 *   heads of its own (id gaps, delta.ts), payloads copied from the arena;
 * - the grid moves entities to their committed positions, and every change of cell
 *   membership (move across cells, spawn, despawn) is recorded as an event.
 *
 * Per client (`writeSnapshot`), whose view is every entity within the radius of its centre:
 * - its cells are one column span per grid row (SpatialGrid.rowSpansInRadius), split into
 *   inner cells (wholly inside the circle: all they hold is seen) and boundary cells (the
 *   rest: each entity is tested); "does it see this cell" is O(1), two views differ row by row;
 * - keeping up (baseline = tick-1): updates are the entries of the inner cells it had
 *   at tick-1 plus, in its boundary cells, the entries of the entities it holds. Leaves
 *   and enters come from this tick's membership events, a distance test of what is in its
 *   boundary cells, and the entities of the cells its view dropped or gained: no scan of
 *   what it holds nor of its inner cells. A client keeping up holds exactly the entities
 *   that were within the radius of its tick-1 centre at their tick-1 positions, so the
 *   same distance test on tick-1 positions says what it holds, without a set lookup;
 * - interest "all": every client keeping up gets the same body, built once per tick;
 * - behind (skipped snapshots, lowered rate), joining or resuming: `encodeDelta` from its
 *   baseline — ABSOLUTE while the baseline is in the history ring, FULL otherwise.
 * Entity types without numeric `x` and `y` fields live in one extra pseudo-cell (the last
 * index) that every client sees.
 */
import {
  beginSnapshotMessage,
  ByteWriter,
  DeltaMode,
  type EntityBase,
  type EntityStore,
  encodeDelta,
  endSnapshotMessage,
  type Schema,
  SpatialGrid,
  writeEnter,
  type UpdateForm,
  updateForm,
  writeUpdate,
  writeUpdateHead,
  writeUpdatePayload,
} from "@tickwire/engine";
import { DEFAULT_CELL_SIZE_PER_RADIUS, type InterestOptions } from "./game.js";
import type { Session } from "./session.js";

/** Below this many bytes a byte loop beats `subarray` + `set` (which allocates a view). */
const SMALL_COPY_BYTES = 64;
const NONE = -1;
/** Row of the pseudo-cell of entities without a position, which every client sees. */
const GLOBAL_ROW = -2;

/** A growable Int32Array-backed list, reset each tick. */
class IntList {
  items = new Int32Array(64);
  count = 0;

  push(value: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count++] = value;
  }
}

export class SnapshotPipeline<S extends Schema> {
  private readonly grid: SpatialGrid | undefined;
  private readonly radius: number;
  /** Index of the pseudo-cell of entities without a position. */
  private readonly globalCell: number;
  private readonly globals: number[] = [];
  private globalSlot = new Int32Array(64).fill(NONE);
  /** Per type id: bits of its `x` and `y` fields, or 0 when it has no position. */
  private readonly positionMask: Uint32Array;

  // This tick's changed entities binned by tick-1 cell: a linked list per cell through
  // indexes of `store.changedThisTick`.
  private readonly binStamp: Int32Array;
  private readonly binHead: Int32Array;
  private binNext = new Int32Array(256);

  // Update payloads of the non-empty cells, in ascending cell order, in one arena.
  private readonly chunks = new ByteWriter(16 * 1024);
  private readonly chunkCells = new IntList();
  /** chunkCountsBefore[k]: update entries in chunks 0..k-1, i.e. chunk k's first position in entryOrder. */
  private readonly chunkCountsBefore = new IntList();
  /** Entries (indexes in `store.changedThisTick`) in arena order. */
  private entryOrder = new Int32Array(256);
  /** firstChunkFrom[cell]: index of the first chunk whose cell is >= cell (O(1) range lookup per run). */
  private readonly firstChunkFrom: Int32Array;
  /** Arena range and form of each update entry, by index in `store.changedThisTick`. */
  private entryStart = new Int32Array(256);
  private entryEnd = new Int32Array(256);
  private entryForm = new Uint8Array(256);
  /** entryOfId[id]: this tick's entry of a changed entity. */
  private entryOfId = new Int32Array(1024);

  // Membership events of this tick: id, row and column before (row NONE for a spawn) and
  // after (row NONE for a despawn); row GLOBAL_ROW for the pseudo-cell.
  private readonly eventIds = new IntList();
  private readonly eventFromRow = new IntList();
  private readonly eventFromCol = new IntList();
  private readonly eventToRow = new IntList();
  private readonly eventToCol = new IntList();
  /** `eventStamp[id] === tick`: the entity has a membership event this tick. */
  private eventStamp = new Int32Array(1024).fill(NONE);
  /** `movedStamp[id] === tick`: the entity moved this tick, from (prevX[id], prevY[id]). */
  private movedStamp = new Int32Array(1024).fill(NONE);
  private prevX = new Float64Array(1024);
  private prevY = new Float64Array(1024);

  // Enter entries, encoded once per tick per entity on first use.
  private readonly enters = new ByteWriter(4 * 1024);
  private entersTick = NONE;
  private enterStamp = new Int32Array(256).fill(NONE);
  private enterStart = new Int32Array(256);
  private enterEnd = new Int32Array(256);

  /** The shared keep-up body of interest "all", built once per tick. */
  private readonly allBody = new ByteWriter(16 * 1024);
  private allBodyTick = NONE;

  // Per-client scratch, reused by every client in turn.
  /** The view of the client being served, swapped with its `viewSpans`/`innerSpans` once served. */
  private spans: Int32Array;
  private innerSpans: Int32Array;
  private readonly spanCapacity: number;
  private readonly visible: number[] = [];
  private readonly leaves: number[] = [];
  private readonly entering: number[] = [];
  private leaveCount = 0;
  private enterCount = 0;
  /** The served client's view centre at its last snapshot (tick-1 when keeping up). */
  private prevViewX = 0;
  private prevViewY = 0;
  /** Ids of the served client's update entries, sorted before they are written. */
  private updateIds = new Int32Array(256);
  private updateCount = 0;

  constructor(
    private readonly store: EntityStore<S>,
    interest: InterestOptions | "all",
    world: { readonly width: number; readonly height: number },
  ) {
    const types = store.schema.types;
    this.positionMask = new Uint32Array(types.length);
    for (const type of types) {
      const x = type.fieldIndex.get("x");
      const y = type.fieldIndex.get("y");
      if (x === undefined || y === undefined) continue;
      const numeric = (index: number) => type.fields[index].type.kind !== "string" && type.fields[index].type.kind !== "bool";
      if (numeric(x) && numeric(y)) this.positionMask[type.typeId] = (type.fields[x].bit | type.fields[y].bit) >>> 0;
    }
    if (interest === "all") {
      this.radius = Number.POSITIVE_INFINITY;
      this.globalCell = 0;
    } else {
      this.radius = interest.radius;
      const cellSize = interest.cellSize ?? interest.radius * DEFAULT_CELL_SIZE_PER_RADIUS;
      this.grid = new SpatialGrid({ width: world.width, height: world.height, cellSize });
      this.globalCell = this.grid.cellCount;
    }
    const cellSlots = this.globalCell + 1;
    this.binStamp = new Int32Array(cellSlots).fill(NONE);
    this.binHead = new Int32Array(cellSlots);
    this.firstChunkFrom = new Int32Array(cellSlots + 1);
    this.spanCapacity = 2 + 2 * (this.grid?.rows ?? 0);
    this.spans = new Int32Array(this.spanCapacity);
    this.innerSpans = new Int32Array(this.spanCapacity);
  }

  /** The interest radius ("all": infinite). */
  get interestRadius(): number {
    return this.radius;
  }

  /** Ids of live entities within `radius` of a point, into `out`; returns the count. */
  queryRadius(x: number, y: number, radius: number, out: number[]): number {
    if (this.grid !== undefined) return this.grid.queryRadius(x, y, radius, out);
    let count = 0;
    for (const entity of this.store.values()) {
      if (this.positionMask[entity.typeId] === 0) continue;
      const { x: ex, y: ey } = entity as unknown as { x: number; y: number };
      if ((ex - x) ** 2 + (ey - y) ** 2 <= radius * radius) out[count++] = entity.id;
    }
    return count;
  }

  /**
   * Call right after `store.commit()`: encodes this tick's updates per tick-1 cell, then
   * moves the grid to the committed positions and records membership changes.
   */
  afterCommit(): void {
    const grid = this.grid;
    if (grid === undefined) return;
    this.binChanges(grid);
    this.encodeChunks();
    this.moveGrid(grid);
  }

  private binChanges(grid: SpatialGrid): void {
    const tick = this.store.tick;
    const changed = this.store.changedThisTick;
    if (this.binNext.length < changed.count) {
      const length = Math.max(changed.count, this.binNext.length * 2);
      this.binNext = new Int32Array(length);
      this.entryStart = new Int32Array(length);
      this.entryEnd = new Int32Array(length);
      this.entryForm = new Uint8Array(length);
      this.entryOrder = new Int32Array(length);
      this.updateIds = new Int32Array(length);
    }
    const cells = this.chunkCells;
    cells.count = 0;
    // Backwards, so each cell's list comes out in changed-list order.
    for (let i = changed.count - 1; i >= 0; i--) {
      const inGrid = grid.cellOfEntity(changed.ids[i]);
      const cell = inGrid === NONE ? this.globalCell : inGrid;
      if (this.binStamp[cell] !== tick) {
        this.binStamp[cell] = tick;
        this.binHead[cell] = NONE;
        cells.push(cell);
      }
      this.binNext[i] = this.binHead[cell];
      this.binHead[cell] = i;
    }
    cells.items.subarray(0, cells.count).sort();
  }

  private encodeChunks(): void {
    const changed = this.store.changedThisTick;
    const w = this.chunks.reset();
    const { chunkCells, chunkCountsBefore } = this;
    chunkCountsBefore.count = 0;
    if (this.entryOfId.length < this.store.idCapacity) this.entryOfId = new Int32Array(Math.max(this.store.idCapacity, this.entryOfId.length * 2));
    let total = 0;
    for (let k = 0; k < chunkCells.count; k++) {
      chunkCountsBefore.push(total);
      for (let i = this.binHead[chunkCells.items[k]]; i !== NONE; i = this.binNext[i]) {
        const entity = this.store.committedEntity(changed.ids[i]) as EntityBase;
        const form = updateForm(entity, changed.masks[i], true);
        this.entryForm[i] = form;
        this.entryStart[i] = w.length;
        writeUpdatePayload(w, entity, changed.masks[i], true, form);
        this.entryEnd[i] = w.length;
        this.entryOfId[entity.id] = i;
        this.entryOrder[total++] = i;
      }
    }
    chunkCountsBefore.push(total);
    const firstChunkFrom = this.firstChunkFrom;
    let chunk = 0;
    for (let cell = 0; cell < firstChunkFrom.length; cell++) {
      while (chunk < chunkCells.count && chunkCells.items[chunk] < cell) chunk++;
      firstChunkFrom[cell] = chunk;
    }
  }

  private moveGrid(grid: SpatialGrid): void {
    const tick = this.store.tick;
    const { eventIds, eventFromRow, eventFromCol, eventToRow, eventToCol } = this;
    eventIds.count = 0;
    eventFromRow.count = 0;
    eventFromCol.count = 0;
    eventToRow.count = 0;
    eventToCol.count = 0;
    if (this.eventStamp.length < this.store.idCapacity) {
      const length = Math.max(this.store.idCapacity, this.eventStamp.length * 2);
      this.eventStamp = grownInt32(this.eventStamp, length, NONE);
      this.movedStamp = grownInt32(this.movedStamp, length, NONE);
      this.prevX = new Float64Array(length);
      this.prevY = new Float64Array(length);
    }
    const cols = grid.cols;
    const globalCell = this.globalCell;
    const rowOf = (cell: number) => (cell === NONE ? NONE : cell === globalCell ? GLOBAL_ROW : Math.floor(cell / cols));
    const colOf = (cell: number) => (cell === NONE || cell === globalCell ? 0 : cell % cols);
    const event = (id: number, from: number, to: number): void => {
      this.eventStamp[id] = tick;
      eventIds.push(id);
      eventFromRow.push(rowOf(from));
      eventFromCol.push(colOf(from));
      eventToRow.push(rowOf(to));
      eventToCol.push(colOf(to));
    };
    // Despawns before spawns: an id reused within the tick leaves, then enters.
    const despawned = this.store.despawnedThisTick;
    for (let i = 0; i < despawned.count; i++) {
      const id = despawned.ids[i];
      const cell = grid.cellOfEntity(id);
      if (cell === NONE) {
        this.removeGlobal(id);
        event(id, this.globalCell, NONE);
      } else {
        grid.remove(id);
        event(id, cell, NONE);
      }
    }
    const spawned = this.store.spawnedThisTick;
    for (let i = 0; i < spawned.count; i++) {
      const entity = this.store.committedEntity(spawned.ids[i]) as EntityBase;
      if (this.positionMask[entity.typeId] === 0) {
        this.addGlobal(entity.id);
        event(entity.id, NONE, this.globalCell);
        continue;
      }
      const { x, y } = entity as unknown as { x: number; y: number };
      grid.insert(entity.id, x, y);
      event(entity.id, NONE, grid.cellOfEntity(entity.id));
    }
    const changed = this.store.changedThisTick;
    for (let i = 0; i < changed.count; i++) {
      const id = changed.ids[i];
      const entity = this.store.committedEntity(id) as EntityBase;
      if ((changed.masks[i] & this.positionMask[entity.typeId]) === 0) continue;
      const before = grid.cellOfEntity(id);
      const { x, y } = entity as unknown as { x: number; y: number };
      this.movedStamp[id] = tick;
      this.prevX[id] = grid.xOf(id);
      this.prevY[id] = grid.yOf(id);
      if (grid.move(id, x, y)) event(id, before, grid.cellOfEntity(id));
    }
  }

  /**
   * Writes `session`'s Snapshot message for the store's current tick into `out` (reset
   * first) and advances its view as if delivered. `events` are pre-encoded (encodeEvents).
   */
  writeSnapshot(session: Session<S>, events: Uint8Array | null, out: ByteWriter): void {
    out.reset();
    const tick = this.store.tick;
    this.prevViewX = session.viewX;
    this.prevViewY = session.viewY;
    this.followEntity(session);
    if (session.view.baseline !== tick - 1 || tick === 0) this.writeOwnDelta(session, events, out);
    else if (this.grid === undefined) this.writeSharedAll(session, events, out);
    else this.writeKeepUp(session, events, out);
  }

  /** The view centre follows the player's entity while it is alive. */
  private followEntity(session: Session<S>): void {
    const entity = session.entity;
    if (entity === undefined || !entity.alive || this.positionMask[entity.typeId] === 0) return;
    session.viewX = (entity as unknown as { x: number }).x;
    session.viewY = (entity as unknown as { y: number }).y;
  }

  /** Behind, joining or resuming: a delta of its own from its baseline. */
  private writeOwnDelta(session: Session<S>, events: Uint8Array | null, out: ByteWriter): void {
    const mark = beginSnapshotMessage(out, this.store.tick, session.lastProcessedSeq);
    if (this.grid === undefined) {
      encodeDelta(this.store, session.view, null, out);
    } else {
      this.computeSpans(session);
      this.gatherVisible(session);
      encodeDelta(this.store, session.view, this.visible, out);
      this.keepSpans(session);
    }
    endSnapshotMessage(out, mark, events);
  }

  /** Interest "all", keeping up: everyone shares one body per tick. */
  private writeSharedAll(session: Session<S>, events: Uint8Array | null, out: ByteWriter): void {
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
      if (this.updateIds.length < changed.count) this.updateIds = new Int32Array(Math.max(changed.count, this.updateIds.length * 2));
      const order = this.updateIds.subarray(0, changed.count);
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
    const known = session.view.known;
    for (let i = 0; i < despawned.count; i++) known.delete(despawned.ids[i]);
    for (let i = 0; i < spawned.count; i++) known.add(spawned.ids[i]);
    session.view.baseline = tick;
    const mark = beginSnapshotMessage(out, tick, session.lastProcessedSeq);
    copyInto(out, body.bytes, 0, body.length);
    endSnapshotMessage(out, mark, events);
  }

  /** Interest grid, keeping up: shared update ranges plus its own leaves and enters. */
  private writeKeepUp(session: Session<S>, events: Uint8Array | null, out: ByteWriter): void {
    const tick = this.store.tick;
    this.collectEntries(session);
    const mark = beginSnapshotMessage(out, tick, session.lastProcessedSeq);
    out.u8(DeltaMode.RELATIVE);
    out.varuint(1);
    this.writeEntries(out);

    this.computeSpans(session);
    this.diffInterest(session, tick);
    const { leaveCount, enterCount } = this;
    out.varuint(leaveCount);
    for (let i = 0; i < leaveCount; i++) out.varuint(this.leaves[i]);
    out.varuint(enterCount);
    for (let i = 0; i < enterCount; i++) {
      const id = this.entering[i];
      this.encodeEnter(id, tick);
      copyInto(out, this.enters.bytes, this.enterStart[id], this.enterEnd[id]);
    }
    session.view.baseline = tick;
    endSnapshotMessage(out, mark, events);
  }

  /**
   * The ids of the entries for what the session held at tick-1, into updateIds. Updates
   * are binned by tick-1 cell: its inner cells (and the pseudo-cell) go whole, its boundary
   * cells entry by entry for the entities it holds.
   */
  private collectEntries(session: Session<S>): void {
    this.updateCount = 0;
    const outer = session.viewSpans;
    const inner = session.innerSpans;
    const cols = (this.grid as SpatialGrid).cols;
    const tick = this.store.tick;
    const r2 = this.radius * this.radius;
    const ids = this.store.changedThisTick.ids;
    this.collectCells(this.globalCell, this.globalCell);
    for (let i = 0; i < outer[1]; i++) {
      const row = outer[0] + i;
      const rowStart = row * cols;
      const j = row - inner[0];
      const hasInner = j >= 0 && j < inner[1] && inner[2 + 2 * j] <= inner[3 + 2 * j];
      const innerFirst = hasInner ? inner[2 + 2 * j] : Number.MAX_SAFE_INTEGER;
      const innerLast = hasInner ? inner[3 + 2 * j] : Number.MIN_SAFE_INTEGER;
      if (hasInner) this.collectCells(rowStart + innerFirst, rowStart + innerLast);
      for (let col = outer[2 + 2 * i]; col <= outer[3 + 2 * i]; col++) {
        if (col >= innerFirst && col <= innerLast) {
          col = innerLast;
          continue;
        }
        const cell = rowStart + col;
        if (this.binStamp[cell] !== tick) continue;
        for (let e = this.binHead[cell]; e !== NONE; e = this.binNext[e]) {
          if (this.heldDistanceSquared(ids[e], tick) <= r2) this.updateIds[this.updateCount++] = ids[e];
        }
      }
    }
  }

  /** Adds the ids of every entry of cells first..last (a contiguous index run). */
  private collectCells(firstCell: number, lastCell: number): void {
    const counts = this.chunkCountsBefore.items;
    const end = counts[this.firstChunkFrom[lastCell + 1]];
    const ids = this.store.changedThisTick.ids;
    const { entryOrder, updateIds } = this;
    let count = this.updateCount;
    for (let position = counts[this.firstChunkFrom[firstCell]]; position < end; position++) updateIds[count++] = ids[entryOrder[position]];
    this.updateCount = count;
  }

  /** The collected entries: their count, then each by increasing id, a head of this client's and the shared payload. */
  private writeEntries(out: ByteWriter): void {
    const count = this.updateCount;
    out.varuint(count);
    const ids = this.updateIds.subarray(0, count).sort();
    const { entryOfId, entryForm, entryStart, entryEnd } = this;
    const arena = this.chunks.bytes;
    let previousId = 0;
    for (let k = 0; k < count; k++) {
      const id = ids[k];
      const e = entryOfId[id];
      writeUpdateHead(out, id, previousId, entryForm[e] as UpdateForm);
      copyInto(out, arena, entryStart[e], entryEnd[e]);
      previousId = id;
    }
  }

  /**
   * Leaves and enters for a client keeping up, into leaves/entering, without scanning what
   * it holds or its inner cells. What can change visibility this tick:
   * - an entity with a membership event (moved cell, spawned, despawned), near the view;
   * - an entity in a boundary cell (tested by distance);
   * - everything in a cell that became inner (all seen now) or left the view (none seen).
   * Everything else stayed in an inner cell, or out of the view, and keeps its state.
   */
  private diffInterest(session: Session<S>, tick: number): void {
    this.leaveCount = 0;
    this.enterCount = 0;
    const grid = this.grid as SpatialGrid;
    const oldOuter = session.viewSpans;
    const newOuter = this.spans;
    const newInner = this.innerSpans;
    const { viewX, viewY } = session;
    const r2 = this.radius * this.radius;
    const known = session.view.known;
    const ids = this.eventIds.items;
    const fromRow = this.eventFromRow.items;
    const fromCol = this.eventFromCol.items;
    const toRow = this.eventToRow.items;
    const toCol = this.eventToCol.items;
    for (let i = 0; i < this.eventIds.count; i++) {
      const near = spansHold(newOuter, toRow[i], toCol[i]);
      if (!near && !spansHold(oldOuter, fromRow[i], fromCol[i])) continue;
      const id = ids[i];
      const seen = near && (spansHold(newInner, toRow[i], toCol[i]) || grid.distanceSquared(id, viewX, viewY) <= r2);
      if (seen !== known.has(id)) this.toggle(known, id, seen);
    }
    this.testBoundary(known, newOuter, newInner, viewX, viewY, r2, tick);
    this.crossCells(known, newInner, session.innerSpans, tick, true);
    this.crossCells(known, oldOuter, newOuter, tick, false);
    this.keepSpans(session);
  }

  /** Entities without a membership event in the boundary cells: seen if within the radius. */
  private testBoundary(
    known: Set<number>,
    outer: Int32Array,
    inner: Int32Array,
    viewX: number,
    viewY: number,
    r2: number,
    tick: number,
  ): void {
    const grid = this.grid as SpatialGrid;
    const cols = grid.cols;
    const eventStamp = this.eventStamp;
    for (let i = 0; i < outer[1]; i++) {
      const row = outer[0] + i;
      const j = row - inner[0];
      const hasInner = j >= 0 && j < inner[1];
      const innerFirst = hasInner ? inner[2 + 2 * j] : Number.MAX_SAFE_INTEGER;
      const innerLast = hasInner ? inner[3 + 2 * j] : Number.MIN_SAFE_INTEGER;
      for (let col = outer[2 + 2 * i]; col <= outer[3 + 2 * i]; col++) {
        if (col >= innerFirst && col <= innerLast) {
          col = innerLast;
          continue;
        }
        const inCell = grid.entitiesInCell(row * cols + col);
        for (let k = 0; k < inCell.length; k++) {
          const id = inCell[k];
          if (eventStamp[id] === tick) continue;
          const seen = grid.distanceSquared(id, viewX, viewY) <= r2;
          if (seen !== this.heldDistanceSquared(id, tick) <= r2) this.toggle(known, id, seen);
        }
      }
    }
  }

  /**
   * Entities without a membership event in the cells of `from` that `to` lacks: with
   * `entering`, the ones not held enter (cells that became inner); else the held ones leave
   * (cells that left the view).
   */
  private crossCells(known: Set<number>, from: Int32Array, to: Int32Array, tick: number, entering: boolean): void {
    const grid = this.grid as SpatialGrid;
    const cols = grid.cols;
    const eventStamp = this.eventStamp;
    for (let i = 0; i < from[1]; i++) {
      const row = from[0] + i;
      const first = from[2 + 2 * i];
      const last = from[3 + 2 * i];
      const j = row - to[0];
      const held = j >= 0 && j < to[1];
      // The row's cells outside `to`'s span: [first, last] minus [keepFirst, keepLast].
      const keepFirst = held ? to[2 + 2 * j] : Number.MAX_SAFE_INTEGER;
      const keepLast = held ? to[3 + 2 * j] : Number.MIN_SAFE_INTEGER;
      for (let col = first; col <= last; col++) {
        if (col >= keepFirst && col <= keepLast) {
          col = keepLast;
          continue;
        }
        const inCell = grid.entitiesInCell(row * cols + col);
        for (let k = 0; k < inCell.length; k++) {
          const id = inCell[k];
          if (eventStamp[id] === tick || known.has(id) === entering) continue;
          this.toggle(known, id, entering);
        }
      }
    }
  }

  /** Squared distance between an entity and the served client's centre, both at tick-1. */
  private heldDistanceSquared(id: number, tick: number): number {
    if (this.movedStamp[id] !== tick) return (this.grid as SpatialGrid).distanceSquared(id, this.prevViewX, this.prevViewY);
    const dx = this.prevX[id] - this.prevViewX;
    const dy = this.prevY[id] - this.prevViewY;
    return dx * dx + dy * dy;
  }

  private toggle(known: Set<number>, id: number, seen: boolean): void {
    if (seen) {
      this.entering[this.enterCount++] = id;
      known.add(id);
    } else {
      this.leaves[this.leaveCount++] = id;
      known.delete(id);
    }
  }

  /** The cells the session sees now and the inner ones among them, into `spans`/`innerSpans`. */
  private computeSpans(session: Session<S>): void {
    if (session.viewSpans.length !== this.spanCapacity) {
      session.viewSpans = new Int32Array(this.spanCapacity);
      session.innerSpans = new Int32Array(this.spanCapacity);
    }
    const grid = this.grid as SpatialGrid;
    grid.rowSpansInRadius(session.viewX, session.viewY, this.radius, this.spans);
    grid.rowSpansInsideRadius(session.viewX, session.viewY, this.radius, this.innerSpans);
  }

  /** The session's view becomes the scratch spans; its old arrays are the next client's scratch. */
  private keepSpans(session: Session<S>): void {
    const outer = session.viewSpans;
    const inner = session.innerSpans;
    session.viewSpans = this.spans;
    session.innerSpans = this.innerSpans;
    this.spans = outer;
    this.innerSpans = inner;
  }

  /** Ids within the radius (and of the pseudo-cell), into `this.visible` (trimmed to the count). */
  private gatherVisible(session: Session<S>): number {
    const grid = this.grid as SpatialGrid;
    const cols = grid.cols;
    const spans = this.spans;
    const r2 = this.radius * this.radius;
    const visible = this.visible;
    let count = 0;
    for (let i = 0; i < spans[1]; i++) {
      const rowStart = (spans[0] + i) * cols;
      for (let col = spans[2 + 2 * i]; col <= spans[3 + 2 * i]; col++) {
        const ids = grid.entitiesInCell(rowStart + col);
        for (let j = 0; j < ids.length; j++) {
          if (grid.distanceSquared(ids[j], session.viewX, session.viewY) <= r2) visible[count++] = ids[j];
        }
      }
    }
    for (let j = 0; j < this.globals.length; j++) visible[count++] = this.globals[j];
    visible.length = count;
    return count;
  }

  private encodeEnter(id: number, tick: number): void {
    if (id >= this.enterStamp.length) {
      const length = Math.max(id + 1, this.enterStamp.length * 2);
      this.enterStamp = grownInt32(this.enterStamp, length, NONE);
      this.enterStart = grownInt32(this.enterStart, length, 0);
      this.enterEnd = grownInt32(this.enterEnd, length, 0);
    }
    if (this.entersTick !== tick) {
      this.entersTick = tick;
      this.enters.reset();
    }
    if (this.enterStamp[id] === tick) return;
    this.enterStamp[id] = tick;
    this.enterStart[id] = this.enters.length;
    writeEnter(this.enters, this.store.committedEntity(id) as EntityBase);
    this.enterEnd[id] = this.enters.length;
  }

  private addGlobal(id: number): void {
    if (id >= this.globalSlot.length) this.globalSlot = grownInt32(this.globalSlot, Math.max(id + 1, this.globalSlot.length * 2), NONE);
    this.globalSlot[id] = this.globals.length;
    this.globals.push(id);
  }

  private removeGlobal(id: number): void {
    const slot = id < this.globalSlot.length ? this.globalSlot[id] : NONE;
    if (slot === NONE) return;
    const last = this.globals.pop() as number;
    if (last !== id) {
      this.globals[slot] = last;
      this.globalSlot[last] = slot;
    }
    this.globalSlot[id] = NONE;
  }
}

/** Whether a view in row spans holds the cell at (row, col); GLOBAL_ROW is in every view. */
function spansHold(spans: Int32Array, row: number, col: number): boolean {
  if (row < 0) return row === GLOBAL_ROW;
  const i = row - spans[0];
  if (i < 0 || i >= spans[1]) return false;
  return col >= spans[2 + 2 * i] && col <= spans[3 + 2 * i];
}


/** `w.raw` without a subarray allocation for the small copies that dominate here. */
function copyInto(w: ByteWriter, source: Uint8Array, start: number, end: number): void {
  const count = end - start;
  if (count > SMALL_COPY_BYTES) {
    w.raw(source, start, end);
    return;
  }
  w.ensure(count);
  const bytes = w.bytes;
  let at = w.length;
  for (let i = start; i < end; i++) bytes[at++] = source[i];
  w.length = at;
}

function grownInt32(from: Int32Array, length: number, fill: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(length).fill(fill);
  grown.set(from);
  return grown;
}
