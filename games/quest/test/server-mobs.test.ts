import { EntityStore, Rng } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import { tileCentre } from "../src/shared/map.js";
import { LEASH_TILES, MOB_RESPAWN_MS, RETURN_HOME_MS } from "../src/shared/mobs.js";
import { schema } from "../src/shared/schema.js";
import { CHEST_REFILL_MS, DROP_BLINK_MS, DROP_LIFETIME_MS, Loot, type LootWorld } from "../src/server/loot.js";
import { type Fighter, type Mob, type MobHooks, MobSystem, type MobWorld, type PlayerEntity } from "../src/server/mobs.js";
import { TimeWheel } from "../src/server/time-wheel.js";
import { asciiMap, type AsciiOptions } from "./shared-fixtures.js";

const TICK_MS = 50;

/** A world of the real entity store, a clock the test moves and the mob system on a map. */
function setup(rows: string[], options: AsciiOptions) {
  const map = asciiMap(rows, options);
  const store = new EntityStore(schema);
  const world = { time: 0, rng: new Rng(1), spawn: store.spawn.bind(store), despawn: store.despawn.bind(store) } as unknown as MobWorld & LootWorld & { time: number };
  const wheel = new TimeWheel(TICK_MS);
  const attacks: { mob: Mob; target: Fighter; time: number }[] = [];
  const deaths: Mob[] = [];
  const cleared: string[] = [];
  const hooks: MobHooks = {
    mobAttacks: (mob, target) => attacks.push({ mob, target, time: world.time }),
    mobDied: (mob) => deaths.push(mob),
    areaCleared: (area) => cleared.push(area.spec.name),
  };
  const mobs = new MobSystem(map, wheel, hooks);
  const loot = new Loot(map, wheel);
  const fighters = new Set<Fighter>();
  const addPlayer = (tx: number, ty: number): Fighter => {
    const entity = store.spawn("player", { x: tileCentre(tx), y: tileCentre(ty), dir: "down", moving: false, name: "p", look: 0, hp: 80, maxHp: 80, weapon: 1, armor: 1, invincible: false }) as PlayerEntity;
    const fighter = { entity, haters: new Set<Mob>() };
    fighters.add(fighter);
    return fighter;
  };
  const tick = (count = 1) => {
    for (let i = 0; i < count; i++) {
      world.time += TICK_MS;
      wheel.run(world.time);
      mobs.update(world, fighters);
    }
  };
  const only = () => [...mobs.areas[0].mobs][0];
  return { map, store, world, wheel, mobs, loot, attacks, deaths, cleared, addPlayer, tick, only };
}

const field = (width: number, height: number) => Array.from({ length: height }, (_, y) => (y === 0 ? `S${".".repeat(width - 1)}` : ".".repeat(width)));

