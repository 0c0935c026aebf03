import { Rng } from "@tickwire/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuestBehavior, type QuestBotView } from "../src/bots/index.js";
import { tileOf } from "../src/shared/map.js";
import type { MoverState } from "../src/shared/movement.js";
import { TICK_RATE } from "../src/shared/schema.js";
import { loadWorldMap } from "../src/server/world-map.js";
import { type Driven, eventsNamed, join, type QuestServer, serverState, startQuest, waitFor } from "./headless-helpers.js";

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
