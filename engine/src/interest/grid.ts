import { assertEntityId, MAX_ENTITY_ID } from "../state/entity-id.js";
import { ensureLength } from "../util/grow.js";

/** Cells are preallocated, so a tiny cell size over a huge world is a config error, not an out-of-memory. */
export const MAX_GRID_CELLS = 1 << 22;

/** Ids the grid can hold before its per-id arrays first grow; a typical world stays below it. */
const DEFAULT_ENTITY_CAPACITY = 1024;

export interface SpatialGridOptions {
  width: number;
  height: number;
  cellSize: number;
  originX?: number;
  originY?: number;
  /** Initial size of the per-id arrays; they grow on demand. */
  entityCapacity?: number;
}

/**
 * Uniform grid over a bounded world for interest queries. Cells are numbered row-major
 * (`row * cols + col`); each cell is half-open (it owns its left and top edges). Positions
 * outside the world belong to the nearest edge cell, so the outer rows and columns extend
 * to infinity and queries near or beyond the edge still find those entities.
 *
 * Per-entity state lives in typed arrays indexed by id, and each cell keeps an array of
 * ids with swap-removal, so insert, move and remove are O(1) and queries allocate nothing.
 */
export class SpatialGrid {
  readonly cols: number;
  readonly rows: number;
  readonly cellCount: number;
  readonly cellSize: number;
  readonly originX: number;
  readonly originY: number;
  readonly width: number;
  readonly height: number;

  // Edge k is where column (row) k starts; the outer edges are ±Infinity. Every cell
  // test reads these same numbers, which keeps entity placement and queries consistent.
  private readonly colEdges: Float64Array;
  private readonly rowEdges: Float64Array;
  private readonly cells: number[][];
  private cellById: Int32Array;
  private slotById: Int32Array;
  private xById: Float64Array;
  private yById: Float64Array;
  private entityCount = 0;
  private readonly queryCells: number[] = [];

  constructor(opts: SpatialGridOptions) {
    const { width, height, cellSize, originX = 0, originY = 0 } = opts;
    if (!(width > 0 && height > 0 && cellSize > 0) || !Number.isFinite(width + height + cellSize)) {
      throw new RangeError("grid width, height and cellSize must be positive and finite");
    }
    if (!Number.isFinite(originX) || !Number.isFinite(originY)) {
      throw new RangeError("grid origin must be finite");
    }
    this.cols = Math.ceil(width / cellSize);
    this.rows = Math.ceil(height / cellSize);
    this.cellCount = this.cols * this.rows;
    if (this.cellCount > MAX_GRID_CELLS) {
      throw new RangeError(`grid would have ${this.cellCount} cells, more than ${MAX_GRID_CELLS}`);
    }
    this.cellSize = cellSize;
    this.originX = originX;
    this.originY = originY;
    this.width = width;
    this.height = height;
    this.colEdges = axisEdges(originX, cellSize, this.cols);
    this.rowEdges = axisEdges(originY, cellSize, this.rows);
    this.cells = Array.from({ length: this.cellCount }, () => []);

    const capacity = Math.max(1, opts.entityCapacity ?? DEFAULT_ENTITY_CAPACITY);
    this.cellById = new Int32Array(capacity).fill(-1);
    this.slotById = new Int32Array(capacity);
    this.xById = new Float64Array(capacity);
    this.yById = new Float64Array(capacity);
  }

  /** Number of entities in the grid. */
  get size(): number {
    return this.entityCount;
  }

  /** The cell owning a point; points outside the world clamp to the nearest edge cell. */
  cellOf(x: number, y: number): number {
    return axisIndex(y, this.originY, this.cellSize, this.rowEdges) * this.cols + axisIndex(x, this.originX, this.cellSize, this.colEdges);
  }

  insert(id: number, x: number, y: number): void {
    assertEntityId(id);
    assertPosition(x, y);
    if (this.has(id)) throw new Error(`entity ${id} is already in the grid`);
    if (id >= this.cellById.length) this.grow(id);
    this.xById[id] = x;
    this.yById[id] = y;
    this.place(id, this.cellOf(x, y));
    this.entityCount++;
  }

