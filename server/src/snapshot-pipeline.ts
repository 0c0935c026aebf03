/**
 * Builds every client's snapshot after a world tick, sharing the work clients have in
 * common (DESIGN.md, Data flow step 4).
 *
 * After `store.commit()` (`afterCommit`):
 * - the RELATIVE update payload of each entity that changed this tick is encoded once into
 *   one arena, and the changed ids are marked in a bitmap;
 * - the grid moves entities to their committed positions, and every change of cell
 *   membership (move across cells, spawn, despawn) is recorded as an event;
 * - the grid is laid out flat in cell order (ids, positions now and at tick-1, event
 *   flags): the per-client scans of a row's cells then read memory in sequence, which
 *   matters once the kernel's sends between two clients have evicted the caches.
 *
 * Per client (`writeSnapshot`), whose view is every entity within the radius of its centre:
 * - its cells are one column span per grid row (SpatialGrid.rowSpansInRadius), split into
 *   inner cells (wholly inside the circle: all they hold is seen) and boundary cells (the
 *   rest: each entity is tested); "does it see this cell" is O(1), two views differ row by row;
 * - keeping up (baseline = tick-1): its updates are what it holds (an IdSet bitmap) AND
 *   the changed bitmap, word by word, so they come in increasing id order, each a head of
 *   its own (id gap, delta.ts) and the arena's payload. Leaves and enters come from this
 *   tick's membership events, a distance test of what is in its boundary cells, and the
 *   entities of the cells its view dropped or gained: no scan of what it holds nor of its
 *   inner cells. A client keeping up holds exactly the entities that were within the
 *   radius of its tick-1 centre at their tick-1 positions, so the same distance test on
 *   tick-1 positions says whether it held one, without a lookup;
 * - interest "all": every client keeping up gets the same body, built once per tick;
 * - behind (skipped snapshots, lowered rate), joining or resuming: `encodeDelta` from its
 *   baseline — ABSOLUTE while the baseline is in the history ring, FULL otherwise.
 * Entity types without numeric `x` and `y` fields live in one extra pseudo-cell (the last
 * index) that every client sees.
 */
import type { EntityBase, EntityStore, Schema } from "@tickwire/engine";
import {
  beginSnapshotMessage,
  ByteWriter,
  DeltaMode,
  encodeDelta,
  ensureLength,
  ensureScratchLength,
  type IdSet,
  endSnapshotMessage,
  SpatialGrid,
  writeEnter,
  UPDATE_HEAD_FORMS,
  updateForm,
  writeUpdate,
  writeUpdatePayload,
} from "@tickwire/engine/wire";
import { DEFAULT_CELL_SIZE_PER_RADIUS, type InterestOptions } from "./game.js";
import type { Session } from "./session.js";

/** Below this many bytes a byte loop beats `subarray` + `set` (which allocates a view). */
const SMALL_COPY_BYTES = 64;
/** Events are filed by blocks of this many cells a side (about a third of a view's width at the default cell size). */
const EVENT_BLOCK_CELLS = 4;
/** An update head's varuint: (id gap * 4 + form) < 2^23 takes at most 4 bytes. */
const MAX_HEAD_BYTES = 4;
/** Numbers an id in entryById: arena start, arena end, form. */
const ENTRY_STRIDE = 3;
const NONE = -1;
/** Row of the pseudo-cell of entities without a position, which every client sees. */
const GLOBAL_ROW = -2;

/** A growable Int32Array-backed list, reset each tick. */
class IntList {
  items = new Int32Array(64);
  count = 0;

