import type { GameEvent } from "@tickwire/engine";
import { Rng } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import type { Behavior, BotView } from "../src/bots/behavior.js";
import { withHitProbe } from "../src/bench/quest-hits.js";

// The probe's rule on a bot whose client state the test sets: Quest tiles are 16 px, the
// mob stands on tile (10, 10). The wrapped behaviour clicks mob 7 once, as `fight` does.
const MOB = 7;
const ME = 3;
const tile = (t: number) => t * 16 + 8;

function setup() {
  let now = 1000;
  const sent: { name: string; args: unknown }[] = [];
  const latencies: number[] = [];
  const client = {
    predicted: { x: tile(5), y: tile(10), moving: true } as { x: number; y: number; moving: boolean },
    entities: [{ id: MOB, type: "mob", values: { x: tile(10), y: tile(10) } }],
    get(id: number) {
      return this.entities.find((entity) => entity.id === id);
    },
    command(name: string, args: unknown) {
      sent.push({ name, args });
      return true;
    },
  };
  const bot = { index: 0, name: "bot0", entityId: ME, tickRate: 20, light: false, client, memory: {} } as unknown as BotView;
  const fight: Behavior = {
    name: "fight",
    input(view) {
      if (view.memory.clicked === undefined) {
        view.memory.clicked = true;
        view.client.command("attack", [MOB]);
      }
      return { move: 0 };
    },
  };
  const probe = withHitProbe(fight, { now: () => now, record: (ms) => latencies.push(ms) });
  const rng = new Rng(1);
  const hit = (target: number, attacker: number): GameEvent => ({ name: "hit", data: { target, attacker, damage: 5, hp: 20 } }) as GameEvent;
  return {
    client,
    sent,
    latencies,
    tick: () => probe.input(bot, 0, rng),
    event: (event: GameEvent) => probe.onEvent?.(bot, event, rng),
    hit,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("the attack→hit probe of the quest fight run", () => {
  it("sends attack again once the bot stands next to its mob, and times it to the bot's own first hit on it", () => {
    const s = setup();
    s.tick();
    expect(s.sent).toEqual([{ name: "attack", args: [MOB] }]);
    // Walking up: not timed yet.
    s.client.predicted = { x: tile(9), y: tile(10), moving: true };
    s.tick();
    expect(s.sent).toHaveLength(1);
    s.client.predicted = { x: tile(9), y: tile(10), moving: false };
    s.tick();
    expect(s.sent).toEqual([
      { name: "attack", args: [MOB] },
      { name: "attack", args: [MOB] },
    ]);
    s.advance(40);
    s.event(s.hit(MOB, 99)); // another player's swing is not this bot's damage
    s.event(s.hit(12, ME)); // nor a hit on another mob
    expect(s.latencies).toEqual([]);
    s.advance(30);
    s.event(s.hit(MOB, ME));
    expect(s.latencies).toEqual([70]);
    // Later swings at the same mob are the fight going on, not a new click.
    s.tick();
    s.advance(800);
    s.event(s.hit(MOB, ME));
    expect(s.latencies).toEqual([70]);
    expect(s.sent).toHaveLength(2);
  });

  it("does not time a diagonal neighbour or a mob out of sight", () => {
    const s = setup();
    s.client.predicted = { x: tile(9), y: tile(9), moving: false };
    s.tick();
    s.client.entities = [];
    s.client.predicted = { x: tile(9), y: tile(10), moving: false };
    s.tick();
    expect(s.sent).toHaveLength(1);
  });
});
