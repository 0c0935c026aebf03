import { DEFAULT_LIMITS } from "@tickwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tileCentre, tileOf } from "../src/shared/map.js";
import { WALK_SPEED } from "../src/shared/movement.js";
import { MOVE_LEFT, MOVE_NONE, MOVE_RIGHT, MOVE_UP, POSITION_RESOLUTION, TICK_RATE } from "../src/shared/schema.js";
import { TILE_SIZE } from "../src/shared/tiles.js";
import { loadWorldMap } from "../src/server/world-map.js";
import { type Driven, eventsNamed, join, type QuestServer, serverState, startQuest, waitFor } from "./headless-helpers.js";
import { asciiMap } from "./shared-fixtures.js";

const appeared = (driven: Driven) => waitFor("the player's entity", () => serverState(driven));
/** Waits for `ticks` more snapshots. */
const ticks = (driven: Driven, count: number) => {
  const until = driven.snapshots + count;
  return waitFor(`${count} snapshots`, () => driven.snapshots >= until);
};

describe("movement against a real server", () => {
  // A corridor between two walls, 40 tiles long.
  const map = asciiMap(["#".repeat(40), "S" + ".".repeat(39), "#".repeat(40)]);
  let quest: QuestServer;
  const players: Driven[] = [];
  beforeAll(async () => {
    quest = await startQuest(map);
  });
  afterAll(async () => {
    for (const p of players) p.stop();
    await quest.close();
  });

  it("refuses walking into a wall or off the map: pushed against them for half a second each, the player stays (server and prediction)", async () => {
    const walker = join(quest.url(), "walker", map);
    players.push(walker);
    await appeared(walker);
    for (const move of [MOVE_UP, MOVE_LEFT]) {
      walker.move = move;
      await ticks(walker, 10);
      expect(serverState(walker)).toMatchObject({ x: tileCentre(0), y: tileCentre(1), moving: false });
      expect(walker.client.predicted).toMatchObject({ x: tileCentre(0), y: tileCentre(1) });
    }
    expect(serverState(walker)!.dir).toBe("left");
    walker.stop();
  });

  it("gives a speed hack nothing: inputs sent twice as fast never move a player more than a step per server tick", async () => {
    const honest = join(quest.url(), "honest", map);
    const hacker = join(quest.url(), "hacker", map, { manual: true, predict: false });
    players.push(honest, hacker);
    await Promise.all([appeared(honest), appeared(hacker)]);
    honest.move = MOVE_RIGHT;
    const began = Date.now();
    await new Promise<void>((resolve) => {
      const flood = setInterval(() => {
        // Two inputs per 50 ms tick: double the honest rate, within the server's message rate limit.
        hacker.client.sendInput({ move: MOVE_RIGHT });
        hacker.client.sendInput({ move: MOVE_RIGHT });
        if (Date.now() - began >= 1000) {
          clearInterval(flood);
          resolve();
        }
      }, 50);
    });
    honest.move = MOVE_NONE;
    const stopper = setInterval(() => hacker.client.sendInput({ move: MOVE_NONE }), 50);
    await ticks(honest, 10);
    await waitFor("both to stop", () => !serverState(honest)!.moving && !serverState(hacker)!.moving);
    clearInterval(stopper);
    // Speed is distance over server ticks: the hacker's extra inputs queue up (and are
    // trimmed); no tick applies more than one, beyond the few a client may bank while idle
    // to catch up after network bunching (the server's maxInputsPerTick).
    const oneTick = WALK_SPEED / TICK_RATE + POSITION_RESOLUTION;
    const bank = DEFAULT_LIMITS.maxInputsPerTick - 1;
    const track = hacker.track;
    for (let i = 0; i < track.length; i++)
      for (let j = i + 1; j < track.length; j++)
        expect(track[j].x - track[i].x).toBeLessThanOrEqual((track[j].tick - track[i].tick + bank) * oneTick);
    const ticksWalked = honest.track.filter((p, i) => i > 0 && p.x !== honest.track[i - 1].x).length;
    expect(serverState(honest)!.x - tileCentre(0)).toBeGreaterThanOrEqual((ticksWalked - 1) * (oneTick - 2 * POSITION_RESOLUTION));
    // A second of walking is about 8 tiles; twice the inputs, honoured, would be 16.
    expect(serverState(hacker)!.x - tileCentre(0)).toBeLessThan(13 * TILE_SIZE);
    honest.stop();
    hacker.stop();
  });

  it("answers a walk to an unreachable tile with a notice, and a reachable one with none", async () => {
    const clicker = join(quest.url(), "clicker", map);
    players.push(clicker);
    await appeared(clicker);
    clicker.client.command("walk", [5, 0]);
    const [refusal] = await waitFor("a notice", () => {
      const notices = eventsNamed<{ text: string }>(clicker, "notice");
      return notices.length > 0 && notices;
    });
    expect(refusal.text).toMatch(/can't get there/);
    clicker.client.command("walk", [20, 1]);
    clicker.client.command("walk", [60, 1]);
    await waitFor("a second notice", () => eventsNamed(clicker, "notice").length === 2);
    await ticks(clicker, 5);
    expect(eventsNamed(clicker, "notice")).toHaveLength(2);
    clicker.stop();
  });
});

describe("a returning player", () => {
  const world = loadWorldMap();
  let quest: QuestServer;
  beforeAll(async () => {
    quest = await startQuest(world);
  });
  afterAll(() => quest.close());

  it("comes back where they left, welcomed back; another browser starts at the spawn", async () => {
    const secret = "returning-player-secret-0123456789";
    const first = join(quest.url(), "ada", world, { token: secret });
    const start = await appeared(first);
    expect(start).toMatchObject({ x: tileCentre(world.spawn.tx), y: tileCentre(world.spawn.ty) });
    first.move = MOVE_LEFT;
    await waitFor("three tiles walked", () => serverState(first)!.x <= tileCentre(world.spawn.tx - 3));
    first.move = MOVE_NONE;
    await waitFor("a stop", () => !serverState(first)!.moving);
    const left = { x: serverState(first)!.x, y: serverState(first)!.y };
    expect(left.x).toBeLessThan(tileCentre(world.spawn.tx));
    first.stop();

    const again = join(quest.url(), "ada", world, { token: secret });
    expect(await appeared(again)).toMatchObject(left);
    await waitFor("the welcome back", () => eventsNamed<{ text: string }>(again, "notice").some((n) => n.text === "Welcome back, ada!"));
    const stranger = join(quest.url(), "bob", world, { token: "another-browser-secret-987654321" });
    expect(await appeared(stranger)).toMatchObject({ x: tileCentre(world.spawn.tx), y: tileCentre(world.spawn.ty) });
    again.stop();
    stranger.stop();
  });

  it("newcomers arriving together each appear on a tile of their own around the spawn, not piled on it", async () => {
    const newcomers = ["cai", "dee", "eve"].map((name) => join(quest.url(), name, world));
    const spots: { x: number; y: number }[] = [];
    for (const newcomer of newcomers) spots.push(await appeared(newcomer));
    const tiles = spots.map((at) => `${tileOf(at.x)},${tileOf(at.y)}`);
    expect(new Set(tiles).size).toBe(newcomers.length);
    for (const at of spots) {
      expect(Math.max(Math.abs(tileOf(at.x) - world.spawn.tx), Math.abs(tileOf(at.y) - world.spawn.ty))).toBeLessThanOrEqual(3);
      expect(world.blocked(tileOf(at.x), tileOf(at.y))).toBe(false);
    }
    for (const newcomer of newcomers) newcomer.stop();
  });
});
