/**
 * Attack → damage shown, at the bot: wraps Quest's `fight` behaviour and, once the bot stands
 * still on a tile next to the mob it attacks (as a player who walked up and clicks it), sends
 * `attack` again and times it to the first `hit` on that mob by this bot. Only the protocol is
 * read (`attack [mobId]`, `hit { target, attacker }`), not the behaviour's internals.
 */
import type { GameEvent, Rng } from "@tickwire/engine";
import type { Behavior, BotView } from "../bots/behavior.js";

/** Quest's tile, in the entities' pixel coordinates (games/quest/src/shared/tiles.ts TILE_SIZE). */
const QUEST_TILE_PX = 16;

interface Probe {
  /** The mob the bot last sent `attack` for, or -1. */
  target: number;
  /** When the timed `attack` went out, or null while none waits for its hit. */
  sentAt: number | null;
  /** This target's latency was taken (or its first hit came before the bot saw itself next to it). */
  done: boolean;
}

export interface HitProbeOptions {
  now: () => number;
  /** A latency, ms; the caller decides whether it falls in its window. */
  record: (latencyMs: number) => void;
}

function tile(value: unknown): number {
  return Math.floor((value as number) / QUEST_TILE_PX);
}

/**
 * Reports the `attack` commands the bot's client sends to `onAttack`: its `command` is
 * wrapped on the client itself, once, rather than the behaviour handed a proxy, which
 * would cost a trap on every property the behaviour reads each tick.
 */
function watchAttacks(client: BotView["client"], onAttack: (target: number) => void): void {
  const command = client.command.bind(client);
  client.command = (name, args) => {
    if (name === "attack" && Array.isArray(args)) onAttack(args[0] as number);
    return command(name, args);
  };
}

export function withHitProbe(inner: Behavior, options: HitProbeOptions): Behavior {
  const watched = new WeakSet<object>();
  const probeOf = (bot: BotView): Probe => {
    let probe = bot.memory.hitProbe as Probe | undefined;
    if (probe === undefined) {
      probe = { target: -1, sentAt: null, done: false };
      bot.memory.hitProbe = probe;
    }
    return probe;
  };
  const watch = (bot: BotView): void => {
    if (watched.has(bot.client)) return;
    watched.add(bot.client);
    watchAttacks(bot.client, (target) => {
      const probe = probeOf(bot);
      if (target !== probe.target) Object.assign(probe, { target, sentAt: null, done: false });
    });
  };
  const nextToTarget = (bot: BotView, probe: Probe): boolean => {
    const me = bot.client.predicted as { x: number; y: number; moving: boolean } | undefined;
    if (me === undefined || me.moving) return false;
    const mob = bot.client.get(probe.target);
    if (mob === undefined) return false;
    const values = mob.values as Record<string, unknown>;
    return Math.abs(tile(me.x) - tile(values.x)) + Math.abs(tile(me.y) - tile(values.y)) === 1;
  };
  return {
    name: inner.name,
    render: inner.render,
    onSpawn(bot: BotView, rng: Rng) {
      bot.memory.hitProbe = undefined;
      watch(bot);
      inner.onSpawn?.(bot, rng);
    },
    onEvent(bot: BotView, event: GameEvent, rng: Rng) {
      inner.onEvent?.(bot, event, rng);
      if (event.name !== "hit") return;
      const probe = probeOf(bot);
      const hit = event.data as { target?: number; attacker?: number } | null;
      if (probe.done || hit?.target !== probe.target || hit.attacker !== bot.entityId) return;
      if (probe.sentAt !== null) options.record(options.now() - probe.sentAt);
      probe.sentAt = null;
      probe.done = true;
    },
    input(bot: BotView, tick: number, rng: Rng) {
      watch(bot);
      const input = inner.input(bot, tick, rng);
      const probe = probeOf(bot);
      if (probe.target >= 0 && !probe.done && probe.sentAt === null && nextToTarget(bot, probe)) {
        bot.client.command("attack", [probe.target]);
        probe.sentAt = options.now();
      }
      return input;
    },
  };
}
