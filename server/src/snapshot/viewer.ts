/**
 * A client's view and its diff: what the client holds (its `ClientView`), the interest
 * cells it was last sent, where its view is centred, and how that changes in a tick.
 *
 * Its cells are one column span per grid row (SpatialGrid.rowSpansInRadius), split into
 * inner cells (wholly inside the circle: all they hold is seen) and boundary cells (the
 * rest: each entity is tested); "does it see this cell" is O(1), two views differ row by
 * row. For a client keeping up, leaves and enters come from this tick's membership events,
 * a distance test of what is in its boundary cells, and the entities of the cells its view
 * dropped or gained: no scan of what it holds nor of its inner cells. A client keeping up
 * holds exactly the entities that were within the radius of its tick-1 centre at their
 * tick-1 positions, so the same distance test on tick-1 positions says whether it held
 * one, without a lookup.
 */
import type { EntityBase, Schema } from "@tickwire/engine";
import { type ClientView, createClientView, type IdSet, type SpatialGrid } from "@tickwire/engine/wire";
import { EVENT_BLOCK_CELLS, GLOBAL_ROW, type GridMembership, NONE } from "./membership.js";

/** This tick's leaves and enters of the client being served: scratch shared by every viewer in turn. */
export class ViewChanges {
  readonly leaves: number[] = [];
  readonly entering: number[] = [];
  leaveCount = 0;
  enterCount = 0;

  toggle(known: IdSet, id: number, seen: boolean): void {
    if (seen) {
      this.entering[this.enterCount++] = id;
      known.add(id);
    } else {
      this.leaves[this.leaveCount++] = id;
      known.delete(id);
    }
  }
}

export class Viewer {
  /** What the client holds; reset (baseline -1) on resume so it gets a full snapshot. */
  view: ClientView = createClientView();
  /**
   * Interest cells the client was last sent, one column span per row:
   * `[firstRow, rowCount, firstCol, lastCol, ...]` (SpatialGrid.rowSpansInRadius).
   */
  spans: Int32Array;
  /** The cells of `spans` wholly inside its circle: everything in them is held. */
  innerSpans: Int32Array;
  /** This snapshot's cells, while it is built; swapped with `spans` once built. */
  private nextSpans: Int32Array;
  private nextInner: Int32Array;
  /** Where the view is centred: the entity's last committed position. */
  x = 0;
  y = 0;
  /** The centre at its last snapshot (tick-1 when keeping up). */
  private heldX = 0;
  private heldY = 0;

  constructor(
    spanCapacity: number,
    private readonly radius: number,
  ) {
    this.spans = new Int32Array(spanCapacity);
    this.innerSpans = new Int32Array(spanCapacity);
    this.nextSpans = new Int32Array(spanCapacity);
    this.nextInner = new Int32Array(spanCapacity);
  }

  /** Forgets what the client holds, so its next snapshot is FULL. */
  reset(): void {
    this.view = createClientView();
    this.spans[1] = 0;
    this.innerSpans[1] = 0;
  }

  /** Starts a snapshot: the centre follows the player's entity while it is alive. */
  follow(entity: EntityBase | undefined, positionMask: Uint32Array): void {
    this.heldX = this.x;
    this.heldY = this.y;
    if (entity === undefined || !entity.alive || positionMask[entity.typeId] === 0) return;
    this.x = (entity as unknown as { x: number }).x;
    this.y = (entity as unknown as { y: number }).y;
  }

  /** The cells it sees now and the inner ones among them, into the next spans. */
  computeSpans(grid: SpatialGrid): void {
    grid.rowSpansInRadius(this.x, this.y, this.radius, this.nextSpans);
    grid.rowSpansInsideRadius(this.x, this.y, this.radius, this.nextInner);
  }

  /** Ids it sees now (after computeSpans), into `visible`. */
  gatherVisible<S extends Schema>(membership: GridMembership<S>, visible: number[]): number {
    return membership.gatherVisible(this.nextSpans, this.x, this.y, this.radius, visible);
  }

  /** The next spans become what it was sent. */
  keepSpans(): void {
    const outer = this.spans;
    const inner = this.innerSpans;
    this.spans = this.nextSpans;
    this.innerSpans = this.nextInner;
    this.nextSpans = outer;
    this.nextInner = inner;
  }

