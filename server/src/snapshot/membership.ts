/**
 * Grid membership and its events: where every positioned entity is in the interest grid,
 * what changed cell this tick (moves across cells, spawns, despawns), and the grid laid
 * out flat in cell order for the per-client scans (DESIGN.md, Data flow step 4).
 *
 * After `store.commit()`, `update()` moves the grid to the committed positions, records
 * each change of cell membership as an event, files the events by block of cells (so a
 * client looks only at those near its view), and lays the cells out as slots: ids,
 * positions now and at tick-1, and event flags, so that a row's run of cells is one run of
 * memory read in sequence (which matters once the kernel's sends between two clients have
 * evicted the caches). Entity types without numeric `x` and `y` fields live in one extra
 * pseudo-cell (the last index) that every client sees.
 */
import type { EntityBase, EntityStore, Schema } from "@tickwire/engine";
import { ensureLength, ensureScratchLength, SpatialGrid } from "@tickwire/engine/wire";

/** Events are filed by blocks of this many cells a side (about a third of a view's width at the default cell size). */
export const EVENT_BLOCK_CELLS = 4;
export const NONE = -1;
/** Row of the pseudo-cell of entities without a position, which every client sees. */
export const GLOBAL_ROW = -2;

/** A growable Int32Array-backed list, reset each tick. */
export class IntList {
  items = new Int32Array(64);
  count = 0;

  push(value: number): void {
    if (this.count === this.items.length) this.items = ensureLength(this.items, this.count + 1);
    this.items[this.count++] = value;
  }
}

/** Per type id: bits of its `x` and `y` fields, or 0 when it has no position. */
export function positionMasks(schema: Schema): Uint32Array {
  const types = schema.types;
  const masks = new Uint32Array(types.length);
  for (const type of types) {
    const x = type.fieldIndex.get("x");
    const y = type.fieldIndex.get("y");
    if (x === undefined || y === undefined) continue;
    const numeric = (index: number) => type.fields[index].type.kind !== "string" && type.fields[index].type.kind !== "bool";
    if (numeric(x) && numeric(y)) masks[type.typeId] = (type.fields[x].bit | type.fields[y].bit) >>> 0;
  }
  return masks;
}

export class GridMembership<S extends Schema> {
  readonly grid: SpatialGrid;
  /** Index of the pseudo-cell of entities without a position. */
  readonly globalCell: number;
  readonly globals: number[] = [];
  private globalSlot = new Int32Array(64).fill(NONE);

  // Membership events of this tick: id, row and column before (row NONE for a spawn) and
  // after (row NONE for a despawn); row GLOBAL_ROW for the pseudo-cell.
  readonly eventIds = new IntList();
  readonly eventFromRow = new IntList();
  readonly eventFromCol = new IntList();
  readonly eventToRow = new IntList();
  readonly eventToCol = new IntList();
  // The events by block of EVENT_BLOCK_CELLS² cells, so a client looks only at those near
  // its view: eventsByBlock[blockStart[b] .. blockStart[b + 1]) are the events from or to
  // block b (an event between two blocks is in both). Apart, decided first and in order
  // (an id despawned and spawned again in a tick must leave before it enters): the
  // despawns and the events of the pseudo-cell, in eventsFirst.
  readonly blockCols: number;
  readonly blockStart: Int32Array;
  private readonly blockCursor: Int32Array;
  eventsByBlock = new Int32Array(256);
  readonly eventsFirst = new IntList();
  readonly eventFromBlock = new IntList();
  readonly eventToBlock = new IntList();
  /** `eventStamp[id] === tick`: the entity has a membership event this tick. */
  private eventStamp = new Int32Array(1024).fill(NONE);
  /**
   * Positions by id, 4 numbers an id: x, y as the grid holds them now (tick), then x, y as
   * clients last got them (tick-1). Interleaved: a distance test touches one cache line.
   */
  positions = new Float64Array(4 * 1024);
  /** Entities moved last tick, whose held position catches up at the start of this one. */
  private readonly movedLastTick = new IntList();
  /**
   * The grid after this tick's moves, laid out flat for the per-client scans: cell c's
   * entities are slots cellStart[c]..cellStart[c+1]-1, so a row's run of cells is one run
   * of slots, with each slot's id, 4 positions (as `positions`) and membership-event flag.
   */
  readonly cellStart: Int32Array;
  slotIds = new Int32Array(1024);
  slotPositions = new Float64Array(4 * 1024);
  slotEvent = new Uint8Array(1024);
  /** Output of slotRunsOutside: [from, to) slot runs. */
  readonly slotRuns: Int32Array;

  constructor(
    private readonly store: EntityStore<S>,
    private readonly positionMask: Uint32Array,
    bounds: { readonly width: number; readonly height: number },
    cellSize: number,
  ) {
    this.grid = new SpatialGrid({ width: bounds.width, height: bounds.height, cellSize });
    this.globalCell = this.grid.cellCount;
    this.cellStart = new Int32Array(this.globalCell + 1);
    this.slotRuns = new Int32Array(4 * this.grid.rows);
    this.blockCols = Math.ceil(this.grid.cols / EVENT_BLOCK_CELLS);
    this.blockStart = new Int32Array(this.blockCols * Math.ceil(this.grid.rows / EVENT_BLOCK_CELLS) + 1);
    this.blockCursor = new Int32Array(this.blockStart.length);
  }

  /** Moves the grid to the committed positions and records this tick's membership events. */
  update(): void {
    const grid = this.grid;
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
    this.layOutSlots();
  }

  /** Fills cellStart and the slot arrays from the grid (a pass over every cell). */
  private layOutSlots(): void {
    const grid = this.grid;
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
   * The slots of the cells in spans `a` that spans `b` lacks, row by row, as runs
   * [slotRuns[2k], slotRuns[2k+1]) (at most two a row); returns the count of runs.
   */
  slotRunsOutside(a: Int32Array, b: Int32Array): number {
    const cols = this.grid.cols;
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

  /** Ids within `radius` of (x, y) in the cells of `spans`, and the pseudo-cell's, into `visible` (trimmed to the count). */
  gatherVisible(spans: Int32Array, x: number, y: number, radius: number, visible: number[]): number {
    const grid = this.grid;
    const cols = grid.cols;
    const r2 = radius * radius;
    let count = 0;
    for (let i = 0; i < spans[1]; i++) {
      const rowStart = (spans[0] + i) * cols;
      for (let col = spans[2 + 2 * i]; col <= spans[3 + 2 * i]; col++) {
        const ids = grid.entitiesInCell(rowStart + col);
        for (let j = 0; j < ids.length; j++) {
          if (grid.distanceSquared(ids[j], x, y) <= r2) visible[count++] = ids[j];
        }
      }
    }
    for (let j = 0; j < this.globals.length; j++) visible[count++] = this.globals[j];
    visible.length = count;
    return count;
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