  push(value: number): void {
    if (this.count === this.items.length) this.items = ensureLength(this.items, this.count + 1);
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

  /** This tick's RELATIVE update payloads of the changed entities, in one arena. */
  private readonly entries = new ByteWriter(16 * 1024);
  /** The ids with an update entry this tick, as a bitmap (ANDed with what each client holds). */
  private changedBits = new Uint32Array(64);
  /**
   * This tick's update entry of each changed entity, ENTRY_STRIDE numbers an id: arena
   * start, arena end, form. By id, not by entry: writeEntries reads one place an entity.
   */
  private entryById = new Int32Array(ENTRY_STRIDE * 1024);

  // Membership events of this tick: id, row and column before (row NONE for a spawn) and
  // after (row NONE for a despawn); row GLOBAL_ROW for the pseudo-cell.
  private readonly eventIds = new IntList();
  private readonly eventFromRow = new IntList();
  private readonly eventFromCol = new IntList();
  private readonly eventToRow = new IntList();
  private readonly eventToCol = new IntList();
  // The events by block of EVENT_BLOCK_CELLS² cells, so a client looks only at those near
  // its view: eventsByBlock[blockStart[b] .. blockStart[b + 1]) are the events from or to
  // block b (an event between two blocks is in both). Apart, decided first and in order
  // (an id despawned and spawned again in a tick must leave before it enters): the
  // despawns and the events of the pseudo-cell, in eventsFirst.
  private readonly blockCols: number;
  private readonly blockStart: Int32Array;
  private readonly blockCursor: Int32Array;
  private eventsByBlock = new Int32Array(256);
  private readonly eventsFirst = new IntList();
  private readonly eventFromBlock = new IntList();
  private readonly eventToBlock = new IntList();
  /** `eventStamp[id] === tick`: the entity has a membership event this tick. */
  private eventStamp = new Int32Array(1024).fill(NONE);
  /**
   * Positions by id, 4 numbers an id: x, y as the grid holds them now (tick), then x, y as
   * clients last got them (tick-1). Interleaved: a distance test touches one cache line.
   */
  private positions = new Float64Array(4 * 1024);
  /** Entities moved last tick, whose held position catches up at the start of this one. */
  private readonly movedLastTick = new IntList();
  /**
   * The grid after this tick's moves, laid out flat for the per-client scans: cell c's
   * entities are slots cellStart[c]..cellStart[c+1]-1, so a row's run of cells is one run
   * of slots, with each slot's id, 4 positions (as `positions`) and membership-event flag.
   */
  private readonly cellStart: Int32Array;
  private slotIds = new Int32Array(1024);
  private slotPositions = new Float64Array(4 * 1024);
  private slotEvent = new Uint8Array(1024);
  /** Per-client scratch of slotRunsOutside: [from, to) slot runs. */
  private readonly slotRuns: Int32Array;

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
  /** Ids in increasing order, for the body of interest "all". */
  private allOrder = new Int32Array(256);

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
    this.cellStart = new Int32Array(this.globalCell + 1);
    this.spanCapacity = 2 + 2 * (this.grid?.rows ?? 0);
    this.slotRuns = new Int32Array(4 * (this.grid?.rows ?? 0));
    this.blockCols = Math.ceil((this.grid?.cols ?? 0) / EVENT_BLOCK_CELLS);
    this.blockStart = new Int32Array(this.blockCols * Math.ceil((this.grid?.rows ?? 0) / EVENT_BLOCK_CELLS) + 1);
    this.blockCursor = new Int32Array(this.blockStart.length);
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
   * Call right after `store.commit()`: encodes this tick's updates once, then moves the
   * grid to the committed positions and records membership changes.
   */
  afterCommit(): void {
    const grid = this.grid;
    if (grid === undefined) return;
    this.encodeEntries();
    this.moveGrid(grid);
  }

  private encodeEntries(): void {
    const changed = this.store.changedThisTick;
    const w = this.entries.reset();
    const idCapacity = this.store.idCapacity;
    if (this.changedBits.length * 32 < idCapacity) {
      this.changedBits = ensureScratchLength(this.changedBits, Math.ceil(idCapacity / 32));
    } else {
      this.changedBits.fill(0);
    }
    if (this.entryById.length < ENTRY_STRIDE * idCapacity) {
      this.entryById = ensureScratchLength(this.entryById, ENTRY_STRIDE * idCapacity);
    }
    const { changedBits, entryById } = this;
    for (let i = 0; i < changed.count; i++) {
      const entity = this.store.committedEntity(changed.ids[i]) as EntityBase;
      const id = entity.id;
      const form = updateForm(entity, changed.masks[i], true);
      const entry = ENTRY_STRIDE * id;
      entryById[entry] = w.length;
      writeUpdatePayload(w, entity, changed.masks[i], true, form);
      entryById[entry + 1] = w.length;
      entryById[entry + 2] = form;
      changedBits[id >>> 5] |= 1 << (id & 31);
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
      this.eventStamp = ensureLength(this.eventStamp, this.store.idCapacity, NONE);
      this.positions = ensureLength(this.positions, 4 * this.eventStamp.length);
    }
    const { positions, movedLastTick } = this;
    for (let i = 0; i < movedLastTick.count; i++) {
      const id = movedLastTick.items[i];
      positions[4 * id + 2] = positions[4 * id];
      positions[4 * id + 3] = positions[4 * id + 1];
    }
    movedLastTick.count = 0;
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
      positions[4 * entity.id] = positions[4 * entity.id + 2] = x;
      positions[4 * entity.id + 1] = positions[4 * entity.id + 3] = y;
      event(entity.id, NONE, grid.cellOfEntity(entity.id));
    }
    const changed = this.store.changedThisTick;
    for (let i = 0; i < changed.count; i++) {
      const id = changed.ids[i];
      const entity = this.store.committedEntity(id) as EntityBase;
      if ((changed.masks[i] & this.positionMask[entity.typeId]) === 0) continue;
      const before = grid.cellOfEntity(id);
      const { x, y } = entity as unknown as { x: number; y: number };
      positions[4 * id] = x;
      positions[4 * id + 1] = y;
      movedLastTick.push(id);
      if (grid.move(id, x, y)) event(id, before, grid.cellOfEntity(id));
    }
    this.binEvents();
    this.layOutSlots(grid);
  }