  /**
   * Leaves and enters of a client keeping up (after computeSpans), into `changes`, without
   * scanning what it holds or its inner cells. What can change visibility this tick:
   * - an entity with a membership event (moved cell, spawned, despawned), near the view;
   * - an entity in a boundary cell (tested by distance);
   * - everything in a cell that became inner (all seen now) or left the view (none seen).
   * Everything else stayed in an inner cell, or out of the view, and keeps its state.
   */
  diff<S extends Schema>(membership: GridMembership<S>, changes: ViewChanges): void {
    changes.leaveCount = 0;
    changes.enterCount = 0;
    const oldOuter = this.spans;
    const newOuter = this.nextSpans;
    const newInner = this.nextInner;
    const known = this.view.known;
    const first = membership.eventsFirst;
    for (let k = 0; k < first.count; k++) this.decideEvent(membership, first.items[k], changes);
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
      const { blockStart, eventsByBlock, blockCols } = membership;
      const fromBlock = membership.eventFromBlock.items;
      const toBlock = membership.eventToBlock.items;
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
            this.decideEvent(membership, i, changes);
          }
        }
      }
    }
    this.testBoundary(membership, known, newOuter, newInner, changes);
    this.crossCells(membership, known, newInner, this.innerSpans, true, changes);
    this.crossCells(membership, known, oldOuter, newOuter, false, changes);
    this.keepSpans();
  }

  /** Enter or leave for membership event `i`, decided by where the entity is now. */
  private decideEvent<S extends Schema>(membership: GridMembership<S>, i: number, changes: ViewChanges): void {
    const toRow = membership.eventToRow.items[i];
    const toCol = membership.eventToCol.items[i];
    const near = spansHold(this.nextSpans, toRow, toCol);
    if (!near && !spansHold(this.spans, membership.eventFromRow.items[i], membership.eventFromCol.items[i])) return;
    const id = membership.eventIds.items[i];
    const known = this.view.known;
    const positions = membership.positions;
    const r2 = this.radius * this.radius;
    let seen = near && spansHold(this.nextInner, toRow, toCol);
    if (near && !seen) {
      const dx = positions[4 * id] - this.x;
      const dy = positions[4 * id + 1] - this.y;
      seen = dx * dx + dy * dy <= r2;
    }
    // A move between grid cells: held iff it was within the radius at tick-1 (as in
    // testBoundary); spawns and events outside the grid ask the set.
    let held: boolean;
    if (membership.eventFromRow.items[i] >= 0 && toRow >= 0) {
      const hx = positions[4 * id + 2] - this.heldX;
      const hy = positions[4 * id + 3] - this.heldY;
      held = hx * hx + hy * hy <= r2;
    } else {
      held = known.has(id);
    }
    if (seen !== held) changes.toggle(known, id, seen);
  }

  /** Entities without a membership event in the boundary cells: seen if within the radius. */
  private testBoundary<S extends Schema>(
    membership: GridMembership<S>,
    known: IdSet,
    outer: Int32Array,
    inner: Int32Array,
    changes: ViewChanges,
  ): void {
    const runs = membership.slotRunsOutside(outer, inner);
    const slotRuns = membership.slotRuns;
    for (let k = 0; k < runs; k++) this.testSlots(membership, known, slotRuns[2 * k], slotRuns[2 * k + 1], changes);
  }

  /** Slots from..to-1 without a membership event: seen now if within the radius, held if they were at tick-1. */
  private testSlots<S extends Schema>(
    membership: GridMembership<S>,
    known: IdSet,
    from: number,
    to: number,
    changes: ViewChanges,
  ): void {
    const { slotPositions, slotEvent, slotIds } = membership;
    const { x: viewX, y: viewY, heldX, heldY } = this;
    const r2 = this.radius * this.radius;
    for (let slot = from; slot < to; slot++) {
      if (slotEvent[slot] !== 0) continue;
      const at = 4 * slot;
      const dx = slotPositions[at] - viewX;
      const dy = slotPositions[at + 1] - viewY;
      const hx = slotPositions[at + 2] - heldX;
      const hy = slotPositions[at + 3] - heldY;
      const seen = dx * dx + dy * dy <= r2;
      if (seen !== hx * hx + hy * hy <= r2) changes.toggle(known, slotIds[slot], seen);
    }
  }

  /**
   * Entities without a membership event in the cells of `from` that `to` lacks: with
   * `entering`, the ones not held enter (cells that became inner); else the held ones leave
   * (cells that left the view).
   */
  private crossCells<S extends Schema>(
    membership: GridMembership<S>,
    known: IdSet,
    from: Int32Array,
    to: Int32Array,
    entering: boolean,
    changes: ViewChanges,
  ): void {
    const runs = membership.slotRunsOutside(from, to);
    const slotRuns = membership.slotRuns;
    for (let k = 0; k < runs; k++) this.crossSlots(membership, known, slotRuns[2 * k], slotRuns[2 * k + 1], entering, changes);
  }

  private crossSlots<S extends Schema>(
    membership: GridMembership<S>,
    known: IdSet,
    from: number,
    to: number,
    entering: boolean,
    changes: ViewChanges,
  ): void {
    const { slotPositions, slotEvent, slotIds } = membership;
    const { heldX, heldY } = this;
    const r2 = this.radius * this.radius;
    for (let slot = from; slot < to; slot++) {
      if (slotEvent[slot] !== 0) continue;
      const hx = slotPositions[4 * slot + 2] - heldX;
      const hy = slotPositions[4 * slot + 3] - heldY;
      if (hx * hx + hy * hy <= r2 !== entering) changes.toggle(known, slotIds[slot], entering);
    }
  }
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
