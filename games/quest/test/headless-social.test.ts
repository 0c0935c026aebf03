import { CloseCode } from "@tickwire/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tileCentre } from "../src/shared/map.js";
import { CHAT_BURST, IDLE_KICK_REASON, INTEREST_RADIUS_TILES } from "../src/server/game.js";
import { loadWorldMap } from "../src/server/world-map.js";
import { type Driven, eventsNamed, join, type QuestServer, serverState, startQuest, waitFor, waitForAsync } from "./headless-helpers.js";
import { asciiMap } from "./shared-fixtures.js";

const world = loadWorldMap();
const appeared = (driven: Driven) => waitFor("the player's entity", () => serverState(driven));
type Chat = { from: number; name: string; text: string };
type Population = { world: number; total: number };

describe("chat", () => {
  let quest: QuestServer;
  const players: Driven[] = [];
  beforeAll(async () => {
    quest = await startQuest(world);
  });
  afterAll(async () => {
    for (const p of players) p.stop();
    await quest.close();
  });

  it("reaches the players near the speaker, sanitized, and not those far away", async () => {
    const beach = world.checkpoints.find((c) => world.zoneAt(c.tx, c.ty)?.kind === "beach")!;
    expect(Math.abs(beach.tx - world.spawn.tx)).toBeGreaterThan(INTEREST_RADIUS_TILES);
    await quest.seed("far-away-player-secret-000", { tx: beach.tx, ty: beach.ty, dir: "down", look: 0 });
    const speaker = join(quest.url(), "speaker", world);
    const near = join(quest.url(), "near", world);
    const far = join(quest.url(), "far", world, { token: "far-away-player-secret-000" });
    players.push(speaker, near, far);
    await Promise.all([appeared(speaker), appeared(near), appeared(far)]);
    expect(serverState(far)).toMatchObject({ x: tileCentre(beach.tx), y: tileCentre(beach.ty) });

    // (Control characters are refused by the protocol itself, before the game sees them.)
    speaker.client.chat("  hello\u202e  there\u2066 ");
    const line = await waitFor("the line near by", () => eventsNamed<Chat>(near, "chat")[0]);
    expect(line).toEqual({ from: speaker.client.welcome!.entityId, name: "speaker", text: "hello there" });
    expect(eventsNamed<Chat>(speaker, "chat")).toEqual([line]);
    // Events of one tick arrive together: once the far player has a population update sent
    // after the line, it would have had the line too.
    const seen = eventsNamed(far, "population").length;
    await waitFor("a later population update far away", () => eventsNamed(far, "population").length > seen, 3000);
    expect(eventsNamed(far, "chat")).toEqual([]);
  });

  it("stays in the speaker's area: a player in a house's room does not hear the cave next to it", async () => {
    const cave = world.zones.find((z) => z.kind === "cave")!;
    const room = world.zones.find((z) => z.name === "Miller's house")!;
    const roomSpot = world.checkpoints.find((c) => world.zoneAt(c.tx, c.ty) === room)!;
    // The cave's open tile nearest to the room.
    let caveSpot = { tx: -1, ty: -1 };
    for (let ty = cave.rect.ty; ty < cave.rect.ty + cave.rect.h; ty++)
      for (let tx = cave.rect.tx; tx < cave.rect.tx + cave.rect.w; tx++)
        if (!world.blocked(tx, ty) && !world.portalAt(tx, ty) && Math.hypot(tx - roomSpot.tx, ty - roomSpot.ty) < Math.hypot(caveSpot.tx - roomSpot.tx, caveSpot.ty - roomSpot.ty))
          caveSpot = { tx, ty };
    expect(Math.hypot(caveSpot.tx - roomSpot.tx, caveSpot.ty - roomSpot.ty)).toBeLessThan(INTEREST_RADIUS_TILES);
    await quest.seed("player-in-the-cave-secret-0", { ...caveSpot, dir: "down", look: 0 });
    await quest.seed("player-in-the-room-secret-0", { ...roomSpot, dir: "down", look: 0 });
    const caver = join(quest.url(), "caver", world, { token: "player-in-the-cave-secret-0" });
    const miller = join(quest.url(), "miller", world, { token: "player-in-the-room-secret-0" });
    players.push(caver, miller);
    await Promise.all([appeared(caver), appeared(miller)]);
    caver.client.chat("echo!");
    await waitFor("the caver's own line", () => eventsNamed<Chat>(caver, "chat")[0]);
    const seen = eventsNamed(miller, "population").length;
    await waitFor("a later population update in the room", () => eventsNamed(miller, "population").length > seen, 3000);
    expect(eventsNamed(miller, "chat")).toEqual([]);
  });

  it("limits how fast a player talks, and says so", async () => {
    const chatty = join(quest.url(), "chatty", world);
    players.push(chatty);
    await appeared(chatty);
    for (let i = 0; i <= CHAT_BURST; i++) chatty.client.chat(`line ${i}`);
    const notice = await waitFor("the notice", () => eventsNamed<{ text: string }>(chatty, "notice")[0]);
    expect(notice.text).toMatch(/too fast/);
    expect(eventsNamed<Chat>(chatty, "chat").map((c) => c.text)).toEqual(Array.from({ length: CHAT_BURST }, (_, i) => `line ${i}`));
  });
});

