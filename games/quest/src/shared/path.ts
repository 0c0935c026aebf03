/**
 * 4-direction A* on the map's tiles, shared by the client (click to walk), the server (is a
 * `walk` target reachable?) and bots. Deterministic: neighbours in a fixed order (up, down,
 * left, right) and ties broken by the heuristic, then by first discovery, so every caller
 * gets the same path for the same question.
 */
import type { QuestMap, TilePoint } from "./map.js";

/**
 * Most tiles one search may expand: a walk across a few screens of winding forest fits in a
 * few thousand; the cap bounds the cost of a hostile or unreachable target.
 */
export const MAX_PATH_NODES = 12_000;

const NEIGHBOURS: readonly (readonly [number, number])[] = [
  [0, -1],
  [0, 1],
  [-1, 0],
  [1, 0],
];

/** Per-map scratch arrays, reused across searches (a generation stamp marks what is current). */
interface Scratch {
  stamp: Uint32Array;
  cost: Uint32Array;
  parent: Int32Array;
  closed: Uint32Array;
  generation: number;
}
const scratchByMap = new WeakMap<QuestMap, Scratch>();

function scratchFor(map: QuestMap): Scratch {
  let scratch = scratchByMap.get(map);
  if (!scratch) {
    const size = map.width * map.height;
    scratch = { stamp: new Uint32Array(size), cost: new Uint32Array(size), parent: new Int32Array(size), closed: new Uint32Array(size), generation: 0 };
    scratchByMap.set(map, scratch);
  }
  scratch.generation++;
  return scratch;
}

function swapIn(list: number[], a: number, b: number): void {
  const value = list[a];
  list[a] = list[b];
  list[b] = value;
}

/** A binary min-heap of cells ordered by (f, h, insertion order). */
class OpenSet {
  private readonly cells: number[] = [];
  private readonly f: number[] = [];
  private readonly h: number[] = [];
  private readonly order: number[] = [];
  private pushed = 0;

  get size(): number {
    return this.cells.length;
  }

  push(cell: number, f: number, h: number): void {
    this.cells.push(cell);
    this.f.push(f);
    this.h.push(h);
    this.order.push(this.pushed++);
    let i = this.cells.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }

  pop(): number {
    const top = this.cells[0];
    const last = this.cells.length - 1;
    this.swap(0, last);
    this.cells.pop();
    this.f.pop();
    this.h.pop();
    this.order.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.cells.length && this.less(l, smallest)) smallest = l;
      if (r < this.cells.length && this.less(r, smallest)) smallest = r;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    if (this.f[a] !== this.f[b]) return this.f[a] < this.f[b];
    if (this.h[a] !== this.h[b]) return this.h[a] < this.h[b];
    return this.order[a] < this.order[b];
  }

  private swap(a: number, b: number): void {
    swapIn(this.cells, a, b);
    swapIn(this.f, a, b);
    swapIn(this.h, a, b);
    swapIn(this.order, a, b);
  }
}

/**
 * The shortest 4-direction path from `from` to `to`: the tiles to step on, excluding `from`
 * and ending at `to` (empty when they are the same tile); null when `to` is blocked,
 * unreachable, or further than `MAX_PATH_NODES` expansions. A portal's tile may only end a
 * path (stepping on it teleports).
 */
export function findPath(map: QuestMap, from: TilePoint, to: TilePoint, maxNodes = MAX_PATH_NODES): TilePoint[] | null {
  if (map.blocked(to.tx, to.ty)) return null;
  if (from.tx === to.tx && from.ty === to.ty) return [];
  const width = map.width;
  const s = scratchFor(map);
  const gen = s.generation;
  const start = from.ty * width + from.tx;
  const goal = to.ty * width + to.tx;
  const heuristic = (cell: number) => Math.abs((cell % width) - to.tx) + Math.abs(Math.floor(cell / width) - to.ty);
  const open = new OpenSet();
  s.stamp[start] = gen;
  s.cost[start] = 0;
  s.parent[start] = -1;
  open.push(start, heuristic(start), heuristic(start));
  let expanded = 0;
  while (open.size > 0) {
    const cell = open.pop();
    if (s.closed[cell] === gen) continue;
    if (cell === goal) return unwind(s, goal, width);
    s.closed[cell] = gen;
    if (++expanded > maxNodes) return null;
    const x = cell % width;
    const y = (cell - x) / width;
    for (const [dx, dy] of NEIGHBOURS) {
      const nx = x + dx;
      const ny = y + dy;
      if (map.blocked(nx, ny)) continue;
      const next = ny * width + nx;
      if (next !== goal && map.portalAt(nx, ny)) continue;
      if (s.closed[next] === gen) continue;
      const cost = s.cost[cell] + 1;
      if (s.stamp[next] === gen && s.cost[next] <= cost) continue;
      s.stamp[next] = gen;
      s.cost[next] = cost;
      s.parent[next] = cell;
      const h = heuristic(next);
      open.push(next, cost + h, h);
    }
  }
  return null;
}

function unwind(s: Scratch, goal: number, width: number): TilePoint[] {
  const path: TilePoint[] = [];
  for (let cell = goal; s.parent[cell] !== -1; cell = s.parent[cell]) path.push({ tx: cell % width, ty: Math.floor(cell / width) });
  return path.reverse();
}
