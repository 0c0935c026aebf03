import { describe, expect, it } from "vitest";
import { progressRecord, readProgress, type SavedProgress } from "../src/server/progress.js";

describe("a player's stored progress (progress.ts)", () => {
  it("reads back what was stored", () => {
    const progress: SavedProgress = {
      tx: 12,
      ty: 7,
      dir: "left",
      look: 3,
      hp: 0,
      weapon: 5,
      armor: 3,
      checkpoint: "cp1",
      achievements: ["first_blood", "armored"],
      kills: { rat: 3, boss: 1 },
    };
    expect(readProgress(progressRecord(progress))).toEqual(progress);
  });

  it("keeps only the fields that fit from a damaged or older record, and nothing from one without a tile", () => {
    const record = {
      tx: 4,
      ty: 9,
      dir: "sideways",
      look: -1,
      hp: 1.5,
      weapon: "7",
      armor: 2,
      checkpoint: 3,
      achievements: ["first_blood", "made_up", 7],
      kills: { rat: 2, dragon: 9, crab: -1 },
    };
    expect(readProgress(record)).toEqual({ tx: 4, ty: 9, dir: "down", armor: 2, achievements: ["first_blood"], kills: { rat: 2 } });
    expect(readProgress({ weapon: 7, armor: 6 })).toBeUndefined();
    expect(readProgress({ tx: -1, ty: 2 })).toBeUndefined();
    expect(readProgress(undefined)).toBeUndefined();
  });
});