describe("mobs", () => {
  it("go for the player who dealt them the most damage, and switch when another overtakes", () => {
    const t = setup(field(20, 10), { mobs: [{ name: "rats", kind: "rat", count: 1, rect: { tx: 10, ty: 5, w: 1, h: 1 } }] });
    t.mobs.populate(t.world);
    const rat = t.only();
    const a = t.addPlayer(10, 4);
    const b = t.addPlayer(10, 6);
    t.tick(5);
    expect(t.attacks).toEqual([]); // a rat is passive: no one is hated yet
    t.mobs.damage(t.world, rat, a, 5);
    t.tick(1);
    expect(t.attacks.at(-1)?.target).toBe(a);
    t.mobs.damage(t.world, rat, b, 8);
    t.tick(20); // past its 800 ms attack interval
    expect(t.attacks.at(-1)?.target).toBe(b);
    t.mobs.damage(t.world, rat, a, 4); // a: 9 > b: 8
    t.tick(20);
    expect(t.attacks.at(-1)?.target).toBe(a);
    // Hits come at the kind's interval, not faster.
    const times = t.attacks.map((x) => x.time);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(800);
    expect(b.haters.has(rat)).toBe(true);
  });

  it("aggro players within their range only (a skeleton from 3 tiles, a rat never)", () => {
    const t = setup(field(30, 12), {
      mobs: [
        { name: "skeletons", kind: "skeleton", count: 1, rect: { tx: 5, ty: 5, w: 1, h: 1 } },
        { name: "rats", kind: "rat", count: 1, rect: { tx: 20, ty: 5, w: 1, h: 1 } },
      ],
    });
    t.mobs.populate(t.world);
    const [skeleton, rat] = t.mobs.areas.map((a) => a.mobs[0]);
    const far = t.addPlayer(9, 5); // 4 tiles
    t.addPlayer(21, 5); // next to the rat
    t.tick(3);
    expect(skeleton.hate.size).toBe(0);
    expect(rat.hate.size).toBe(0);
    far.entity.x = tileCentre(8); // 3 tiles
    t.tick(1);
    expect(skeleton.hate.has(far)).toBe(true);
  });

  it("chase, give up beyond the leash, and walk home after 4 s without haters, healed", () => {
    const width = LEASH_TILES + 20;
    const t = setup(field(width, 5), { mobs: [{ name: "rats", kind: "rat", count: 1, rect: { tx: 2, ty: 2, w: 1, h: 1 } }] });
    t.mobs.populate(t.world);
    const rat = t.only();
    const runner = t.addPlayer(3, 2);
    t.mobs.damage(t.world, rat, runner, 3);
    // The runner walks east a tile every 120 ms; the rat (350 ms a tile) follows.
    let tx = 3;
    let calmAt: number | null = null;
    for (let i = 0; i < 2000 && calmAt === null; i++) {
      if (i % 2 === 0 && tx < width - 1) runner.entity.x = tileCentre(++tx);
      t.tick(1);
      if (rat.hate.size === 0) calmAt = t.world.time;
    }
    expect(calmAt).not.toBeNull();
    expect(tx - 2).toBeGreaterThan(LEASH_TILES); // the runner was beyond the leash when it gave up
    expect(runner.haters.size).toBe(0);
    const gaveUpAt = rat.tx;
    expect(gaveUpAt).toBeGreaterThan(3); // it had chased
    // Stays put for 4 s, then walks home and is healed there.
    t.tick(RETURN_HOME_MS / TICK_MS - 2);
    expect(rat.tx).toBe(gaveUpAt);
    t.tick(Math.ceil(((gaveUpAt - 2 + 2) * 350) / TICK_MS) + 10);
    expect({ tx: rat.tx, ty: rat.ty }).toEqual({ tx: 2, ty: 2 });
    expect(rat.entity?.hp).toBe(25);
    expect(t.mobs.activeCount).toBe(0);
  });

  it("die at 0 HP, clear their area, and respawn 30 s later in it", () => {
    const t = setup(field(20, 10), { mobs: [{ name: "rats", kind: "rat", count: 2, rect: { tx: 10, ty: 5, w: 3, h: 3 } }] });
    t.mobs.populate(t.world);
    const killer = t.addPlayer(1, 1);
    const [r1, r2] = t.mobs.areas[0].mobs;
    expect(t.mobs.damage(t.world, r1, killer, 24)).toBe(false);
    expect(t.mobs.damage(t.world, r1, killer, 1)).toBe(true);
    expect(t.mobs.damage(t.world, r2, killer, 99)).toBe(true);
    expect(t.deaths).toEqual([r1, r2]);
    expect(t.cleared).toEqual(["rats"]);
    expect(t.mobs.count).toBe(0);
    expect(killer.haters.size).toBe(0);
    t.tick(MOB_RESPAWN_MS / TICK_MS - 1);
    expect(t.mobs.count).toBe(0);
    t.tick(1);
    expect(t.mobs.count).toBe(2);
    for (const mob of [r1, r2]) {
      expect(mob.entity?.hp).toBe(25);
      expect(mob.tx >= 10 && mob.tx < 13 && mob.ty >= 5 && mob.ty < 8).toBe(true);
    }
  });

  it("sleep while no player is near: 1,000 idle mobs visit nothing per tick and never roam", () => {
    const rows = field(200, 200);
    const mobAreas = Array.from({ length: 100 }, (_, i) => ({ name: `a${i}`, kind: "goblin", count: 10, rect: { tx: 20 + (i % 10) * 17, ty: 20 + Math.floor(i / 10) * 17, w: 8, h: 8 } }));
    const t = setup(rows, { mobs: mobAreas });
    t.mobs.populate(t.world);
    expect(t.mobs.count).toBe(1000);
    const where = (m: Mob) => `${m.tx},${m.ty}`;
    const before = new Map(t.mobs.areas.flatMap((a) => a.mobs.map((m) => [m, where(m)] as const)));
    t.tick(400); // 20 s: every mob's roam came due at least once
    expect(t.mobs.activeCount).toBe(0);
    expect([...before].every(([m, at]) => where(m) === at)).toBe(true);
    // A player in a corner wakes the areas it could see, and no others.
    t.addPlayer(5, 5);
    t.tick(400);
    const moved = t.mobs.areas.filter((a) => a.mobs.some((m) => where(m) !== before.get(m)));
    expect(moved.length).toBeGreaterThan(0);
    for (const area of moved) expect(Math.max(area.spec.rect.tx, area.spec.rect.ty)).toBeLessThan(5 + 30 + 16 * 2);
  });
});

