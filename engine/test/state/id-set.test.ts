import { describe, expect, it } from "vitest";
import { IdSet } from "../../src/state/id-set.js";

describe("IdSet", () => {
  it("adds, deletes and reports whether each call changed it", () => {
    const set = new IdSet();
    expect(set.add(5)).toBe(true);
    expect(set.add(5)).toBe(false);
    expect(set.has(5)).toBe(true);
    expect(set.has(4)).toBe(false);
    expect(set.size).toBe(1);
    expect(set.delete(4)).toBe(false);
    expect(set.delete(5)).toBe(true);
    expect(set.has(5)).toBe(false);
    expect(set.size).toBe(0);
  });

  it("grows past its first words and ignores ids beyond them when asked", () => {
    const set = new IdSet();
    expect(set.has(100_000)).toBe(false);
    expect(set.delete(100_000)).toBe(false);
    set.add(100_000);
    set.add(31);
    set.add(32);
    expect(set.has(100_000)).toBe(true);
    expect(set.size).toBe(3);
    // The bitmap: bit (id & 31) of word (id >>> 5).
    expect(set.bitmap[0]).toBe(2 ** 31);
    expect(set.bitmap[1]).toBe(1);
    expect(set.bitmap[100_000 >>> 5]).toBe(1 << (100_000 & 31));
  });

  it("iterates by increasing id, bit 31 included", () => {
    const ids = [1_000_003, 63, 0, 31, 32, 4096, 7];
    const set = new IdSet(ids);
    const sorted = [...ids].sort((a, b) => a - b);
    expect([...set]).toEqual(sorted);
    const out = [-1];
    set.appendTo(out);
    expect(out).toEqual([-1, ...sorted]);
  });

  it("matches a Set under random operations", () => {
    const set = new IdSet();
    const reference = new Set<number>();
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % 700;
    };
    for (let i = 0; i < 20_000; i++) {
      const id = next();
      if (next() % 3 === 0) expect(set.delete(id)).toBe(reference.delete(id));
      else expect(set.add(id)).toBe(!reference.has(id) && reference.add(id) !== undefined);
      if (i % 5000 === 0) {
        set.clear();
        reference.clear();
      }
    }
    expect(set.size).toBe(reference.size);
    expect([...set]).toEqual([...reference].sort((a, b) => a - b));
  });
});
