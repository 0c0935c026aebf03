import { Rng } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import { ACHIEVEMENTS } from "../src/shared/achievements.js";
import { adjacent, damageBounds, maxHpFor, regenAmount, rollDamage } from "../src/shared/combat.js";
import { ITEM_KINDS, ITEMS, MAX_ARMOR, MAX_WEAPON, pickupVerdict } from "../src/shared/items.js";
import { dropFor, MOB_KINDS, MOBS } from "../src/shared/mobs.js";
import { NPC_KINDS, NPC_LINES } from "../src/shared/npcs.js";

describe("combat formulas", () => {
  it("keeps 10,000 hits of every weapon against every armor within weapon × 5..10 − armor × 1..3 (rand 0..3 when that is ≤ 0), reaching both ends", () => {
    const rng = new Rng(7);
    for (const [weapon, armor] of [
      [1, 1],
      [3, 2],
      [7, 6],
      [1, 6],
    ]) {
      const seen = new Set<number>();
      for (let i = 0; i < 10_000; i++) {
        const damage = rollDamage(weapon, armor, rng);
        expect(Number.isInteger(damage)).toBe(true);
        seen.add(damage);
      }
      const { min, max } = damageBounds(weapon, armor);
      expect(Math.min(...seen)).toBe(min);
      expect(Math.max(...seen)).toBe(max);
      // Exactly the formula's outcomes, every one of them seen.
      const possible = new Set<number>();
      for (let w = 5; w <= 10; w++) for (let a = 1; a <= 3; a++) if (weapon * w - armor * a > 0) possible.add(weapon * w - armor * a);
      for (let w = 5; w <= 10; w++) for (let a = 1; a <= 3; a++) if (weapon * w - armor * a <= 0) for (let r = 0; r <= 3; r++) possible.add(r);
      expect(seen).toEqual(possible);
    }
    // A rat's bite on plate never goes through: only the rand(0..3) scratch.
    const scratches = Array.from({ length: 10_000 }, () => rollDamage(1, 6, rng));
    expect(new Set(scratches)).toEqual(new Set([0, 1, 2, 3, 4]));
  });

  it("gives max HP 80 + 30 × (armor − 1) and regenerates a 25th of it", () => {
    expect([1, 2, 6].map(maxHpFor)).toEqual([80, 110, 230]);
    expect(regenAmount(80)).toBe(3);
    expect(regenAmount(230)).toBe(9);
  });

  it("counts only non-diagonal neighbours as adjacent", () => {
    expect(adjacent({ tx: 5, ty: 5 }, { tx: 5, ty: 6 })).toBe(true);
    expect(adjacent({ tx: 5, ty: 5 }, { tx: 6, ty: 6 })).toBe(false);
    expect(adjacent({ tx: 5, ty: 5 }, { tx: 5, ty: 5 })).toBe(false);
    expect(adjacent({ tx: 5, ty: 5 }, { tx: 7, ty: 5 })).toBe(false);
  });
});

describe("content", () => {
  it("has at least 6 mob kinds and a boss, distinct, with a passive one and one aggroing from 3 tiles", () => {
    expect(MOB_KINDS.length).toBeGreaterThanOrEqual(7);
    expect(MOB_KINDS).toContain("boss");
    expect(MOBS.rat.aggro).toBe(0);
    expect(MOB_KINDS.some((k) => MOBS[k].aggro === 3)).toBe(true);
    expect(MOBS.boss).toMatchObject({ hp: 700, armor: 6, weapon: 7, attackMs: 2000, msPerTile: 300, aggro: 3 });
    const profiles = new Set(MOB_KINDS.map((k) => JSON.stringify({ ...MOBS[k], drops: undefined })));
    expect(profiles.size).toBe(MOB_KINDS.length);
  });

  it("has 5+ weapon tiers, 5+ armor tiers and the three consumables; better gear is equipped, the same or worse refused", () => {
    expect(MAX_WEAPON).toBeGreaterThanOrEqual(5);
    expect(MAX_ARMOR).toBeGreaterThanOrEqual(5);
    expect(ITEMS.flask.heal).toBe(40);
    expect(ITEMS.burger.heal).toBe(100);
    expect(ITEMS.firepotion).toMatchObject({ heal: Number.POSITIVE_INFINITY, invincibleMs: 15_000 });
    const hurt = { hp: 40, maxHp: 80 };
    expect(pickupVerdict("weapon3", { weapon: 2, armor: 1, ...hurt })).toBe("equip");
    expect(pickupVerdict("weapon3", { weapon: 3, armor: 1, ...hurt })).toBe("refuse");
    expect(pickupVerdict("armor2", { weapon: 1, armor: 4, ...hurt })).toBe("refuse");
    expect(pickupVerdict("flask", { weapon: 7, armor: 6, ...hurt })).toBe("consume");
  });

  it("leaves a heal-only potion on the ground at full HP (it would be wasted), but a fire potion's invincibility is always taken", () => {
    const full = { weapon: 1, armor: 1, hp: 80, maxHp: 80 };
    expect(pickupVerdict("flask", full)).toBe("refuse");
    expect(pickupVerdict("burger", full)).toBe("refuse");
    expect(pickupVerdict("firepotion", full)).toBe("consume");
    expect(pickupVerdict("flask", { ...full, hp: 79 })).toBe("consume");
  });

  it("drops by cumulative chance: a table's first entry for the lowest rolls, nothing past its sum", () => {
    const table = MOBS.rat.drops; // flask 40, burger 10, firepotion 5
    expect(dropFor(table, 0)).toBe("flask");
    expect(dropFor(table, 39)).toBe("flask");
    expect(dropFor(table, 40)).toBe("burger");
    expect(dropFor(table, 49)).toBe("burger");
    expect(dropFor(table, 54)).toBe("firepotion");
    expect(dropFor(table, 55)).toBeNull();
    expect(dropFor(table, 99)).toBeNull();
    for (const kind of MOB_KINDS) {
      const total = MOBS[kind].drops.reduce((sum, d) => sum + d.chance, 0);
      expect(total, kind).toBeLessThanOrEqual(100);
      for (const { item } of MOBS[kind].drops) expect(ITEM_KINDS).toContain(item);
    }
    // Over many rolls the rat's flask comes about 40% of the time.
    const rng = new Rng(3);
    let flasks = 0;
    for (let i = 0; i < 10_000; i++) if (dropFor(table, rng.int(0, 99)) === "flask") flasks++;
    expect(flasks / 10_000).toBeGreaterThan(0.37);
    expect(flasks / 10_000).toBeLessThan(0.43);
  });

  it("has 10+ achievements with unique ids and 5+ NPCs with lines to say", () => {
    expect(ACHIEVEMENTS.length).toBeGreaterThanOrEqual(10);
    expect(new Set(ACHIEVEMENTS.map((a) => a.id)).size).toBe(ACHIEVEMENTS.length);
    expect(NPC_KINDS.length).toBeGreaterThanOrEqual(5);
    for (const kind of NPC_KINDS) expect(NPC_LINES[kind].length).toBeGreaterThan(1);
  });
});
