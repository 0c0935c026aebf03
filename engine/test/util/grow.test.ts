import { describe, expect, it } from "vitest";
import { ensureLength, ensureScratchLength, grownLength } from "../../src/util/grow.js";

describe("growing typed arrays", () => {
  it("grows to at least double the length, to what is needed, and never past the cap", () => {
    expect(grownLength(64, 65)).toBe(128);
    expect(grownLength(64, 1000)).toBe(1000);
    expect(grownLength(0, 1)).toBe(1);
    expect(grownLength(600, 601, 1000)).toBe(1000);
  });

  it("returns the array itself while it is long enough", () => {
    const ids = new Int32Array(8);
    expect(ensureLength(ids, 8)).toBe(ids);
    expect(ensureScratchLength(ids, 3)).toBe(ids);
  });

  it("keeps the contents of a grown array, of the same kind, its new tail set to the fill value", () => {
    const slots = Int32Array.of(4, 5, 6);
    const grown = ensureLength(slots, 4, -1);
    expect(grown).toBeInstanceOf(Int32Array);
    expect(Array.from(grown)).toEqual([4, 5, 6, -1, -1, -1]);
    const positions = ensureLength(Float64Array.of(0.5), 2);
    expect(Array.from(positions)).toEqual([0.5, 0]);
    expect(ensureLength(new Uint8Array(4), 5, 0, 6)).toHaveLength(6);
  });

  it("drops the contents of grown scratch: a fresh zeroed array", () => {
    const stamps = Uint32Array.of(7, 7);
    const grown = ensureScratchLength(stamps, 3);
    expect(grown).toBeInstanceOf(Uint32Array);
    expect(Array.from(grown)).toEqual([0, 0, 0, 0]);
  });
});
