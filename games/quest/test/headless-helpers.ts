/**
 * Real Quest servers on 127.0.0.1 and real `@tickwire/client` sessions against them, for the
 * headless tests: join, drive inputs at the tick rate, wait for events with a timeout.
 */
import { connect, type DisconnectInfo, type TickwireClient, type WebSocketConstructor } from "@tickwire/client";
import { createServer, InMemoryPlayerStore, InMemoryRegistry, type PlayerRecord, silentLogger, type TickwireServer } from "@tickwire/server";
import { WebSocket } from "ws";
import type { QuestMap } from "../src/shared/map.js";
import { createPrediction, type MoverState } from "../src/shared/movement.js";
import { input, MOVE_NONE, type QuestInput, schema } from "../src/shared/schema.js";
import { worldId } from "../src/shared/worlds.js";
import { createQuestGame, type QuestGameOptions } from "../src/server/game.js";
import { progressKey, questAuth } from "../src/server/identity.js";
import { progressRecord, type SavedProgress } from "../src/server/progress.js";

export type QuestClient = TickwireClient<typeof schema, QuestInput, MoverState>;

/** A test's own holder of leases: it writes a record while no server holds the player. */
const TEST_HOLDER = "quest-test";
const TEST_LEASE_MS = 1000;

/** Where the framework keeps the progress of the player whose browser secret is `token` (`<game name>:<key>`). */
export function storeKey(token: string): string {
  return `quest:${progressKey(token)}`;
}

/** Stores progress for `token`'s player, as if saved last session (the player must not be playing). */
export async function seedProgress(store: InMemoryPlayerStore, token: string, progress: SavedProgress): Promise<void> {
  const key = storeKey(token);
  if (!(await store.acquire(key, TEST_HOLDER, TEST_LEASE_MS))) throw new Error(`${key} is held by a server`);
  await store.save(key, TEST_HOLDER, progressRecord(progress));
  await store.release(key, TEST_HOLDER);
}

export function savedProgress(store: InMemoryPlayerStore, token: string): Promise<PlayerRecord | undefined> {
  return store.load(storeKey(token));
}

export interface QuestServer {
  server: TickwireServer;
  /** Where the worlds keep their players (the framework's in-memory store). */
  store: InMemoryPlayerStore;
  /** Stores progress for `token`'s player, as if saved last session. */
  seed(token: string, progress: SavedProgress): Promise<void>;
  /** What matchmaking sees. */
  listings: InMemoryRegistry;
  url(world?: string): string;
  /** `GET /matchmake?game=quest`: the world a newcomer is sent to and its URL (a slot reserved), or null (503). */
  matchmake(): Promise<{ world: string; url: string } | null>;
  close(): Promise<void>;
}

export async function startQuest(
  map: QuestMap,
  options: { worlds?: number; saveIntervalMs?: number } & Omit<QuestGameOptions, "map"> = {},
): Promise<QuestServer> {
  const store = new InMemoryPlayerStore();
  const { worlds, saveIntervalMs, ...gameOptions } = options;
  // One definition for every world: each world's state is its own (ctx.state).
  const game = createQuestGame({ ...gameOptions, map });
  const listings = new InMemoryRegistry();
  const server = await createServer({
    host: "127.0.0.1",
    port: 0,
    worlds: Array.from({ length: worlds ?? 1 }, (_, i) => ({
      id: worldId(i),
      game,
    })),
    auth: questAuth,
    store,
    ...(saveIntervalMs !== undefined ? { saveIntervalMs } : {}),
    registry: listings,
    // Matchmaking sees populations this fresh (a second in production); every test player
    // comes from 127.0.0.1, so one address may fill a world.
    limits: { registryHeartbeatMs: 50, maxWorldSharePerIp: 1 },
    logger: silentLogger(),
    defaultMetrics: false,
  });
  return {
    server,
    store,
    seed: (token, progress) => seedProgress(store, token, progress),
    listings,
    url: (world = worldId(0)) => `ws://127.0.0.1:${server.port}/ws?world=${world}`,
    matchmake: async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/matchmake?game=quest`);
      return response.ok ? ((await response.json()) as { world: string; url: string }) : null;
    },
    close: () => server.close(),
  };
}

/** A player: its input is whatever `move` holds, sent once per tick by a 10 ms driver. */
export interface Driven {
  client: QuestClient;
  move: number;
  events: { name: string; data: unknown }[];
  /** Snapshots received so far: a clock in server ticks. */
  snapshots: number;
  /** The server's position of the player at each snapshot's tick. */
  track: { tick: number; x: number; y: number }[];
  errors: { kind: string; message: string }[];
  /** Each socket's end, with the server's close code and reason (what the game shows on a refusal or kick). */
  disconnects: DisconnectInfo[];
  /** How the session ended, once it has. */
  closed: { code: number; reason: string } | null;
  stop(): void;
}

/**
 * Joins as `name`. `manual`: no input source (the test calls `client.sendInput` itself);
 * `predict: false`: no prediction (a client that sends what it likes).
 */
export function join(url: string, name: string, map: QuestMap, options: { token?: string; predict?: boolean; manual?: boolean } = {}): Driven {
  const driven: Driven = { client: undefined as unknown as QuestClient, move: MOVE_NONE, events: [], snapshots: 0, track: [], errors: [], disconnects: [], closed: null, stop: () => {} };
  const client: QuestClient = connect(url, {
    name,
    ...(options.token ? { token: options.token } : {}),
    tuning: { reconnect: false },
    runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
    game: { schema, input, ...(options.predict === false ? {} : { predict: createPrediction(map) }) },
    ...(options.manual ? {} : { input: () => ({ move: driven.move }) }),
  });
  client.on("event", (event) => driven.events.push(event));
  client.on("error", (error) => driven.errors.push({ kind: error.kind, message: error.message }));
  client.on("disconnect", (info) => driven.disconnects.push(info));
  client.on("close", ({ code, reason }) => {
    driven.closed = { code, reason };
  });
  client.on("snapshot", (snapshot) => {
    driven.snapshots++;
    const values = serverState(driven);
    if (values) driven.track.push({ tick: snapshot.tick, x: values.x, y: values.y });
  });
  const timer = setInterval(() => client.update(), 10);
  driven.client = client;
  driven.stop = () => {
    clearInterval(timer);
    client.close();
  };
  return driven;
}

/** Polls `check` every 10 ms until it returns a value other than undefined/null/false. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function waitForAsync(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The server's state of the driven player's entity, as last mirrored (not the prediction). */
export function serverState(driven: Driven): { x: number; y: number; dir: string; moving: boolean } | undefined {
  return driven.client.local?.values as { x: number; y: number; dir: string; moving: boolean } | undefined;
}

export function eventsNamed<T>(driven: Driven, name: string): T[] {
  return driven.events.filter((e) => e.name === name).map((e) => e.data as T);
}
