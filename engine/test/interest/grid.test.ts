import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpatialGrid } from "../../src/interest/index.js";
import { MAX_ENTITY_ID } from "../../src/state/entity-id.js";

/** 100 × 60 world in 10-unit cells: 10 columns, 6 rows. */
function smallGrid(): SpatialGrid {
  return new SpatialGrid({ width: 100, height: 60, cellSize: 10 });
}

function sorted(values: ArrayLike<number>, count: number): number[] {
  return Array.from(values).slice(0, count).sort((a, b) => a - b);
}

describe("SpatialGrid geometry", () => {
  it("rounds a partial last row and column up to a whole cell", () => {
    const grid = new SpatialGrid({ width: 105, height: 61, cellSize: 10 });
    expect(grid.cols).toBe(11);
    expect(grid.rows).toBe(7);
    expect(grid.cellCount).toBe(77);
  });

  it("numbers cells row-major and gives a point on an inner edge to the cell right of / below it", () => {
    const grid = smallGrid();
    expect(grid.cellOf(5, 5)).toBe(0);
    expect(grid.cellOf(15, 5)).toBe(1);
    expect(grid.cellOf(5, 15)).toBe(10);
    expect(grid.cellOf(10, 10)).toBe(11);
    expect(grid.cellOf(9.999, 9.999)).toBe(0);
  });

  it("puts the world's far edge in the last cell and clamps points outside the world to the nearest edge cell", () => {
    const grid = smallGrid();
    expect(grid.cellOf(100, 60)).toBe(59);
    expect(grid.cellOf(0, 0)).toBe(0);
    expect(grid.cellOf(-50, -1e9)).toBe(0);
    expect(grid.cellOf(1e9, 25)).toBe(2 * 10 + 9);
    expect(grid.cellOf(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(9);
  });

  it("places cells relative to a non-zero origin", () => {
    const grid = new SpatialGrid({ width: 100, height: 100, cellSize: 50, originX: -50, originY: 1000 });
    expect(grid.cellOf(-50, 1000)).toBe(0);
    expect(grid.cellOf(0, 1000)).toBe(1);
    expect(grid.cellOf(-10, 1075)).toBe(2);
  });

  it("places points next to a cell edge that division rounds across in the cell whose rectangle holds them", () => {
    // With 0.1 cells, 1.7 / 0.1 rounds up to 17 although column 17 starts at 1.7000000000000002,
    // and 4.3 / 0.1 rounds down to 42 although column 43 starts at exactly 4.3.
    const grid = new SpatialGrid({ width: 20, height: 1, cellSize: 0.1 });
    expect(grid.cellOf(1.7, 0)).toBe(16);
    expect(grid.cellOf(4.3, 0)).toBe(43);
    grid.insert(1, 1.7, 0.05);
    grid.insert(2, 4.3, 0.05);
    const out: number[] = [];
    expect(grid.queryRadius(1.2, 0.05, 0.5, out)).toBe(1);
    expect(out[0]).toBe(1);
    expect(grid.queryRadius(4.8, 0.05, 0.5, out)).toBe(1);
    expect(out[0]).toBe(2);
  });

  it("rejects non-positive sizes, non-finite origins and absurd cell counts", () => {
    expect(() => new SpatialGrid({ width: 0, height: 10, cellSize: 1 })).toThrow(RangeError);
    expect(() => new SpatialGrid({ width: 10, height: 10, cellSize: -1 })).toThrow(RangeError);
    expect(() => new SpatialGrid({ width: 10, height: 10, cellSize: 1, originX: Number.NaN })).toThrow(RangeError);
    expect(() => new SpatialGrid({ width: 1e6, height: 1e6, cellSize: 1 })).toThrow(RangeError);
  });
});

describe("SpatialGrid membership", () => {
  it("tracks an inserted entity's cell and reports -1 for absent ids", () => {
    const grid = smallGrid();
    grid.insert(7, 25, 35);
    expect(grid.has(7)).toBe(true);
    expect(grid.cellOfEntity(7)).toBe(32);
    expect(grid.entitiesInCell(32)).toEqual([7]);
    expect(grid.cellCountIn(32)).toBe(1);
    expect(grid.size).toBe(1);
    expect(grid.has(8)).toBe(false);
    expect(grid.cellOfEntity(8)).toBe(-1);
    expect(grid.cellOfEntity(1_000_000)).toBe(-1);
  });

  it("returns false from move within a cell but still updates the position queries see", () => {
    const grid = smallGrid();
    grid.insert(1, 21, 21);
    expect(grid.move(1, 28, 28)).toBe(false);
    expect(grid.cellOfEntity(1)).toBe(22);
    const out: number[] = [];
    expect(grid.queryRadius(21, 21, 1, out)).toBe(0);
    expect(grid.queryRadius(28, 28, 1, out)).toBe(1);
  });

  it("returns true from move across a cell edge and moves the id between cells", () => {
    const grid = smallGrid();
    grid.insert(1, 21, 21);
    expect(grid.move(1, 30, 21)).toBe(true);
    expect(grid.cellOfEntity(1)).toBe(23);
    expect(grid.cellCountIn(22)).toBe(0);
    expect(grid.entitiesInCell(23)).toEqual([1]);
  });

  it("keeps the other ids of a cell when one in the middle is removed", () => {
    const grid = smallGrid();
    for (const id of [4, 5, 6]) grid.insert(id, 1, 1);
    grid.remove(5);
    expect([...grid.entitiesInCell(0)].sort()).toEqual([4, 6]);
    grid.move(4, 50, 50);
    expect(grid.entitiesInCell(0)).toEqual([6]);
    expect(grid.move(6, 2, 2)).toBe(false);
  });

  it("lets an id be removed and re-inserted elsewhere in the same tick", () => {
    const grid = smallGrid();
    grid.insert(3, 5, 5);
    expect(grid.remove(3)).toBe(true);
    expect(grid.has(3)).toBe(false);
    expect(grid.cellCountIn(0)).toBe(0);
    grid.insert(3, 95, 55);
    expect(grid.cellOfEntity(3)).toBe(59);
    expect(grid.size).toBe(1);
    const out: number[] = [];
    expect(grid.queryRadius(5, 5, 2, out)).toBe(0);
  });

  it("returns false when removing an id that is not in the grid", () => {
    const grid = smallGrid();
    expect(grid.remove(2)).toBe(false);
    grid.insert(2, 1, 1);
    grid.remove(2);
    expect(grid.remove(2)).toBe(false);
    expect(grid.size).toBe(0);
  });

  it("throws on a duplicate insert, a move of an absent id, a non-finite position or an invalid id", () => {
    const grid = smallGrid();
    grid.insert(1, 1, 1);
    expect(() => grid.insert(1, 2, 2)).toThrow(/already/);
    expect(() => grid.move(2, 1, 1)).toThrow(/not in the grid/);
    expect(() => grid.insert(2, Number.NaN, 1)).toThrow(RangeError);
    expect(() => grid.move(1, 1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => grid.insert(-1, 1, 1)).toThrow(RangeError);
    expect(() => grid.insert(1.5, 1, 1)).toThrow(RangeError);
    expect(() => grid.insert(MAX_ENTITY_ID + 1, 1, 1)).toThrow(RangeError);
    expect(grid.size).toBe(1);
    expect(grid.has(2)).toBe(false);
  });

  it("grows its per-id arrays for ids beyond the initial capacity without losing existing entities", () => {
    const grid = new SpatialGrid({ width: 100, height: 60, cellSize: 10, entityCapacity: 2 });
    grid.insert(0, 5, 5);
    grid.insert(1, 15, 5);
    grid.insert(5000, 95, 55);
    grid.insert(MAX_ENTITY_ID, 50, 30);
    expect(grid.cellOfEntity(0)).toBe(0);
    expect(grid.cellOfEntity(1)).toBe(1);
    expect(grid.cellOfEntity(5000)).toBe(59);
    const out: number[] = [];
    expect(sorted(out, grid.queryRadius(10, 5, 5, out))).toEqual([0, 1]);
    expect(grid.queryRadius(50, 30, 0, out)).toBe(1);
    expect(out[0]).toBe(MAX_ENTITY_ID);
  });

  it("throws for a cell index outside the grid", () => {
    const grid = smallGrid();
    expect(() => grid.entitiesInCell(60)).toThrow(RangeError);
    expect(() => grid.cellCountIn(-1)).toThrow(RangeError);
  });
});

describe("SpatialGrid cell ranges", () => {
  it("includes a cell whose corner the circle exactly touches and excludes it when the circle stops short", () => {
    const grid = smallGrid();
    const out: number[] = [];
    // Centre (33, 34) is 5 from the corner (30, 30) shared by cells 22, 23, 32 and 33.
    const touching = sorted(out, grid.cellsInRadius(33, 34, 5, out));
    expect(touching).toContain(22);
    const short = sorted(out, grid.cellsInRadius(33, 34, 4.999, out));
    expect(short).not.toContain(22);
    expect(short).toContain(23);
    expect(short).toContain(32);
  });

  it("returns the four cells around a corner for a zero radius on it", () => {
    const out: number[] = [];
    const grid = smallGrid();
    expect(sorted(out, grid.cellsInRadius(30, 30, 0, out))).toEqual([22, 23, 32, 33]);
    expect(sorted(out, grid.cellsInRadius(35, 35, 0, out))).toEqual([33]);
  });

  it("reaches the edge cells from a circle entirely outside the world, where clamped entities live", () => {
    const grid = smallGrid();
    const out: number[] = [];
    expect(sorted(out, grid.cellsInRadius(-40, 15, 3, out))).toEqual([10]);
    expect(sorted(out, grid.cellsInRadius(-40, 10, 3, out))).toEqual([0, 10]);
    grid.insert(9, -41, 16);
    expect(grid.queryRadius(-40, 15, 3, out)).toBe(1);
  });

  it("returns nothing for a negative or NaN radius or a non-finite centre, and every cell for an infinite radius", () => {
    const grid = smallGrid();
    const out: number[] = [];
    expect(grid.cellsInRadius(50, 30, -1, out)).toBe(0);
    expect(grid.cellsInRadius(50, 30, Number.NaN, out)).toBe(0);
    expect(grid.cellsInRadius(Number.NaN, 30, 5, out)).toBe(0);
    expect(grid.cellsInRadius(50, 30, Number.POSITIVE_INFINITY, out)).toBe(grid.cellCount);
  });

  it("includes cells a rectangle touches on an edge, clamps rectangles outside the world and rejects inverted ones", () => {
    const grid = smallGrid();
    const out: number[] = [];
    expect(sorted(out, grid.cellsInRect(12, 12, 18, 18, out))).toEqual([11]);
    expect(sorted(out, grid.cellsInRect(20, 12, 29, 18, out))).toEqual([11, 12]);
    expect(sorted(out, grid.cellsInRect(-30, -30, -20, -20, out))).toEqual([0]);
    expect(sorted(out, grid.cellsInRect(95, 55, 500, 500, out))).toEqual([59]);
    expect(grid.cellsInRect(20, 20, 10, 30, out)).toBe(0);
    expect(grid.cellsInRect(Number.NaN, 0, 10, 10, out)).toBe(0);
  });

  it("returns only the new count when `out` still holds a longer earlier result", () => {
    const grid = smallGrid();
    const out: number[] = [];
    expect(grid.cellsInRect(0, 0, 100, 60, out)).toBe(60);
    expect(grid.cellsInRect(1, 1, 2, 2, out)).toBe(1);
    expect(out[0]).toBe(0);
  });
});

const worldArb = fc.record({
  width: fc.double({ min: 1, max: 2000, noNaN: true }),
  height: fc.double({ min: 1, max: 2000, noNaN: true }),
  cellSize: fc.double({ min: 0.5, max: 300, noNaN: true }),
  originX: fc.double({ min: -1000, max: 1000, noNaN: true }),
  originY: fc.double({ min: -1000, max: 1000, noNaN: true }),
});

/** Coordinates in and well around the world, including exact cell edges. */
function coordArb(origin: number, extent: number, cellSize: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.double({ min: origin - extent / 2, max: origin + extent * 1.5, noNaN: true }),
    fc.integer({ min: -2, max: Math.ceil(extent / cellSize) + 2 }).map((k) => origin + k * cellSize),
  );
}

const scenarioArb = worldArb
  .filter((w) => Math.ceil(w.width / w.cellSize) * Math.ceil(w.height / w.cellSize) <= 20_000)
  .chain((world) => {
    const x = coordArb(world.originX, world.width, world.cellSize);
    const y = coordArb(world.originY, world.height, world.cellSize);
    const point = fc.tuple(x, y);
    return fc.record({
      world: fc.constant(world),
      entities: fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), point), { maxLength: 120 }),
      moves: fc.array(fc.tuple(fc.nat(), point), { maxLength: 60 }),
      removals: fc.array(fc.nat(), { maxLength: 20 }),
      circles: fc.array(fc.tuple(point, fc.double({ min: 0, max: Math.max(world.width, world.height), noNaN: true })), {
        minLength: 1,
        maxLength: 8,
      }),
      rects: fc.array(fc.tuple(point, point), { minLength: 1, maxLength: 8 }),
    });
  });

