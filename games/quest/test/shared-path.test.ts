import { describe, expect, it } from "vitest";
import { findPath } from "../src/shared/path.js";
import { asciiMap } from "./shared-fixtures.js";

describe("findPath (4-direction A*)", () => {
  const open = asciiMap(["S....", ".....", "....."]);

  it("returns the tiles to step on, excluding the start and ending at the target", () => {
    const path = findPath(open, { tx: 0, ty: 0 }, { tx: 2, ty: 1 })!;
    expect(path).toHaveLength(3);
    expect(path.at(-1)).toEqual({ tx: 2, ty: 1 });
    let at = { tx: 0, ty: 0 };
    for (const next of path) {
      expect(Math.abs(next.tx - at.tx) + Math.abs(next.ty - at.ty)).toBe(1);
      at = next;
    }
  });

  it("is deterministic: the same question always gets the same path (fixed neighbour order)", () => {
    const first = findPath(open, { tx: 0, ty: 0 }, { tx: 4, ty: 2 });
    for (let i = 0; i < 5; i++) expect(findPath(open, { tx: 0, ty: 0 }, { tx: 4, ty: 2 })).toEqual(first);
    // Up before down before left before right among equal costs: the first step goes down here.
    expect(first![0]).toEqual({ tx: 0, ty: 1 });
  });

  it("walks around walls along a shortest way", () => {
    const map = asciiMap(["S.#..", "..#..", "....."]);
    const path = findPath(map, { tx: 0, ty: 0 }, { tx: 4, ty: 0 })!;
    expect(path).toHaveLength(8);
    for (const tile of path) expect(map.blocked(tile.tx, tile.ty)).toBe(false);
  });

  it("gives an empty path to the tile one stands on, and null to a blocked or unreachable tile", () => {
    const map = asciiMap(["S.#..", "..#.#", "..#.#"]);
    expect(findPath(map, { tx: 1, ty: 1 }, { tx: 1, ty: 1 })).toEqual([]);
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 2, ty: 0 })).toBeNull();
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 4, ty: 0 })).toBeNull();
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 9, ty: 9 })).toBeNull();
  });

  it("gives up after the node budget instead of searching without bound", () => {
    expect(findPath(open, { tx: 0, ty: 0 }, { tx: 4, ty: 2 }, 3)).toBeNull();
  });

  it("never passes through a portal's tile, but may end on one", () => {
    const map = asciiMap(["S.a..", "#####"], { portals: { a: { tx: 0, ty: 0 } } });
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 4, ty: 0 })).toBeNull();
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 2, ty: 0 })).toEqual([
      { tx: 1, ty: 0 },
      { tx: 2, ty: 0 },
    ]);
  });
});