  /** Updates the position; returns true when the entity changed cell. */
  move(id: number, x: number, y: number): boolean {
    if (!this.has(id)) throw new Error(`entity ${id} is not in the grid`);
    assertPosition(x, y);
    this.xById[id] = x;
    this.yById[id] = y;
    const cell = this.cellOf(x, y);
    if (cell === this.cellById[id]) return false;
    this.unplace(id);
    this.place(id, cell);
    return true;
  }

  /** Returns false when the entity was not in the grid. */
  remove(id: number): boolean {
    if (!this.has(id)) return false;
    this.unplace(id);
    this.cellById[id] = -1;
    this.entityCount--;
    return true;
  }

  has(id: number): boolean {
    return id < this.cellById.length && this.cellById[id] >= 0;
  }

  /** The entity's cell, or -1 when it is not in the grid. */
  cellOfEntity(id: number): number {
    return this.has(id) ? this.cellById[id] : -1;
  }

  /** Live view of a cell's ids, in no particular order; do not keep it across mutations. */
  entitiesInCell(cell: number): readonly number[] {
    this.assertCell(cell);
    return this.cells[cell];
  }

  cellCountIn(cell: number): number {
    this.assertCell(cell);
    return this.cells[cell].length;
  }

  /**
   * Cells whose closed rectangle intersects the closed rectangle (touching counts).
   * Fills `out` from index 0 and returns the count; entries past it are left over.
   */
  cellsInRect(minX: number, minY: number, maxX: number, maxY: number, out: number[]): number {
    if (!(minX <= maxX && minY <= maxY)) return 0;
    const firstCol = closedLowIndex(minX, this.originX, this.cellSize, this.colEdges);
    const lastCol = axisIndex(maxX, this.originX, this.cellSize, this.colEdges);
    const firstRow = closedLowIndex(minY, this.originY, this.cellSize, this.rowEdges);
    const lastRow = axisIndex(maxY, this.originY, this.cellSize, this.rowEdges);
    let count = 0;
    for (let row = firstRow; row <= lastRow; row++) {
      const rowStart = row * this.cols;
      for (let col = firstCol; col <= lastCol; col++) out[count++] = rowStart + col;
    }
    return count;
  }

