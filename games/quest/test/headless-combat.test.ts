/**
 * Combat, loot, chests, NPCs, death and respawn against a real Quest server with real
 * clients, on a small field: each test's player starts (saved progress) next to its own mob.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tileCentre, tileOf } from "../src/shared/map.js";
import { PLAYER_ATTACK_MS } from "../src/shared/items.js";
import { MOVE_DOWN, MOVE_NONE, MOVE_RIGHT } from "../src/shared/schema.js";
import type { SavedProgress } from "../src/server/progress.js";
import { type Driven, eventsNamed, join, type QuestServer, savedProgress, serverState, startQuest, waitFor, waitForAsync } from "./headless-helpers.js";
import { asciiMap } from "./shared-fixtures.js";

const WIDTH = 40;
const rows = Array.from({ length: 12 }, (_, y) =>
  Array.from({ length: WIDTH }, (_, x) => (x === 2 && y === 2 ? "S" : (x === 5 || x === 38) && y === 10 ? "C" : ".")).join(""),
);
const rat = (name: string, tx: number, ty: number) => ({ name, kind: "rat", count: 1, rect: { tx, ty, w: 1, h: 1 } });
const map = asciiMap(rows, {
  zones: [
    { name: "west", kind: "meadow", rect: { tx: 0, ty: 0, w: 20, h: 12 } },
    { name: "east", kind: "forest", rect: { tx: 20, ty: 0, w: 20, h: 12 } },
  ],
  mobs: [rat("killer's rat", 3, 2), rat("spammer's rat", 3, 6), rat("far rat", 16, 8), rat("snob's rat", 13, 10), { name: "skeleton", kind: "skeleton", count: 1, rect: { tx: 32, ty: 5, w: 1, h: 1 } }],
  chests: [{ name: "box", at: { tx: 9, ty: 3 }, items: ["firepotion"] }],
  npcs: [{ name: "Elder", kind: "elder", at: { tx: 9, ty: 1 } }],
});

/** A field of an entity of any type, as the client mirrors it. */
const field = (entity: { values: object } | undefined, name: string): unknown => (entity?.values as Record<string, unknown> | undefined)?.[name];
type Hit = { target: number; attacker: number; damage: number; hp: number };
type Player = { x: number; y: number; hp: number; maxHp: number; weapon: number; armor: number; invincible: boolean };