describe("SpatialGrid queries on random worlds", () => {
  it("match a brute-force scan of every entity, after inserts, moves and removals, inside and outside the world", () => {
    fc.assert(
      fc.property(scenarioArb, ({ world, entities, moves, removals, circles, rects }) => {
        const grid = new SpatialGrid({ ...world, entityCapacity: 16 });
        const positions = new Map<number, [number, number]>();
        for (const [id, [x, y]] of entities) {
          if (positions.has(id)) continue;
          grid.insert(id, x, y);
          positions.set(id, [x, y]);
        }
        const ids = [...positions.keys()];
        if (ids.length > 0) {
          for (const [pick, [x, y]] of moves) {
            const id = ids[pick % ids.length];
            if (!positions.has(id)) continue;
            const changed = grid.move(id, x, y);
            const before = positions.get(id)!;
            expect(changed).toBe(grid.cellOf(before[0], before[1]) !== grid.cellOf(x, y));
            positions.set(id, [x, y]);
          }
          for (const pick of removals) {
            const id = ids[pick % ids.length];
            expect(grid.remove(id)).toBe(positions.delete(id));
          }
        }
        expect(grid.size).toBe(positions.size);

        const out: number[] = [];
        for (const [[cx, cy], r] of circles) {
          const expected = [...positions].filter(([, [x, y]]) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r).map(([id]) => id);
          expect(sorted(out, grid.queryRadius(cx, cy, r, out))).toEqual(expected.sort((a, b) => a - b));
        }
        for (const [[ax, ay], [bx, by]] of rects) {
          const [minX, maxX] = ax <= bx ? [ax, bx] : [bx, ax];
          const [minY, maxY] = ay <= by ? [ay, by] : [by, ay];
          const expected = [...positions].filter(([, [x, y]]) => x >= minX && x <= maxX && y >= minY && y <= maxY).map(([id]) => id);
          expect(sorted(out, grid.queryRect(minX, minY, maxX, maxY, out))).toEqual(expected.sort((a, b) => a - b));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("return from cellsInRadius exactly the cells whose rectangle is within r, edge cells extended outward", () => {
    fc.assert(
      fc.property(scenarioArb, ({ world, circles }) => {
        const grid = new SpatialGrid(world);
        const colEdge = (c: number) => (c === 0 ? Number.NEGATIVE_INFINITY : c === grid.cols ? Number.POSITIVE_INFINITY : world.originX + c * world.cellSize);
        const rowEdge = (r: number) => (r === 0 ? Number.NEGATIVE_INFINITY : r === grid.rows ? Number.POSITIVE_INFINITY : world.originY + r * world.cellSize);
        const span = (v: number, a: number, b: number) => (v < a ? a - v : v > b ? v - b : 0);
        const out: number[] = [];
        for (const [[x, y], r] of circles) {
          const expected: number[] = [];
          for (let row = 0; row < grid.rows; row++) {
            for (let col = 0; col < grid.cols; col++) {
              const dx = span(x, colEdge(col), colEdge(col + 1));
              const dy = span(y, rowEdge(row), rowEdge(row + 1));
              if (dx * dx + dy * dy <= r * r) expected.push(row * grid.cols + col);
            }
          }
          expect(sorted(out, grid.cellsInRadius(x, y, r, out))).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Expands `[firstRow, rowCount, firstCol, lastCol, ...]` into cell indexes. */
function spanCells(grid: SpatialGrid, spans: Int32Array): number[] {
  const cells: number[] = [];
  for (let i = 0; i < spans[1]; i++) {
    const row = spans[0] + i;
    for (let col = spans[2 + 2 * i]; col <= spans[3 + 2 * i]; col++) cells.push(row * grid.cols + col);
  }
  return cells.sort((a, b) => a - b);
}

describe("SpatialGrid.rowSpansInRadius", () => {
  it("gives each row's cells of a circle as one span, rows contiguous", () => {
    const grid = smallGrid();
    const spans = new Int32Array(2 + 2 * grid.rows);
    const length = grid.rowSpansInRadius(35, 35, 12, spans);
    // Rows 2..4; row 3 (holding y) spans columns 2..4, rows 2 and 4 only reach columns 2..4 too.
    expect(Array.from(spans.subarray(0, length))).toEqual([2, 3, 2, 4, 2, 4, 2, 4]);
    expect(grid.rowSpansInRadius(35, 35, Number.NaN, spans)).toBe(2);
    expect(spans[1]).toBe(0);
  });

  it("covers exactly the cells of cellsInRadius, inside, on edges and outside the world", () => {
    fc.assert(
      fc.property(
        worldArb
          .filter((w) => Math.ceil(w.width / w.cellSize) * Math.ceil(w.height / w.cellSize) <= 20_000)
          .chain((world) =>
            fc.tuple(
              fc.constant(world),
              coordArb(world.originX, world.width, world.cellSize),
              coordArb(world.originY, world.height, world.cellSize),
              fc.oneof(
                fc.double({ min: 0, max: Math.max(world.width, world.height), noNaN: true }),
                fc.integer({ min: 0, max: 8 }).map((k) => k * world.cellSize),
              ),
            ),
          ),
        ([world, x, y, r]) => {
          const grid = new SpatialGrid(world);
          const spans = new Int32Array(2 + 2 * grid.rows);
          grid.rowSpansInRadius(x, y, r, spans);
          const out: number[] = [];
          expect(spanCells(grid, spans)).toEqual(sorted(out, grid.cellsInRadius(x, y, r, out)));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("SpatialGrid.rowSpansInsideRadius", () => {
  it("gives the cells wholly inside the circle, never the outer cells that reach to infinity", () => {
    const grid = smallGrid();
    const spans = new Int32Array(2 + 2 * grid.rows);
    // Radius 20 around (45, 35), the middle of cell 34: its neighbours' far corners are
    // 15.8 away, the diagonal ones' 21.2.
    const cells = (length: number) => spanCells(grid, spans.subarray(0, length));
    expect(cells(grid.rowSpansInsideRadius(45, 35, 20, spans))).toEqual([24, 33, 34, 35, 44]);
    expect(cells(grid.rowSpansInsideRadius(45, 35, 5, spans))).toEqual([]);
    // A circle covering the whole world: every cell but the outer ring, which reaches to infinity.
    const inner = [];
    for (let row = 1; row < grid.rows - 1; row++) for (let col = 1; col < grid.cols - 1; col++) inner.push(row * grid.cols + col);
    expect(cells(grid.rowSpansInsideRadius(50, 30, 1000, spans))).toEqual(inner);
  });

  it("matches a brute-force check of every cell's farthest corner, a subset of rowSpansInRadius", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 130, noNaN: true }),
        fc.double({ min: -30, max: 90, noNaN: true }),
        fc.oneof(fc.double({ min: 0, max: 120, noNaN: true }), fc.integer({ min: 0, max: 12 }).map((k) => k * 5)),
        (x, y, r) => {
          const grid = smallGrid();
          const spans = new Int32Array(2 + 2 * grid.rows);
          grid.rowSpansInsideRadius(x, y, r, spans);
          const expected: number[] = [];
          for (let row = 1; row < grid.rows - 1; row++) {
            for (let col = 1; col < grid.cols - 1; col++) {
              const fx = Math.max(Math.abs(x - col * 10), Math.abs((col + 1) * 10 - x));
              const fy = Math.max(Math.abs(y - row * 10), Math.abs((row + 1) * 10 - y));
              if (fx * fx + fy * fy <= r * r) expected.push(row * grid.cols + col);
            }
          }
          const inside = spanCells(grid, spans);
          expect(inside).toEqual(expected);
          grid.rowSpansInRadius(x, y, r, spans);
          const touched = new Set(spanCells(grid, spans));
          for (const cell of inside) expect(touched.has(cell)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
