import {
  type CommandArg,
  type Entity,
  type EntityBase,
  type EntityStore,
  type InputSchema,
  MAX_TICK_RATE,
  type Rng,
  type Schema,
  type SpawnInit,
  type TypeName,
  type WireValue,
} from "@tickwire/engine";
import type { PlayerRecord } from "./persistence/player-store.js";

/** Ticks per second when a game does not say: a snapshot every 50 ms. */
export const DEFAULT_TICK_RATE = 20;
/** Players per world when a game does not say. */
export const DEFAULT_CAPACITY = 100;
/**
 * Interest cells a third of the radius wide. Bytes do not depend on it (a client gets the
 * exact circle); work does: at 1,000 clients in the field scene a tick took 11 ms with
 * cells of r/3 or r/2, 12.5 with r/6 and 15.5 with r/8 (more cells to walk per view),
 * fewer entity-by-entity tests in the boundary cells not making up for it.
 */
export const DEFAULT_CELL_SIZE_PER_RADIUS = 1 / 3;

/** Who gets an event: one player, everybody, or the players whose entity is near a point. */
export type EventTarget<S extends Schema = Schema> = Player<S, unknown> | "all" | NearPoint;

export interface NearPoint {
  readonly x: number;
  readonly y: number;
  /** Defaults to the world's interest radius (or everyone with interest "all"). */
  readonly radius?: number;
}

/**
 * A player: one session, kept across reconnects while its resume grace lasts. `D` is the
 * game's per-player data, made by the definition's `playerData`.
 */
export interface Player<S extends Schema = Schema, D = unknown> {
  /** Session number, unique in the process. Not the entity id. */
  readonly id: number;
  readonly name: string;
  /** What the auth hook returned for this connection's token (undefined without auth). */
  readonly identity: unknown;
  /**
   * The entity the player controls and sees the world from: onJoin's return value. Its id
   * is Welcome's `entityId`. The game may replace it (respawn); tell the client with an event.
   */
  entity: Entity<S> | undefined;
  /** False while the player is disconnected and kept for resume. */
  readonly connected: boolean;
  /** Seq of the last input applied, echoed as `ackSeq` in snapshots; -1 before any input. */
  readonly lastProcessedSeq: number;
  /** The game's own per-player data: `playerData`'s value, made at join and kept across resume. */
  readonly data: D;
}

/** Who is joining, for `playerData`: the player before it has data or an entity. */
export type JoiningPlayer = Pick<Player, "id" | "name" | "identity">;

/**
 * How a game keeps its players between sessions (DESIGN.md, Scale-out): the server loads
 * the player's record before the join (it reaches `playerData` as `saved`), and saves what
 * `save` returns when the player leaves, every `saveIntervalMs` while it plays, and at a
 * graceful shutdown, all off the tick.
 */
export interface PersistOptions<S extends Schema = Schema, W = unknown, D = unknown> {
  /**
   * The player's key in the store, e.g. from `player.identity` (what the auth hook
   * returned); undefined for a guest, who is neither loaded nor saved. Keys are namespaced
   * by the game's `name`. One process at a time holds a key (a lease); a second join with
   * the same key in this process replaces the first session.
   */
  key(player: Pick<JoiningPlayer, "name" | "identity">): string | undefined;
  /**
   * The record to store for the player: a plain object of msgpack-able values (no class
   * instances, functions, NaN). Runs in the tick (or at the leave), before `onLeave`, with
   * the player's entity still in the world; return a fresh object each time.
   */
  save(ctx: GameContext<S, W, D>, player: Player<S, D>): PlayerRecord;
}

/** What `state` gets: the world being created, before anything is in it. */
export interface WorldInfo {
  readonly worldId: string;
  readonly tickRate: number;
  /** The seed of `ctx.rng`. */
  readonly seed: number;
}

/**
 * What game code gets in every handler: the world's entities, its game state and its
 * services. `W` is the game's per-world state (`state`'s value), `D` its per-player data.
 */
export interface GameContext<S extends Schema = Schema, W = unknown, D = unknown> {
  readonly worldId: string;
  /** This world's own game state, made by the definition's `state` when the world was created. */
  readonly state: W;
  readonly store: EntityStore<S>;
  /** Seeded from the world's seed: use it instead of Math.random so runs repeat. */
  readonly rng: Rng;
  /** The tick being simulated (during step and onInput) or the next one (between ticks). */
  readonly tick: number;
  /** Server time of `tick` in ms: tick × 1000 / tickRate. */
  readonly time: number;
  readonly tickRate: number;
  /** Players in the world, connected or kept for resume. */
  readonly players: ReadonlySet<Player<S, D>>;
  spawn<K extends TypeName<S>>(type: K, init?: SpawnInit<S, K>): Entity<S, K>;
  despawn(entity: EntityBase | number): void;
  /**
   * Queues a reliable event; it rides in the recipient's next snapshot. Events are never
   * dropped: a client that cannot keep up with them is disconnected and can resume.
   * Throws a TypeError when `data` could not be sent (a cycle, undefined, a class instance).
   */
  emit(to: EventTarget<S>, name: string, data?: WireValue): void;
  /**
   * Closes the player's connection with CloseCode.Kicked and `reason` (the client shows it;
   * cut to the close frame's 123 bytes); the player leaves at once.
   */
  kick(player: Player<S, D>, reason?: string): void;
  /**
   * Players on every server process sharing this one's message bus (this process's worlds
   * counted now, the others as of their last report, at most a heartbeat old).
   */
  readonly totalPlayers: number;
  /**
   * Says `text` as `from` in every world of every process: each gets `onGlobalChat` (this
   * world too). Best effort: a bus that is down drops it (logged).
   */
  globalChat(from: string, text: string): void;
}

