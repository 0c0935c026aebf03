import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdList, SpatialGrid, ViewerInterest } from "../../src/interest/index.js";
import { Rng } from "../../src/util/rng.js";

function sortedCopy(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** The list's ids, sorted (order within a list is unspecified). */
function idsOf(list: IdList): number[] {
  return sortedCopy(list.ids.slice(0, list.count));
}

describe("ViewerInterest", () => {
  it("reports every id as entered on the first update and nothing as left", () => {
    const viewer = new ViewerInterest();
    const { entered, left } = viewer.update([3, 1, 2], 3);
    expect(idsOf(entered)).toEqual([1, 2, 3]);
    expect(left.count).toBe(0);
    expect(viewer.size).toBe(3);
    expect(viewer.has(2)).toBe(true);
    expect(viewer.has(4)).toBe(false);
  });

  it("reports only the difference from the previous update", () => {
    const viewer = new ViewerInterest();
    viewer.update([1, 2, 3], 3);
    const { entered, left } = viewer.update([2, 3, 4, 5], 4);
    expect(idsOf(entered)).toEqual([4, 5]);
    expect(idsOf(left)).toEqual([1]);
    expect(viewer.has(1)).toBe(false);
    expect(viewer.has(5)).toBe(true);
  });

  it("reports nothing when the visible set is unchanged, whatever its order", () => {
    const viewer = new ViewerInterest();
    viewer.update([1, 2, 3], 3);
    const { entered, left } = viewer.update([3, 1, 2], 3);
    expect(entered.count).toBe(0);
    expect(left.count).toBe(0);
  });

  it("reports everything as left when the visible set becomes empty", () => {
    const viewer = new ViewerInterest();
    viewer.update([7, 8], 2);
    const { entered, left } = viewer.update([], 0);
    expect(entered.count).toBe(0);
    expect(idsOf(left)).toEqual([7, 8]);
    expect(viewer.size).toBe(0);
  });

  it("counts a duplicated id once", () => {
    const viewer = new ViewerInterest();
    const { entered } = viewer.update([4, 4, 9, 4], 4);
    expect(idsOf(entered)).toEqual([4, 9]);
    expect(viewer.size).toBe(2);
  });

  it("reads only the first `count` ids of a reused buffer", () => {
    const viewer = new ViewerInterest();
    const buffer = new Int32Array([1, 2, 3, 99, 98]);
    const { entered } = viewer.update(buffer, 3);
    expect(idsOf(entered)).toEqual([1, 2, 3]);
    expect(viewer.has(99)).toBe(false);
  });

  it("reports an id that leaves and comes back between two updates as neither entered nor left", () => {
    // E.g. an entity removed and re-added to the grid in one tick: the viewer only sees ids,
    // so a respawn under the same id must be flagged by the snapshot layer.
    const grid = new SpatialGrid({ width: 100, height: 100, cellSize: 10 });
    grid.insert(1, 50, 50);
    grid.insert(2, 52, 50);
    const viewer = new ViewerInterest();
    const visible: number[] = [];
    viewer.update(visible, grid.queryRadius(50, 50, 10, visible));
    grid.remove(2);
    grid.insert(2, 51, 51);
    const { entered, left } = viewer.update(visible, grid.queryRadius(50, 50, 10, visible));
    expect(entered.count).toBe(0);
    expect(left.count).toBe(0);
    expect(viewer.has(2)).toBe(true);
  });

  it("reports every id as entered again after clear", () => {
    const viewer = new ViewerInterest();
    viewer.update([1, 2], 2);
    viewer.clear();
    expect(viewer.size).toBe(0);
    expect(viewer.has(1)).toBe(false);
    const { entered, left } = viewer.update([2, 3], 2);
    expect(idsOf(entered)).toEqual([2, 3]);
    expect(left.count).toBe(0);
  });

  it("rejects an invalid id or count part-way through and leaves the visible set as it was", () => {
    const viewer = new ViewerInterest({ idCapacity: 4 });
    viewer.update([1, 2], 2);
    expect(() => viewer.update([1, 3, 9, -1], 4)).toThrow(RangeError);
    expect(() => viewer.update([2, 1.5], 2)).toThrow(RangeError);
    expect(() => viewer.update([3, Number.NaN], 2)).toThrow(RangeError);
    expect(() => viewer.update([3], 2)).toThrow(RangeError);
    expect(viewer.size).toBe(2);
    expect([viewer.has(1), viewer.has(2), viewer.has(3), viewer.has(9)]).toEqual([true, true, false, false]);
    const { entered, left } = viewer.update([1, 2, 3], 3);
    expect(idsOf(entered)).toEqual([3]);
    expect(left.count).toBe(0);
  });

  it("reuses its result lists, so entries past `count` are left over from earlier updates", () => {
    const viewer = new ViewerInterest();
    const first = viewer.update([1, 2, 3], 3);
    const second = viewer.update([1, 2, 3, 4], 4);
    expect(second).toBe(first);
    expect(second.entered.count).toBe(1);
    expect(second.entered.ids[0]).toBe(4);
  });

  it("grows for ids beyond its initial capacity", () => {
    const viewer = new ViewerInterest({ idCapacity: 4 });
    viewer.update([0, 3], 2);
    const { entered, left } = viewer.update([3, 70_000], 2);
    expect(idsOf(entered)).toEqual([70_000]);
    expect(idsOf(left)).toEqual([0]);
    expect(viewer.has(70_000)).toBe(true);
  });

  it("stays correct across the 16-bit generation counter wrapping around", () => {
    const viewer = new ViewerInterest();
    const rng = new Rng(7);
    let previous = new Set<number>();
    const current: number[] = [];
    for (let step = 0; step < 0x10000 + 50; step++) {
      current.length = 0;
      for (let id = 0; id < 6; id++) if (rng.next() < 0.5) current.push(id);
      const { entered, left } = viewer.update(current, current.length);
      const now = new Set(current);
      const expectedEntered = current.filter((id) => !previous.has(id));
      const expectedLeft = [...previous].filter((id) => !now.has(id));
      // Plain comparison: expect() 65k times would dominate the test's run time.
      const same = (a: IdList, b: number[]) => idsOf(a).join() === sortedCopy(b).join();
      if (!same(entered, expectedEntered) || !same(left, expectedLeft)) {
        throw new Error(`wrong diff at update ${step}`);
      }
      previous = now;
    }
    for (let id = 0; id < 6; id++) expect(viewer.has(id)).toBe(previous.has(id));
  });

  it("tracks a viewer walking across a populated world: enters and leaves rebuild exactly the visible set", () => {
    const rng = new Rng(42);
    const grid = new SpatialGrid({ width: 1000, height: 1000, cellSize: 50 });
    for (let id = 0; id < 400; id++) grid.insert(id, rng.range(0, 1000), rng.range(0, 1000));
    const viewer = new ViewerInterest();
    const shadow = new Set<number>();
    const visible: number[] = [];
    let totalEntered = 0;
    for (let step = 0; step <= 100; step++) {
      const x = step * 10;
      const count = grid.queryRadius(x, 500, 120, visible);
      const { entered, left } = viewer.update(visible, count);
      for (const id of idsOf(left)) {
        expect(shadow.delete(id)).toBe(true);
      }
      for (const id of idsOf(entered)) {
        expect(shadow.has(id)).toBe(false);
        shadow.add(id);
      }
      totalEntered += entered.count;
      expect(sortedCopy([...shadow])).toEqual(sortedCopy(visible.slice(0, count)));
      expect(viewer.size).toBe(count);
    }
    // Walking 1,000 units with a 120 radius sweeps most of a 240-wide band.
    expect(totalEntered).toBeGreaterThan(50);
  });

  it("matches set differences for any sequence of visible sets", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), { maxLength: 30 }), (sets) => {
        const viewer = new ViewerInterest({ idCapacity: 8 });
        let previous = new Set<number>();
        for (const ids of sets) {
          const now = new Set(ids);
          const { entered, left } = viewer.update(ids, ids.length);
          expect(idsOf(entered)).toEqual(sortedCopy([...now].filter((id) => !previous.has(id))));
          expect(idsOf(left)).toEqual(sortedCopy([...previous].filter((id) => !now.has(id))));
          expect(viewer.size).toBe(now.size);
          previous = now;
        }
      }),
    );
  });
});