describe("combat, loot and progression", () => {
  let quest: QuestServer;
  const players: Driven[] = [];
  beforeAll(async () => {
    // Rats always drop leather armor here, so the test sees a drop.
    quest = await startQuest(map, { drops: { rat: [{ item: "armor2", chance: 100 }] } });
  });
  afterAll(async () => {
    for (const p of players) p.stop();
    await quest.close();
  });

  async function playerAt(name: string, token: string, saved: Omit<SavedProgress, "dir" | "look">): Promise<Driven> {
    await quest.seed(token, { dir: "down", look: 0, ...saved });
    const driven = join(quest.url(), name, map, { token });
    players.push(driven);
    await waitFor(`${name} to appear`, () => serverState(driven));
    return driven;
  }
  const me = (d: Driven) => d.client.local?.values as unknown as Player;
  const myId = (d: Driven) => d.client.welcome?.entityId as number;
  const entityAt = (d: Driven, type: string, tx: number, ty: number) =>
    d.client.entities.find((e) => e.type === type && tileOf(e.values.x as number) === tx && tileOf(e.values.y as number) === ty);
  const waitForEntity = (d: Driven, type: string, tx: number, ty: number) => waitFor(`a ${type} at (${tx}, ${ty})`, () => entityAt(d, type, tx, ty));

  it("kills a rat from the next tile and picks up its drop by walking onto it; the armor is kept after a reconnect", async () => {
    const killer = await playerAt("killer", "killer-secret-0000000000", { tx: 2, ty: 2, weapon: 5 });
    const ratEntity = await waitForEntity(killer, "mob", 3, 2);
    killer.client.command("attack", [ratEntity.id]);
    await waitFor("the rat's death", () => eventsNamed<{ id: number }>(killer, "death").find((d) => d.id === ratEntity.id), 5000);
    const hits = eventsNamed<Hit>(killer, "hit").filter((h) => h.target === ratEntity.id);
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits.every((h) => h.attacker === myId(killer) && h.damage >= 22 && h.damage <= 49)).toBe(true);
    expect(hits.at(-1)?.hp).toBe(0);
    const drop = await waitForEntity(killer, "item", 3, 2);
    expect(field(drop, "kind")).toBe("armor2");

    killer.move = MOVE_RIGHT;
    await waitFor("standing on the drop", () => tileOf(serverState(killer)?.x ?? 0) === 3);
    killer.move = MOVE_NONE;
    const loot = await waitFor("the loot event", () => eventsNamed<{ kind: string }>(killer, "loot")[0]);
    expect(loot.kind).toBe("armor2");
    await waitFor("the new armor on the player", () => me(killer).armor === 2);
    expect(me(killer).maxHp).toBe(110);
    const earned = eventsNamed<{ id: string }>(killer, "achievement").map((a) => a.id);
    expect(earned).toEqual(expect.arrayContaining(["first_blood", "first_loot", "armored"]));

    killer.stop();
    const saved = () => savedProgress(quest.store, "killer-secret-0000000000");
    await waitForAsync("the save on leaving", async () => (await saved())?.armor === 2);
    expect(await saved()).toMatchObject({
      weapon: 5,
      kills: { rat: 1 },
      achievements: expect.arrayContaining(["first_blood", "first_loot", "armored"]),
    });
    const back = join(quest.url(), "killer", map, { token: "killer-secret-0000000000" });
    players.push(back);
    await waitFor("the returning killer", () => serverState(back));
    expect(me(back)).toMatchObject({ armor: 2, weapon: 5, maxHp: 110 });
  });

  it("deals nothing from afar, and attacks sent far faster than the weapon's rate hit no faster", async () => {
    const far = await playerAt("faraway", "faraway-secret-000000000", { tx: 10, ty: 8 });
    const farRat = await waitForEntity(far, "mob", 16, 8);
    const spammer = await playerAt("spammer", "spammer-secret-000000000", { tx: 2, ty: 6 });
    const ratEntity = await waitForEntity(spammer, "mob", 3, 6);
    // Both send `attack` every 50 ms: sixteen times the 800 ms swing.
    const spam = setInterval(() => {
      far.client.command("attack", [farRat.id]);
      spammer.client.command("attack", [ratEntity.id]);
    }, 50);
    try {
      const first = await waitFor("the spammer's first hit", () => eventsNamed<Hit>(spammer, "hit").find((h) => h.attacker === myId(spammer)));
      const firstAt = Date.now();
      await waitFor("2 s of spam", () => Date.now() - firstAt >= 2000, 3000);
      const mine = eventsNamed<Hit>(spammer, "hit").filter((h) => h.attacker === myId(spammer));
      // Hits at 0, 800, 1600 ms (the next is due at 2400): never more, whatever the client sends.
      expect(mine.length).toBeLessThanOrEqual(Math.floor(2000 / PLAYER_ATTACK_MS) + 1);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(mine[0]).toEqual(first);
    } finally {
      clearInterval(spam);
    }
    expect(eventsNamed<Hit>(far, "hit").filter((h) => h.target === farRat.id)).toEqual([]);
    expect(field(far.client.get(farRat.id), "hp")).toBe(25);
  });

  it("refuses forged gear: no command sets a weapon, armor or HP", async () => {
    const forger = await playerAt("forger", "forger-secret-0000000000", { tx: 12, ty: 1 });
    for (const [name, args] of [
      ["equip", [7]],
      ["weapon", [7]],
      ["loot", ["weapon7"]],
      ["attack", ["weapon7"]],
    ] as const)
      forger.client.command(name, [...args]);
    await waitFor("four refusals", () => forger.errors.length >= 4);
    expect(forger.errors.map((e) => e.message)).toEqual(["equip", "weapon", "loot", "attack"].map((name) => `command "${name}" failed`));
    expect(me(forger)).toMatchObject({ weapon: 1, armor: 1, hp: 80 });
  });

  it("talks line by line, and a chest gives one of its items", async () => {
    const visitor = await playerAt("visitor", "visitor-secret-000000000", { tx: 9, ty: 2 });
    const elder = await waitForEntity(visitor, "npc", 9, 1);
    const chest = await waitForEntity(visitor, "chest", 9, 3);
    for (let i = 0; i < 4; i++) visitor.client.command("talk", [elder.id]);
    const says = await waitFor("four lines", () => {
      const lines = eventsNamed<{ id: number; line: string; index: number; last: boolean }>(visitor, "say");
      return lines.length >= 4 && lines;
    });
    expect(says.map((s) => [s.id, s.index, s.last])).toEqual([
      [elder.id, 0, false],
      [elder.id, 1, false],
      [elder.id, 2, false],
      [elder.id, 3, true],
    ]);
    visitor.client.command("open", [chest.id]);
    await waitFor("the open chest", () => field(visitor.client.get(chest.id), "open") === true);
    const potion = await waitForEntity(visitor, "item", 9, 3);
    expect(field(potion, "kind")).toBe("firepotion");
    // Drunk by walking onto it: full HP and invincible.
    visitor.move = MOVE_DOWN;
    await waitFor("standing on the potion", () => tileOf(serverState(visitor)?.y ?? 0) === 3);
    visitor.move = MOVE_NONE;
    await waitFor("invincible", () => me(visitor).invincible);
    expect(eventsNamed<{ kind: string }>(visitor, "loot").map((l) => l.kind)).toEqual(["firepotion"]);
  });

  it("refuses worse gear with a notice and leaves it on the ground", async () => {
    const snob = await playerAt("snob", "snob-secret-000000000000", { tx: 12, ty: 10, weapon: 5, armor: 3 });
    const ratEntity = await waitForEntity(snob, "mob", 13, 10);
    snob.client.command("attack", [ratEntity.id]);
    const drop = await waitForEntity(snob, "item", 13, 10);
    snob.move = MOVE_RIGHT;
    await waitFor("standing on the drop", () => tileOf(serverState(snob)?.x ?? 0) === 13);
    snob.move = MOVE_NONE;
    const notice = await waitFor("the refusal", () => eventsNamed<{ text: string }>(snob, "notice").find((n) => /better/.test(n.text)));
    expect(notice.text).toBe("You already have better armor than the leather armor.");
    expect(me(snob).armor).toBe(3);
    expect(snob.client.get(drop.id)).toBeDefined();
    expect(eventsNamed(snob, "loot")).toEqual([]);
  });

  it("regenerates a 25th of its max HP (3 of 80) every 2 s", async () => {
    const healer = await playerAt("healer", "healer-secret-0000000000", { tx: 14, ty: 3, hp: 40 });
    const seen: number[] = [];
    await waitFor(
      "a regeneration",
      () => {
        if (seen.at(-1) !== me(healer).hp) seen.push(me(healer).hp);
        return seen.length >= 2;
      },
      3000,
    );
    expect(seen).toEqual([40, 43]);
  });

  it("dies, and respawns at the last checkpoint reached with full HP and its gear", async () => {
    // Starts in the west (its checkpoint), walks east into the skeleton's reach with 1 HP.
    const victim = await playerAt("victim", "victim-secret-0000000000", { tx: 19, ty: 5, hp: 1, weapon: 4, checkpoint: "cp0" });
    victim.move = MOVE_RIGHT;
    const died = await waitFor("died", () => eventsNamed<{ checkpoint: string }>(victim, "died")[0], 8000);
    victim.move = MOVE_NONE;
    // Inputs sent before the stop (walking right) may still wait in the server's queue: let them
    // be applied (ignored, the victim is dead) before respawning, or one would walk it off the checkpoint.
    const inFlight = victim.client.pendingInputs;
    const seen = victim.snapshots;
    await waitFor("the inputs sent before the stop to be applied", () => victim.snapshots >= seen + inFlight + 2);
    expect(died.checkpoint).toBe("cp1"); // the east's checkpoint, reached on the way
    expect(me(victim).hp).toBe(0);
    const deathAt = { x: me(victim).x, y: me(victim).y };
    expect(tileOf(deathAt.x)).toBeGreaterThan(20);
    victim.client.command("respawn");
    await waitFor("the respawn", () => me(victim).hp > 0);
    expect(me(victim)).toMatchObject({ x: tileCentre(38), y: tileCentre(10), hp: 80, weapon: 4 });
    expect(eventsNamed<{ id: string }>(victim, "achievement").map((a) => a.id)).toEqual(expect.arrayContaining(["into_the_woods", "comeback"]));
  });
});