describe("worlds and population", () => {
  const small = asciiMap(["S...", "...."]);
  let quest: QuestServer;
  const players: Driven[] = [];
  beforeAll(async () => {
    quest = await startQuest(small, { worlds: 2, capacity: 2 });
  });
  afterAll(async () => {
    for (const p of players) p.stop();
    await quest.close();
  });

  /** Waits until matchmaking's listings show these populations. */
  const listed = (populations: Record<string, number>) =>
    waitForAsync(`listings ${JSON.stringify(populations)}`, async () =>
      (await quest.listings.list()).every((l) => l.population === (populations[l.id] ?? l.population)),
    );

  it("fill in order through /matchmake, and every player's HUD counts its world and all worlds within a second", async () => {
    const toFirst = await quest.matchmake();
    expect(toFirst?.world).toBe("quest-1");
    const first = join(toFirst!.url, "first", small);
    players.push(first);
    await appeared(first);
    await waitFor("population 1", () => eventsNamed<Population>(first, "population").at(-1)?.world === 1);

    // Least-full matchmaking would now answer quest-2.
    await listed({ "quest-1": 1, "quest-2": 0 });
    const toSecond = await quest.matchmake();
    expect(toSecond?.world).toBe("quest-1");
    const second = join(toSecond!.url, "second", small);
    players.push(second);
    await appeared(second);
    const twoHere = Date.now();
    await waitFor("the first player to see two", () => {
      const last = eventsNamed<Population>(first, "population").at(-1);
      return last?.world === 2 && last.total === 2;
    });
    expect(Date.now() - twoHere).toBeLessThan(1000);

    // quest-1 is full: the next player goes to quest-2, and the first sees the total grow.
    await listed({ "quest-1": 2 });
    const toThird = await quest.matchmake();
    expect(toThird?.world).toBe("quest-2");
    const third = join(toThird!.url, "third", small);
    players.push(third);
    await appeared(third);
    await waitFor("the total to reach three", () => eventsNamed<Population>(first, "population").at(-1)?.total === 3);
    expect(eventsNamed<Population>(third, "population").at(-1)).toEqual({ world: 1, total: 3 });
  });

  it("refuses a join to a full world with a clear reason", async () => {
    const late = join(quest.url("quest-1"), "late", small);
    players.push(late);
    await waitFor("the refusal", () => late.client.state === "closed");
    expect(late.errors.map((e) => e.message).join(" ")).toMatch(/world full/);
  });
});

describe("dismissals", () => {
  const small = asciiMap(["S...", "...."]);
  let quest: QuestServer;
  beforeAll(async () => {
    quest = await startQuest(small, { idleTimeoutMs: 300 });
  });
  afterAll(() => quest.close());

  it("kicks an idle player with the reason in the close (timeout configurable down to a fraction of a second)", async () => {
    const idle = join(quest.url(), "sleepy", small);
    await waitFor("the close", () => idle.closed, 3000);
    expect(idle.disconnects).toEqual([{ code: CloseCode.Kicked, reason: IDLE_KICK_REASON, willRetry: false, welcomed: true, status: 0 }]);
    expect(idle.closed).toEqual({ code: CloseCode.Kicked, reason: IDLE_KICK_REASON });
    idle.stop();
  });

  it("refuses names that are too long or hold invisible characters before they exist in the world, saying why (blank ones the protocol refuses)", async () => {
    const world = quest.server.worlds.get("quest-1")!;
    for (const [name, why] of [
      ["x".repeat(16), "Names are at most 15 characters."],
      ["evil\u202ename", "Names may only hold visible characters."],
      ["   ", "name must not be blank or invisible"],
    ] as const) {
      const player = join(quest.url(), name, small);
      await waitFor("the refusal", () => player.closed);
      expect(player.disconnects).toEqual([{ code: CloseCode.JoinRefused, reason: why, willRetry: false, welcomed: false, status: 0 }]);
      expect(player.client.welcome).toBeNull();
      expect(player.snapshots).toBe(0);
      expect(world.sessions.size).toBe(0);
      player.stop();
    }
  });
});
