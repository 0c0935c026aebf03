import { Rng } from "@tickwire/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFightBehavior, createQuestBehavior, FIGHT_LOOK_EVERY_S, type FightBotView, type QuestBotView } from "../src/bots/index.js";
import { tileCentre, tileOf } from "../src/shared/map.js";
import type { MoverState } from "../src/shared/movement.js";
import { TICK_RATE } from "../src/shared/schema.js";
import { loadWorldMap } from "../src/server/world-map.js";
import { type Driven, eventsNamed, join, type QuestServer, serverState, startQuest, waitFor } from "./headless-helpers.js";
import { asciiMap } from "./shared-fixtures.js";

const world = loadWorldMap();

describe("the quest bot behaviour", () => {
  let quest: QuestServer;
  beforeAll(async () => {
    quest = await startQuest(world);
  });
  afterAll(() => quest.close());

  /** Runs the behaviour for `ms` on a real client, one input per tick, as tickwire-bots does. */
  async function play(bot: Driven, predict: boolean, ms: number, seed: number) {
    const behavior = createQuestBehavior({ map: world, chatEverySeconds: 0.5 });
    const view: QuestBotView = { tickRate: TICK_RATE, light: !predict, client: bot.client, memory: {} };
    const rng = new Rng(seed);
    const commands: unknown[][] = [];
    const command = bot.client.command.bind(bot.client);
    bot.client.command = (name, args) => {
      commands.push([name, ...(args ?? [])]);
      return command(name, args);
    };
    await waitFor("the bot's entity", () => serverState(bot));
    behavior.onSpawn(view);
    let tick = 0;
    await new Promise<void>((resolve) => {
      const began = Date.now();
      const timer = setInterval(() => {
        bot.client.sendInput(behavior.input(view, tick++, rng));
        if (Date.now() - began >= ms) {
          clearInterval(timer);
          resolve();
        }
      }, 1000 / TICK_RATE);
    });
    return { view, commands };
  }

  it("walks to reachable tiles nearby along the shared A* (never into walls) and chats now and then", async () => {
    const bot = join(quest.url(), "bot-1", world, { manual: true });
    const { commands } = await play(bot, true, 3000, 1);
    expect(commands.length).toBeGreaterThanOrEqual(1);
    expect(eventsNamed(bot, "notice")).toEqual([]);
    const tiles = new Set(bot.track.map((p) => `${tileOf(p.x)},${tileOf(p.y)}`));
    expect(tiles.size).toBeGreaterThanOrEqual(4);
    for (const p of bot.track) expect(world.blocked(tileOf(p.x), tileOf(p.y))).toBe(false);
    expect(eventsNamed<{ name: string }>(bot, "chat").filter((c) => c.name === "bot-1").length).toBeGreaterThanOrEqual(1);
    bot.stop();
  });

  it("without prediction (light mode) follows its walk with the shared step, and ends where the server has it", async () => {
    const bot = join(quest.url(), "bot-2", world, { manual: true, predict: false });
    const { view } = await play(bot, false, 2000, 2);
    await waitFor("every input acknowledged", () => bot.client.pendingInputs === 0);
    const believed = (view.memory.quest as { mover: MoverState }).mover;
    await waitFor("the last snapshot", () => serverState(bot)!.x === believed.x && serverState(bot)!.y === believed.y, 2000);
    expect(new Set(bot.track.map((p) => `${tileOf(p.x)},${tileOf(p.y)}`)).size).toBeGreaterThanOrEqual(3);
    bot.stop();
  });
});

describe("the fight bot behaviour", () => {
  const field = asciiMap(Array.from({ length: 14 }, (_, y) => (y === 2 ? "..S" + ".".repeat(17) : ".".repeat(20))), {
    mobs: [{ name: "rats", kind: "rat", count: 3, rect: { tx: 9, ty: 7, w: 4, h: 4 } }],
  });
  let quest: QuestServer;
  beforeAll(async () => {
    quest = await startQuest(field);
  });
  afterAll(() => quest.close());

  it("clicks the nearest mob, walks next to it, lets the server swing until it dies, then takes on the next", async () => {
    await quest.seed("fight-bot-secret-00000000", { tx: 2, ty: 2, dir: "down", look: 0, weapon: 5 });
    const bot = join(quest.url(), "fighter", field, { manual: true, token: "fight-bot-secret-00000000" });
    await waitFor("the bot's entity", () => serverState(bot));
    const behavior = createFightBehavior({ map: field });
    const view: FightBotView = { tickRate: TICK_RATE, light: false, client: bot.client, memory: {}, entityId: bot.client.welcome!.entityId };
    const rng = new Rng(5);
    bot.client.on("event", (event) => behavior.onEvent(view, event));
    behavior.onSpawn(view);
    let tick = 0;
    const timer = setInterval(() => bot.client.sendInput(behavior.input(view, tick++, rng)), 1000 / TICK_RATE);
    try {
      await waitFor("two rats killed", () => eventsNamed(bot, "death").length >= 2, 10_000);
    } finally {
      clearInterval(timer);
    }
    const myHits = eventsNamed<{ attacker: number; target: number }>(bot, "hit").filter((h) => h.attacker === view.entityId);
    expect(new Set(myHits.map((h) => h.target)).size).toBeGreaterThanOrEqual(2);
    // No walk refused, no "too far" (its saved progress earns it a welcome back).
    expect(eventsNamed<{ text: string }>(bot, "notice").map((n) => n.text)).toEqual(["Welcome back, fighter!"]);
    bot.stop();
  });
});

describe("the fight behaviour's think rate", () => {
  it("with no mob in sight it scans what it sees every FIGHT_LOOK_EVERY_S, not every tick, and clicks a mob that came into view by the next look", () => {
    const behavior = createFightBehavior({ map: world });
    const at = { x: tileCentre(world.spawn.tx), y: tileCentre(world.spawn.ty) };
    const me = { id: 1, type: "player", values: { ...at, hp: 80 } };
    const seen: { id: number; type: string; values: Record<string, number> }[] = [me];
    const commands: unknown[][] = [];
    let scans = 0;
    const client = {
      get entities() {
        scans++;
        return seen;
      },
      get: (id: number) => seen.find((entity) => entity.id === id),
      local: me,
      predicted: { ...at, dir: "down", moving: false },
      command: (name: string, args: unknown[] = []) => commands.push([name, ...args]) > 0,
      chat: () => true,
    };
    const view = { tickRate: TICK_RATE, light: false, client, memory: {}, entityId: me.id } as unknown as FightBotView;
    const rng = new Rng(3);
    behavior.onSpawn(view);
    const seconds = 2;
    let tick = 0;
    for (; tick < seconds * TICK_RATE; tick++) behavior.input(view, tick, rng);
    expect(scans).toBe(seconds / FIGHT_LOOK_EVERY_S);
    seen.push({ id: 2, type: "mob", values: { x: at.x + 32, y: at.y } });
    const lookTicks = FIGHT_LOOK_EVERY_S * TICK_RATE;
    for (const end = tick + lookTicks; tick < end; tick++) behavior.input(view, tick, rng);
    expect(commands.filter(([name]) => name === "attack")).toEqual([["attack", 2]]);
  });
});
