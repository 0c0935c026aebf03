import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { TickwireClient } from "@tickwire/client";
import type { GameEvent, Rng } from "@tickwire/engine";

/** What a behaviour sees of its bot. */
export interface BotView {
  /** 0-based index of the bot in the whole swarm (across workers). */
  readonly index: number;
  readonly name: string;
  /** The bot's entity id (Welcome's entityId); -1 before the first Welcome. */
  readonly entityId: number;
  /** Server ticks per second (from Welcome); 0 before it. */
  readonly tickRate: number;
  /**
   * True when snapshots are tracked but not applied (`--light`, or no game schema): then
   * `client.entities` stays empty and a behaviour can only act blind.
   */
  readonly light: boolean;
  /** The bot's client: entities, local player, stats, chat and commands. */
  readonly client: TickwireClient;
  /** Per-bot state the behaviour may keep between calls. */
  readonly memory: Record<string, unknown>;
}

/**
 * A bot's behaviour: it only produces game inputs (and may chat or send commands through
 * `bot.client`). Every call gets the bot's own seeded `Rng`, so a run repeats.
 */
export interface Behavior<I = unknown> {
  readonly name: string;
  /** Called once per input tick while connected; the input to send, or null to send none. */
  input(bot: BotView, tick: number, rng: Rng): I | null;
  /** A game event arrived (server order). */
  onEvent?(bot: BotView, event: GameEvent, rng: Rng): void;
  /** The bot joined as a new player (first Welcome, or a new join after its player was lost). */
  onSpawn?(bot: BotView, rng: Rng): void;
  /**
   * True when it reads entities' `render` values: the bot then samples interpolation every
   * input tick, as a browser does every frame. Default false: bots draw nothing, and sampling
   * every entity is most of a full-mode bot's cost.
   */
  readonly render?: boolean;
}

export class BehaviorError extends Error {
  override name = "BehaviorError";
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks that `candidate` is a behaviour; throws BehaviorError naming `source` and the problem. */
export function checkBehavior(candidate: unknown, source: string): Behavior {
  const behavior = candidate as Partial<Behavior> | null;
  if (typeof behavior !== "object" || behavior === null) throw new BehaviorError(`${source} is not a behaviour object`);
  if (typeof behavior.name !== "string" || !NAME.test(behavior.name)) {
    throw new BehaviorError(`${source}: a behaviour needs a name of letters, digits, _ . - (got ${String(behavior.name)})`);
  }
  if (typeof behavior.input !== "function") throw new BehaviorError(`${source}: behaviour "${behavior.name}" needs an input(bot, tick, rng) function`);
  if (behavior.render !== undefined && typeof behavior.render !== "boolean") {
    throw new BehaviorError(`${source}: behaviour "${behavior.name}".render must be a boolean`);
  }
  for (const hook of ["onEvent", "onSpawn"] as const) {
    if (behavior[hook] !== undefined && typeof behavior[hook] !== "function") {
      throw new BehaviorError(`${source}: behaviour "${behavior.name}".${hook} must be a function`);
    }
  }
  return behavior as Behavior;
}

/** Declares a behaviour; checks its shape once, so a swarm never starts with a broken one. */
export function defineBehavior<I>(behavior: Behavior<I>): Behavior<I> {
  return Object.freeze(checkBehavior(behavior, "defineBehavior")) as Behavior<I>;
}

/** Connected bots that send nothing: the cost of presence alone (snapshots, pings). */
export const idle = defineBehavior<never>({ name: "idle", input: () => null });

/** A wandering player turns about every 2 s: the field scene's players (shared/scenarios/field.md). */
export const WANDER_TURN_SECONDS = 2;

interface Move {
  dx: number;
  dy: number;
}

function turn(bot: BotView, rng: Rng): Move {
  // A fresh object per turn: the client's reconciler may keep the previous one as a pending input.
  const move = { dx: rng.int(-1, 1), dy: rng.int(-1, 1) };
  bot.memory.move = move;
  return move;
}

/**
 * `dx`, `dy` ∈ {-1, 0, 1}, a new random direction with probability 1 / (2 s × tick rate)
 * each tick: memoryless turns, about every 2 s on average, as the field scene's players.
 */
export const wander = defineBehavior<Move>({
  name: "wander",
  onSpawn: (bot, rng) => {
    turn(bot, rng);
  },
  input(bot, _tick, rng) {
    const current = bot.memory.move as Move | undefined;
    const turnChance = 1 / (WANDER_TURN_SECONDS * Math.max(1, bot.tickRate));
    if (current === undefined || rng.next() < turnChance) return turn(bot, rng);
    return current;
  },
});

export const BUILTIN_BEHAVIORS: Readonly<Record<string, Behavior>> = Object.freeze({ idle, wander });

/** A game module's `behaviors` export: a record by name or a list. */
export type BehaviorSet = Readonly<Record<string, Behavior>> | readonly Behavior[];

function findIn(set: unknown, name: string): unknown {
  if (Array.isArray(set)) return set.find((behavior) => (behavior as Behavior | null)?.name === name);
  if (typeof set === "object" && set !== null) return (set as Record<string, unknown>)[name];
  return undefined;
}

/** True for `--behavior` values that name a module rather than a registered behaviour. */
export function isModuleSpec(spec: string): boolean {
  return spec.includes("#") || spec.includes("/") || spec.includes("\\") || /\.(m?js|ts|mts)$/.test(spec);
}

/** `./file.js#name` → the module's URL (relative paths against `cwd`) and the export name. */
export function splitModuleSpec(spec: string, cwd: string): { url: string; exportName: string | undefined } {
  const hash = spec.lastIndexOf("#");
  const path = hash < 0 ? spec : spec.slice(0, hash);
  const exportName = hash < 0 ? undefined : spec.slice(hash + 1) || undefined;
  if (path === "") throw new BehaviorError(`"${spec}" names no module`);
  const url = path.startsWith("file:") ? path : pathToFileURL(isAbsolute(path) ? path : resolve(cwd, path)).href;
  return { url, exportName };
}

/**
 * Finds a behaviour: a built-in (`idle`, `wander`), one the game module provides, or a
 * module export: `./my-behaviors.js#fight` (the export `fight`, or `fight` in its
 * `behaviors` export), `./fight.js` (its default export).
 */
export async function loadBehavior(spec: string, options: { cwd: string; gameBehaviors?: BehaviorSet }): Promise<Behavior> {
  if (!isModuleSpec(spec)) {
    const found = BUILTIN_BEHAVIORS[spec] ?? findIn(options.gameBehaviors, spec);
    if (found === undefined) {
      const known = [...Object.keys(BUILTIN_BEHAVIORS), ...behaviorNames(options.gameBehaviors)];
      throw new BehaviorError(`unknown behaviour "${spec}" (known: ${known.join(", ")}; or give a module: ./file.js#name)`);
    }
    return checkBehavior(found, `behaviour "${spec}"`);
  }
  const { url, exportName } = splitModuleSpec(spec, options.cwd);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new BehaviorError(`cannot load behaviour module ${url}: ${(error as Error).message}`);
  }
  const candidate =
    exportName === undefined
      ? module.default
      : (module[exportName] ?? findIn(module.behaviors, exportName) ?? findIn(module.default, exportName));
  if (candidate === undefined) throw new BehaviorError(`${url} has no behaviour "${exportName ?? "default"}"`);
  return checkBehavior(candidate, `${url}#${exportName ?? "default"}`);
}

function behaviorNames(set: BehaviorSet | undefined): string[] {
  if (set === undefined) return [];
  return Array.isArray(set) ? set.map((behavior) => behavior.name) : Object.keys(set);
}