/** A global chat line as `onGlobalChat` gets it: `world` is where it was said. */
export interface GlobalChatMessage {
  readonly world: string;
  readonly from: string;
  readonly text: string;
}

export interface InterestOptions {
  /** A client sees the entities within this distance of its view centre (its player). */
  readonly radius: number;
  /** Interest grid cell size; default radius / 3. Only work depends on it: whole inner cells skip the distance test. */
  readonly cellSize?: number;
}

/**
 * A game: its schema and input, and the handlers a world calls. `W` is the per-world state
 * (`state`), `D` the per-player data (`playerData`); `defineGame` infers both (undefined
 * without the factory) when the factories come before the handlers that read them
 * (TypeScript reads an object literal's functions in order).
 *
 * Handlers may return a promise (except onJoin and welcomeData): its rejection is logged and
 * counted like a throw, and its work after the first await runs between ticks.
 */
export interface GameDefinition<S extends Schema = Schema, I = unknown, W = unknown, D = unknown> {
  /** Matchmaking finds worlds by this name (`/matchmake?game=name`). Default "game". */
  readonly name?: string;
  readonly schema: S;
  readonly input: InputSchema<I>;
  /** Default 20. */
  readonly tickRate?: number;
  /** Players per world (connected or kept for resume). Default 100. */
  readonly capacity?: number;
  /** Bounds of the interest grid. Entities are placed by their `x` and `y` fields. */
  readonly bounds: { readonly width: number; readonly height: number };
  /**
   * What each client is sent: the entities near its player, or "all" (default). Entity
   * types without `x`/`y` fields are sent to everyone either way.
   */
  readonly interest?: InterestOptions | "all";
  /** Seed of `ctx.rng`. Default 1. */
  readonly seed?: number;
  /**
   * Makes a world's game state (`ctx.state`), once per world: worlds built from one
   * definition never share it. Spawn entities in `onCreate`, which runs right after.
   */
  state?(world: WorldInfo): W;
  /**
   * Makes a player's `data` when it joins; a resumed player keeps its data. `saved` is the
   * record `persist.save` stored last time (undefined for a new player, a guest, or a game
   * without `persist`): it comes from storage, so check its fields before trusting them.
   */
  playerData?(ctx: GameContext<S, W>, player: JoiningPlayer, saved: PlayerRecord | undefined): D;
  /** Keep players between sessions: see PersistOptions. Write it after `playerData`. */
  readonly persist?: PersistOptions<S, W, D>;
  /** The world is created, before its first tick and first player: spawn its initial entities. */
  onCreate?(ctx: GameContext<S, W, D>): void;
  /**
   * A player joins; return the entity it controls (its position centres the player's view).
   * Throw `new JoinRefused(reason)` to refuse the player instead (a bad name...): it never
   * exists in the world and the client is told `reason`.
   */
  onJoin(ctx: GameContext<S, W, D>, player: Player<S, D>): Entity<S>;
  /**
   * The player left (closed normally, or its resume grace ran out). Its entity is
   * despawned after this returns unless the game already did or replaced `player.entity`.
   */
  onLeave?(ctx: GameContext<S, W, D>, player: Player<S, D>): void;
  /** One validated input, applied during the tick in seq order. */
  onInput?(ctx: GameContext<S, W, D>, player: Player<S, D>, input: I): void;
  /** A command (`client.command(name, args)`); args are validated primitives. */
  onCommand?(ctx: GameContext<S, W, D>, player: Player<S, D>, name: string, args: readonly CommandArg[]): void;
  onChat?(ctx: GameContext<S, W, D>, player: Player<S, D>, text: string): void;
  /** Advances the world by one tick; `dt` is in seconds. */
  step?(ctx: GameContext<S, W, D>, dt: number): void;
  /** A `ctx.globalChat` line from any world of any process (this one's too). Without it the line is not shown. */
  onGlobalChat?(ctx: GameContext<S, W, D>, message: GlobalChatMessage): void;
  /** A server-wide announcement (admin API). Without the hook the world emits `"announce"` `{ text }` to all. */
  onAnnounce?(ctx: GameContext<S, W, D>, text: string): void;
  /** Extra data for the Welcome message (map name, team...). */
  welcomeData?(ctx: GameContext<S, W, D>, player: Player<S, D>): WireValue | undefined;
}

/** Declares a game. Checks the numbers once, so a world never starts with a bad one. */
export function defineGame<S extends Schema, I, W = undefined, D = undefined>(
  definition: GameDefinition<S, I, W, D>,
): GameDefinition<S, I, W, D> {
  const tickRate = definition.tickRate ?? DEFAULT_TICK_RATE;
  if (!(tickRate > 0 && tickRate <= MAX_TICK_RATE)) {
    throw new RangeError(`tickRate must be in (0, ${MAX_TICK_RATE}], got ${tickRate}`);
  }
  const capacity = definition.capacity ?? DEFAULT_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const { width, height } = definition.bounds;
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new RangeError(`bounds must be positive, got ${width} × ${height}`);
  }
  const interest = definition.interest ?? "all";
  if (interest !== "all") {
    if (!(interest.radius > 0 && Number.isFinite(interest.radius))) {
      throw new RangeError(`interest.radius must be positive, got ${interest.radius}`);
    }
    if (interest.cellSize !== undefined && !(interest.cellSize > 0 && Number.isFinite(interest.cellSize))) {
      throw new RangeError(`interest.cellSize must be positive, got ${interest.cellSize}`);
    }
  }
  if (typeof definition.onJoin !== "function") throw new TypeError("a game needs an onJoin handler");
  const persist = definition.persist;
  if (persist !== undefined && (typeof persist.key !== "function" || typeof persist.save !== "function")) {
    throw new TypeError("persist needs key and save functions");
  }
  return definition;
}