  /**
   * Cells whose closed rectangle is within distance `r` of the point (a circle touching a
   * cell's corner counts). Fills `out` from index 0 and returns the count.
   */
  cellsInRadius(x: number, y: number, r: number, out: number[]): number {
    if (!(r >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return 0;
    const { cols, rows, colEdges, rowEdges } = this;
    // One cell of margin around the bounding box: the exact per-cell test below decides,
    // so float rounding at the box's edges can never drop a cell.
    const firstCol = Math.max(0, axisIndex(x - r, this.originX, this.cellSize, colEdges) - 1);
    const lastCol = Math.min(cols - 1, axisIndex(x + r, this.originX, this.cellSize, colEdges) + 1);
    const firstRow = Math.max(0, axisIndex(y - r, this.originY, this.cellSize, rowEdges) - 1);
    const lastRow = Math.min(rows - 1, axisIndex(y + r, this.originY, this.cellSize, rowEdges) + 1);
    const r2 = r * r;
    let count = 0;
    for (let row = firstRow; row <= lastRow; row++) {
      const dy = distanceToSpan(y, rowEdges[row], rowEdges[row + 1]);
      const dy2 = dy * dy;
      if (dy2 > r2) continue;
      const rowStart = row * cols;
      for (let col = firstCol; col <= lastCol; col++) {
        const dx = distanceToSpan(x, colEdges[col], colEdges[col + 1]);
        if (dx * dx + dy2 <= r2) out[count++] = rowStart + col;
      }
    }
    return count;
  }

  /**
   * The cells of `cellsInRadius` as one column span per row, for callers that test
   * membership in O(1) or diff two views row by row. Writes `[firstRow, rowCount,
   * firstCol, lastCol, ...]` (a span per row from firstRow on; rows are contiguous) into
   * `out`, which needs `2 + 2 * rows` entries; returns the length written (2 when empty).
   */
  rowSpansInRadius(x: number, y: number, r: number, out: Int32Array): number {
    out[0] = 0;
    out[1] = 0;
    if (!(r >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return 2;
    const { cols, rows, colEdges, rowEdges } = this;
    const firstRow = Math.max(0, axisIndex(y - r, this.originY, this.cellSize, rowEdges) - 1);
    const lastRow = Math.min(rows - 1, axisIndex(y + r, this.originY, this.cellSize, rowEdges) + 1);
    const r2 = r * r;
    let length = 2;
    for (let row = firstRow; row <= lastRow; row++) {
      const dy = distanceToSpan(y, rowEdges[row], rowEdges[row + 1]);
      const dy2 = dy * dy;
      if (dy2 > r2) {
        if (length > 2) break;
        continue;
      }
      // Start from the chord's columns, then let the exact per-cell test (as in
      // cellsInRadius) move each end, so rounding in sqrt never changes the answer.
      const half = Math.sqrt(r2 - dy2);
      let first = axisIndex(x - half, this.originX, this.cellSize, colEdges);
      let last = axisIndex(x + half, this.originX, this.cellSize, colEdges);
      while (first > 0 && spanReaches(x, colEdges, first - 1, dy2, r2)) first--;
      while (first < last && !spanReaches(x, colEdges, first, dy2, r2)) first++;
      while (last < cols - 1 && spanReaches(x, colEdges, last + 1, dy2, r2)) last++;
      while (last > first && !spanReaches(x, colEdges, last, dy2, r2)) last--;
      // The column holding x always reaches (distance 0), so the row is never empty.
      if (length === 2) out[0] = row;
      out[length++] = first;
      out[length++] = last;
    }
    out[1] = (length - 2) / 2;
    return length;
  }

  /**
   * The cells lying wholly within distance `r` of the point (every point of the cell is,
   * so every entity in it is; the outer cells reach to infinity and never are), in the
   * layout of rowSpansInRadius. A row may hold an empty span (firstCol > lastCol).
   */
  rowSpansInsideRadius(x: number, y: number, r: number, out: Int32Array): number {
    out[0] = 0;
    out[1] = 0;
    if (!(r >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return 2;
    const { cols, rows, colEdges, rowEdges } = this;
    const firstRow = Math.max(0, axisIndex(y - r, this.originY, this.cellSize, rowEdges));
    const lastRow = Math.min(rows - 1, axisIndex(y + r, this.originY, this.cellSize, rowEdges));
    const r2 = r * r;
    const centre = axisIndex(x, this.originX, this.cellSize, colEdges);
    let length = 2;
    for (let row = firstRow; row <= lastRow; row++) {
      const fy = Math.max(Math.abs(y - rowEdges[row]), Math.abs(rowEdges[row + 1] - y));
      const fy2 = fy * fy;
      if (fy2 > r2) {
        if (length > 2) break;
        continue;
      }
      // From the chord's columns, each end moved by the exact test (the same float
      // operations as an entity's distance test, so "inside" never disagrees with it).
      const half = Math.sqrt(r2 - fy2);
      let first = Math.max(0, Math.min(centre, axisIndex(x - half, this.originX, this.cellSize, colEdges)));
      let last = Math.min(cols - 1, Math.max(centre, axisIndex(x + half, this.originX, this.cellSize, colEdges)));
      while (first <= last && !cellInside(x, colEdges, first, fy2, r2)) first++;
      while (first > 0 && first <= last + 1 && cellInside(x, colEdges, first - 1, fy2, r2)) first--;
      while (last >= first && !cellInside(x, colEdges, last, fy2, r2)) last--;
      while (last < cols - 1 && last >= first - 1 && cellInside(x, colEdges, last + 1, fy2, r2)) last++;
      if (length === 2) out[0] = row;
      out[length++] = first;
      out[length++] = last;
    }
    out[1] = (length - 2) / 2;
    return length;
  }

  /** Squared distance from entity `id` (which must be in the grid) to the point. */
  distanceSquared(id: number, x: number, y: number): number {
    const dx = this.xById[id] - x;
    const dy = this.yById[id] - y;
    return dx * dx + dy * dy;
  }

  /** Ids within distance `r` of the point (inclusive). Fills `out` from 0, returns the count. */
  queryRadius(x: number, y: number, r: number, out: number[]): number {
    const cellCount = this.cellsInRadius(x, y, r, this.queryCells);
    const { xById, yById } = this;
    const r2 = r * r;
    let count = 0;
    for (let i = 0; i < cellCount; i++) {
      const ids = this.cells[this.queryCells[i]];
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j];
        const dx = xById[id] - x;
        const dy = yById[id] - y;
        if (dx * dx + dy * dy <= r2) out[count++] = id;
      }
    }
    return count;
  }

  /** Ids inside the closed rectangle. Fills `out` from 0, returns the count. */
  queryRect(minX: number, minY: number, maxX: number, maxY: number, out: number[]): number {
    const cellCount = this.cellsInRect(minX, minY, maxX, maxY, this.queryCells);
    const { xById, yById } = this;
    let count = 0;
    for (let i = 0; i < cellCount; i++) {
      const ids = this.cells[this.queryCells[i]];
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j];
        const x = xById[id];
        const y = yById[id];
        if (x >= minX && x <= maxX && y >= minY && y <= maxY) out[count++] = id;
      }
    }
    return count;
  }

  private place(id: number, cell: number): void {
    const ids = this.cells[cell];
    this.slotById[id] = ids.length;
    ids.push(id);
    this.cellById[id] = cell;
  }

  private unplace(id: number): void {
    const ids = this.cells[this.cellById[id]];
    const slot = this.slotById[id];
    const last = ids.pop()!;
    if (last !== id) {
      ids[slot] = last;
      this.slotById[last] = slot;
    }
  }

  private grow(id: number): void {
    this.cellById = ensureLength(this.cellById, id + 1, -1, MAX_ENTITY_ID + 1);
    this.slotById = ensureLength(this.slotById, id + 1, 0, MAX_ENTITY_ID + 1);
    this.xById = ensureLength(this.xById, id + 1, 0, MAX_ENTITY_ID + 1);
    this.yById = ensureLength(this.yById, id + 1, 0, MAX_ENTITY_ID + 1);
  }

  private assertCell(cell: number): void {
    if (!(Number.isInteger(cell) && cell >= 0 && cell < this.cellCount)) {
      throw new RangeError(`cell must be an integer in [0, ${this.cellCount}), got ${cell}`);
    }
  }
}

function assertPosition(x: number, y: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new RangeError(`entity position must be finite, got (${x}, ${y})`);
  }
}

function axisEdges(origin: number, cellSize: number, count: number): Float64Array {
  const edges = new Float64Array(count + 1);
  for (let i = 1; i < count; i++) edges[i] = origin + i * cellSize;
  edges[0] = Number.NEGATIVE_INFINITY;
  edges[count] = Number.POSITIVE_INFINITY;
  return edges;
}

/** Index k with edges[k] <= v < edges[k + 1]; NaN maps to 0. */
function axisIndex(v: number, origin: number, cellSize: number, edges: Float64Array): number {
  const last = edges.length - 2;
  let i = Math.floor((v - origin) / cellSize);
  if (!(i > 0)) i = 0;
  else if (i > last) i = last;
  // The division can round across an edge; the edges themselves are the reference.
  while (i > 0 && v < edges[i]) i--;
  while (i < last && v >= edges[i + 1]) i++;
  return i;
}

/** First index whose closed span [edges[k], edges[k + 1]] reaches v. */
function closedLowIndex(v: number, origin: number, cellSize: number, edges: Float64Array): number {
  const i = axisIndex(v, origin, cellSize, edges);
  return i > 0 && v === edges[i] ? i - 1 : i;
}

/** Whether column `col`'s farthest point along the row, with `fy2` across, is within r. */
function cellInside(x: number, colEdges: Float64Array, col: number, fy2: number, r2: number): boolean {
  const fx = Math.max(Math.abs(x - colEdges[col]), Math.abs(colEdges[col + 1] - x));
  return fx * fx + fy2 <= r2;
}

/** cellsInRadius's test for column `col` of a row `dy2` away, in the same float operations. */
function spanReaches(x: number, colEdges: Float64Array, col: number, dy2: number, r2: number): boolean {
  const dx = distanceToSpan(x, colEdges[col], colEdges[col + 1]);
  return dx * dx + dy2 <= r2;
}

function distanceToSpan(v: number, start: number, end: number): number {
  if (v < start) return start - v;
  if (v > end) return v - end;
  return 0;
}