  /** Fills cellStart and the slot arrays from the grid (a pass over every cell). */
  private layOutSlots(grid: SpatialGrid): void {
    const tick = this.store.tick;
    const { cellStart, positions, eventStamp } = this;
    if (this.slotIds.length < grid.size) {
      this.slotIds = ensureScratchLength(this.slotIds, grid.size);
      this.slotPositions = ensureScratchLength(this.slotPositions, 4 * this.slotIds.length);
      this.slotEvent = ensureScratchLength(this.slotEvent, this.slotIds.length);
    }
    const { slotIds, slotPositions, slotEvent } = this;
    let slot = 0;
    for (let cell = 0; cell < grid.cellCount; cell++) {
      cellStart[cell] = slot;
      const ids = grid.entitiesInCell(cell);
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k];
        slotIds[slot] = id;
        slotEvent[slot] = eventStamp[id] === tick ? 1 : 0;
        const from = 4 * id;
        const to = 4 * slot;
        slotPositions[to] = positions[from];
        slotPositions[to + 1] = positions[from + 1];
        slotPositions[to + 2] = positions[from + 2];
        slotPositions[to + 3] = positions[from + 3];
        slot++;
      }
    }
    cellStart[grid.cellCount] = slot;
  }

  /** Files this tick's membership events by block (a counting sort). */
  private binEvents(): void {
    const { blockStart, eventFromBlock, eventToBlock, eventsFirst } = this;
    const count = this.eventIds.count;
    const fromRow = this.eventFromRow.items;
    const fromCol = this.eventFromCol.items;
    const toRow = this.eventToRow.items;
    const toCol = this.eventToCol.items;
    eventFromBlock.count = 0;
    eventToBlock.count = 0;
    eventsFirst.count = 0;
    blockStart.fill(0);
    const blockOf = (row: number, col: number) =>
      row < 0 ? NONE : Math.floor(row / EVENT_BLOCK_CELLS) * this.blockCols + Math.floor(col / EVENT_BLOCK_CELLS);
    let filed = 0;
    for (let i = 0; i < count; i++) {
      let from = blockOf(fromRow[i], fromCol[i]);
      const to = blockOf(toRow[i], toCol[i]);
      if (to === NONE) {
        eventsFirst.push(i);
        from = NONE;
      }
      eventFromBlock.push(from);
      eventToBlock.push(to);
      if (from !== NONE) {
        blockStart[from + 1]++;
        filed++;
      }
      if (to !== NONE && to !== from) {
        blockStart[to + 1]++;
        filed++;
      }
    }
    for (let b = 1; b < blockStart.length; b++) blockStart[b] += blockStart[b - 1];
    if (this.eventsByBlock.length < filed) this.eventsByBlock = ensureScratchLength(this.eventsByBlock, filed);
    const cursor = this.blockCursor;
    cursor.set(blockStart);
    for (let i = 0; i < count; i++) {
      const from = eventFromBlock.items[i];
      const to = eventToBlock.items[i];
      if (from !== NONE) this.eventsByBlock[cursor[from]++] = i;
      if (to !== NONE && to !== from) this.eventsByBlock[cursor[to]++] = i;
    }
  }

  /**
   * Appends `session`'s Snapshot message for the store's current tick to `out` and
   * advances its view as if delivered. `events` are pre-encoded (encodeEvents).
   */
  writeSnapshot(session: Session<S>, events: Uint8Array | null, out: ByteWriter): void {
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
    const mark = beginSnapshotMessage(out, tick, session.lastProcessedSeq);
    out.u8(DeltaMode.RELATIVE);
    out.varuint(1);
    this.writeEntries(session.view.known, out);

    this.computeSpans(session);
    this.diffInterest(session);
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
   * The updates of a client keeping up: every entity it held at tick-1 (`known`, before
   * this tick's leaves and enters) that changed, by increasing id — a word-wise AND of
   * two bitmaps — each a head of its own (id gap) and the shared payload.
   */
  private writeEntries(known: IdSet, out: ByteWriter): void {
    const held = known.bitmap;
    const changedBits = this.changedBits;
    const words = Math.min(held.length, changedBits.length);
    let count = 0;
    for (let word = 0; word < words; word++) {
      const bits = held[word] & changedBits[word];
      if (bits !== 0) count += bitCount(bits);
    }
    out.varuint(count);
    const { entryById } = this;
    const arena = this.entries.bytes;
    // Heads are written inline: this loop runs for every entry of every client.
    out.ensure(count * MAX_HEAD_BYTES + this.entries.length);
    const bytes = out.bytes;
    let at = out.length;
    let previousId = 0;
    for (let word = 0; word < words; word++) {
      for (let bits = held[word] & changedBits[word]; bits !== 0; bits &= bits - 1) {
        const id = word * 32 + 31 - Math.clz32(bits & -bits);
        const entry = ENTRY_STRIDE * id;
        let head = (id - previousId) * UPDATE_HEAD_FORMS + entryById[entry + 2];
        while (head >= 0x80) {
          bytes[at++] = (head & 0x7f) | 0x80;
          head >>>= 7;
        }
        bytes[at++] = head;
        const end = entryById[entry + 1];
        for (let b = entryById[entry]; b < end; b++) bytes[at++] = arena[b];
        previousId = id;
      }
    }
    out.length = at;
  }

  /**
   * Leaves and enters for a client keeping up, into leaves/entering, without scanning what
   * it holds or its inner cells. What can change visibility this tick:
   * - an entity with a membership event (moved cell, spawned, despawned), near the view;
   * - an entity in a boundary cell (tested by distance);
   * - everything in a cell that became inner (all seen now) or left the view (none seen).
   * Everything else stayed in an inner cell, or out of the view, and keeps its state.
   */
  private diffInterest(session: Session<S>): void {
    this.leaveCount = 0;
    this.enterCount = 0;
    const oldOuter = session.viewSpans;
    const newOuter = this.spans;
    const newInner = this.innerSpans;
    const known = session.view.known;
    for (let k = 0; k < this.eventsFirst.count; k++) this.decideEvent(session, this.eventsFirst.items[k]);
    // The blocks around both views: an event elsewhere neither left nor entered them.
    const firstRow = Math.min(oldOuter[1] > 0 ? oldOuter[0] : newOuter[0], newOuter[1] > 0 ? newOuter[0] : oldOuter[0]);
    const lastRow = Math.max(oldOuter[0] + oldOuter[1], newOuter[0] + newOuter[1]) - 1;
    const firstCol = Math.min(spansFirstCol(oldOuter), spansFirstCol(newOuter));
    const lastCol = Math.max(spansLastCol(oldOuter), spansLastCol(newOuter));
    if (lastRow >= firstRow && lastCol >= firstCol) {
      const b0 = Math.floor(firstRow / EVENT_BLOCK_CELLS);
      const b1 = Math.floor(lastRow / EVENT_BLOCK_CELLS);
      const c0 = Math.floor(firstCol / EVENT_BLOCK_CELLS);
      const c1 = Math.floor(lastCol / EVENT_BLOCK_CELLS);
      const { blockStart, eventsByBlock, blockCols } = this;
      const fromBlock = this.eventFromBlock.items;
      const toBlock = this.eventToBlock.items;
      for (let br = b0; br <= b1; br++) {
        for (let bc = c0; bc <= c1; bc++) {
          const block = br * blockCols + bc;
          for (let k = blockStart[block]; k < blockStart[block + 1]; k++) {
            const i = eventsByBlock[k];
            // An event between two blocks of the rectangle is decided once, from its first block.
            const other = fromBlock[i] === block ? toBlock[i] : fromBlock[i];
            if (other !== NONE && other < block) {
              const otherRow = Math.floor(other / blockCols);
              const otherCol = other - otherRow * blockCols;
              if (otherRow >= b0 && otherRow <= b1 && otherCol >= c0 && otherCol <= c1) continue;
            }
            this.decideEvent(session, i);
          }
        }
      }
    }
    this.testBoundary(known, newOuter, newInner, session.viewX, session.viewY);
    this.crossCells(known, newInner, session.innerSpans, true);
    this.crossCells(known, oldOuter, newOuter, false);
    this.keepSpans(session);
  }

  /** Enter or leave for membership event `i`, decided by where the entity is now. */
  private decideEvent(session: Session<S>, i: number): void {
    const toRow = this.eventToRow.items[i];
    const toCol = this.eventToCol.items[i];
    const near = spansHold(this.spans, toRow, toCol);
    if (!near && !spansHold(session.viewSpans, this.eventFromRow.items[i], this.eventFromCol.items[i])) return;
    const id = this.eventIds.items[i];
    const known = session.view.known;
    const r2 = this.radius * this.radius;
    let seen = near && spansHold(this.innerSpans, toRow, toCol);
    if (near && !seen) {
      const dx = this.positions[4 * id] - session.viewX;
      const dy = this.positions[4 * id + 1] - session.viewY;
      seen = dx * dx + dy * dy <= r2;
    }
    // A move between grid cells: held iff it was within the radius at tick-1 (as in
    // testBoundary); spawns and events outside the grid ask the set.
    let held: boolean;
    if (this.eventFromRow.items[i] >= 0 && this.eventToRow.items[i] >= 0) {
      const hx = this.positions[4 * id + 2] - this.prevViewX;
      const hy = this.positions[4 * id + 3] - this.prevViewY;
      held = hx * hx + hy * hy <= r2;
    } else {
      held = known.has(id);
    }
    if (seen !== held) this.toggle(known, id, seen);
  }

  /** Entities without a membership event in the boundary cells: seen if within the radius. */
  private testBoundary(known: IdSet, outer: Int32Array, inner: Int32Array, viewX: number, viewY: number): void {
    const runs = this.slotRunsOutside(outer, inner);
    for (let k = 0; k < runs; k++) this.testSlots(known, this.slotRuns[2 * k], this.slotRuns[2 * k + 1], viewX, viewY);
  }

  /** Slots from..to-1 without a membership event: seen now if within the radius, held if they were at tick-1. */
  private testSlots(known: IdSet, from: number, to: number, viewX: number, viewY: number): void {
    const { slotPositions, slotEvent, prevViewX: heldViewX, prevViewY: heldViewY } = this;
    const r2 = this.radius * this.radius;
    for (let slot = from; slot < to; slot++) {
      if (slotEvent[slot] !== 0) continue;
      const at = 4 * slot;
      const dx = slotPositions[at] - viewX;
      const dy = slotPositions[at + 1] - viewY;
      const hx = slotPositions[at + 2] - heldViewX;
      const hy = slotPositions[at + 3] - heldViewY;
      const seen = dx * dx + dy * dy <= r2;
      if (seen !== hx * hx + hy * hy <= r2) this.toggle(known, this.slotIds[slot], seen);
    }
  }

  /**
   * Entities without a membership event in the cells of `from` that `to` lacks: with
   * `entering`, the ones not held enter (cells that became inner); else the held ones leave
   * (cells that left the view).
   */
  private crossCells(known: IdSet, from: Int32Array, to: Int32Array, entering: boolean): void {
    const runs = this.slotRunsOutside(from, to);
    for (let k = 0; k < runs; k++) this.crossSlots(known, this.slotRuns[2 * k], this.slotRuns[2 * k + 1], entering);
  }

  /**
   * The slots of the cells in spans `a` that spans `b` lacks, row by row, as runs
   * [slotRuns[2k], slotRuns[2k+1]) (at most two a row); returns the count of runs.
   */
  private slotRunsOutside(a: Int32Array, b: Int32Array): number {
    const cols = (this.grid as SpatialGrid).cols;
    const { cellStart, slotRuns } = this;
    let runs = 0;
    for (let i = 0; i < a[1]; i++) {
      const row = a[0] + i;
      const rowStart = row * cols;
      const first = a[2 + 2 * i];
      const last = a[3 + 2 * i];
      const j = row - b[0];
      if (j < 0 || j >= b[1] || b[2 + 2 * j] > b[3 + 2 * j]) {
        slotRuns[2 * runs] = cellStart[rowStart + first];
        slotRuns[2 * runs++ + 1] = cellStart[rowStart + last + 1];
        continue;
      }
      // [first, last] minus [b's first, b's last]: what lies left of it, and right of it.
      const leftEnd = Math.min(last, b[2 + 2 * j] - 1);
      if (first <= leftEnd) {
        slotRuns[2 * runs] = cellStart[rowStart + first];
        slotRuns[2 * runs++ + 1] = cellStart[rowStart + leftEnd + 1];
      }
      const rightStart = Math.max(first, b[3 + 2 * j] + 1);
      if (rightStart <= last) {
        slotRuns[2 * runs] = cellStart[rowStart + rightStart];
        slotRuns[2 * runs++ + 1] = cellStart[rowStart + last + 1];
      }
    }
    return runs;
  }

  private crossSlots(known: IdSet, from: number, to: number, entering: boolean): void {
    const { slotPositions, slotEvent, prevViewX: heldViewX, prevViewY: heldViewY } = this;
    const r2 = this.radius * this.radius;
    for (let slot = from; slot < to; slot++) {
      if (slotEvent[slot] !== 0) continue;
      const hx = slotPositions[4 * slot + 2] - heldViewX;
      const hy = slotPositions[4 * slot + 3] - heldViewY;
      if (hx * hx + hy * hy <= r2 !== entering) this.toggle(known, this.slotIds[slot], entering);
    }
  }

  private toggle(known: IdSet, id: number, seen: boolean): void {
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
      this.enterStamp = ensureLength(this.enterStamp, id + 1, NONE);
      this.enterStart = ensureLength(this.enterStart, this.enterStamp.length);
      this.enterEnd = ensureLength(this.enterEnd, this.enterStamp.length);
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
    if (id >= this.globalSlot.length) this.globalSlot = ensureLength(this.globalSlot, id + 1, NONE);
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

/** Set bits of a 32-bit word. */
function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Smallest first column of a view's spans (MAX_SAFE_INTEGER when empty). */
function spansFirstCol(spans: Int32Array): number {
  let first = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < spans[1]; i++) if (spans[2 + 2 * i] < first) first = spans[2 + 2 * i];
  return first;
}

/** Largest last column of a view's spans (-1 when empty). */
function spansLastCol(spans: Int32Array): number {
  let last = -1;
  for (let i = 0; i < spans[1]; i++) if (spans[3 + 2 * i] > last) last = spans[3 + 2 * i];
  return last;
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