describe("loot", () => {
  it("drops blink at 10 s and vanish at 14 s", () => {
    const t = setup(field(10, 5), {});
    const item = t.loot.drop(t.world, "flask", { tx: 3, ty: 2 });
    expect(t.loot.itemAt(3, 2)).toBe(item);
    t.tick(DROP_BLINK_MS / TICK_MS - 1);
    expect(item.blinking).toBe(false);
    t.tick(1);
    expect(item.blinking).toBe(true);
    t.tick((DROP_LIFETIME_MS - DROP_BLINK_MS) / TICK_MS);
    expect(item.alive).toBe(false);
    expect(t.loot.itemAt(3, 2)).toBeUndefined();
  });

  it("static chests give one of their items and refill after 30 s; area chests appear when their area is cleared and go once opened", () => {
    const t = setup(field(20, 10), {
      mobs: [{ name: "rats", kind: "rat", count: 1, rect: { tx: 15, ty: 5, w: 1, h: 1 } }],
      chests: [
        { name: "static", at: { tx: 3, ty: 3 }, items: ["flask", "burger"] },
        { name: "prize", at: { tx: 16, ty: 6 }, items: ["weapon3"], area: "rats" },
      ],
    });
    t.loot.placeChests(t.world);
    const [fixed, prize] = t.loot.chests;
    expect(fixed.entity?.open).toBe(false);
    expect(prize.entity).toBeNull();
    const item = t.loot.open(t.world, fixed);
    expect(["flask", "burger"]).toContain(item?.kind);
    expect(t.loot.itemAt(3, 3)).toBe(item);
    expect(fixed.entity?.open).toBe(true);
    expect(t.loot.open(t.world, fixed)).toBeNull();
    t.tick(CHEST_REFILL_MS / TICK_MS - 1);
    expect(fixed.entity?.open).toBe(true);
    t.tick(1);
    expect(fixed.entity?.open).toBe(false);
    expect(t.loot.open(t.world, fixed)).not.toBeNull();

    t.loot.areaCleared(t.world, "rats");
    expect(prize.entity?.alive).toBe(true);
    expect(t.loot.chest(prize.entity?.id ?? -1)).toBe(prize);
    expect(t.loot.open(t.world, prize)?.kind).toBe("weapon3");
    expect(prize.entity).toBeNull();
  });
});
