/**
 * Hosts Quest: several worlds ("quest-1"…, 200 players each) in one process, the built
 * client from `dist/client`, the map from `assets/map/world.json` (validated: a broken map
 * stops the server here).
 *
 * Environment: PORT (8080), HOST (127.0.0.1; 0.0.0.0 to be reachable from the network),
 * QUEST_WORLDS (4), QUEST_CAPACITY (200), QUEST_IDLE_TIMEOUT_S (900),
 * QUEST_ORIGINS (comma-separated allowed page origins; default any),
 * QUEST_MAX_CONNECTIONS_PER_IP (the server's default; raise it for bot swarms on loopback),
 * QUEST_BEHIND_PROXY (1: lift the per-address limits, every player arriving from the proxy),
 * QUEST_MAP (another map file, for tests and map makers), QUEST_DATA_DIR (./data),
 * QUEST_SAVE_INTERVAL_S (30; fractions for tests),
 * QUEST_MOBS_PER_WORLD (the map's own, 162; more spreads over its mob areas: benchmarks),
 * QUEST_OPEN_WORLDS (0: worlds this process may open when every listed one is full).
 *
 * Flags (each wins over its env var):
 * --data-dir <dir>: where players' progress is kept (LMDB; QUEST_DATA_DIR);
 * --redis <url> (REDIS_URL): run as one of many processes sharing Redis for the registry,
 *   the message bus and players' progress (instead of LMDB); world ids then carry the
 *   process id (`quest-<process>-1`…) and SIGTERM drains (players move to other processes);
 * --admin-token <token> (QUEST_ADMIN_TOKEN): turns the admin API on (`/admin/...`);
 * --public-url <ws url> (QUEST_PUBLIC_URL): how players reach this process, as matchmaking
 *   hands it out (e.g. wss://play.example.com/p1 behind a proxy); default the bound address;
 * --process-id <id> (QUEST_PROCESS_ID): names this process (default random);
 * --workers [N]: run N of these servers sharing Redis instead of one (workers.ts has its flags).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import {
  createLogger,
  createServer,
  DEFAULT_SAVE_INTERVAL_MS,
  type MessageBus,
  type PlayerStore,
  RedisBus,
  RedisPlayerStore,
  RedisRegistry,
  type WorldRegistry,
} from "@tickwire/server";
import { MapError } from "../shared/map.js";
import { DEFAULT_WORLD_CAPACITY, processWorldId, worldId } from "../shared/worlds.js";
import { createQuestGame, DEFAULT_IDLE_TIMEOUT_MS } from "./game.js";
import { questAuth } from "./identity.js";
import { runWorkers, wantsWorkers } from "./workers.js";
import { loadWorldMap, WORLD_MAP_PATH, withMobCount } from "./world-map.js";

// This process becomes the launcher of several servers; it exits when they stop, never running the code below.
if (wantsWorkers(process.argv.slice(2))) await runWorkers(process.argv.slice(2), fileURLToPath(import.meta.url));

const DEFAULT_PORT = 8080;
/** BrowserQuest ran 5 worlds a process; 4 leaves a core's headroom at 200 players each. */
const DEFAULT_WORLDS = 4;
/** Behind a proxy: room above the population for reconnects still closing. */
const PROXY_MARGIN = 100;
/** Behind a proxy: sockets joining at once, all from the proxy (the server's default world-wide bound). */
const PROXY_UNJOINED = 64;
/** Behind a proxy: every player's refused handshakes count together. */
const PROXY_REFUSAL_BURST = 200;
/** Relative to the working directory, like the framework's default; git-ignored. */
const DEFAULT_DATA_DIR = "./data";
/** A random process id's bytes: 6 hex characters, short in world ids. */
const PROCESS_ID_BYTES = 3;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a non-negative number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

/** Command-line flags, each with the env var it overrides; add one here and read it from `flags`. */
const FLAGS = {
  "data-dir": "QUEST_DATA_DIR",
  redis: "REDIS_URL",
  "admin-token": "QUEST_ADMIN_TOKEN",
  "public-url": "QUEST_PUBLIC_URL",
  "process-id": "QUEST_PROCESS_ID",
} as const;
type Flag = keyof typeof FLAGS;

let flags: Partial<Record<Flag, string>>;
try {
  const options = Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: "string" as const }]));
  const { values } = parseArgs({ options, strict: true });
  flags = {};
  for (const [name, envName] of Object.entries(FLAGS) as [Flag, string][]) {
    const value = (values[name] as string | undefined) || process.env[envName];
    if (value) flags[name] = value;
  }
} catch (error) {
  const usage = Object.keys(FLAGS).map((name) => `[--${name} <value>]`).join(" ");
  console.error(`${(error as Error).message}\nusage: main.js ${usage}`);
  process.exit(1);
}
const dataDir = flags["data-dir"] ?? DEFAULT_DATA_DIR;
const redisUrl = flags.redis;
const processId = flags["process-id"] ?? randomBytes(PROCESS_ID_BYTES).toString("hex");
const saveIntervalMs = envNumber("QUEST_SAVE_INTERVAL_S", DEFAULT_SAVE_INTERVAL_MS / 1000) * 1000;
if (saveIntervalMs <= 0) {
  console.error("QUEST_SAVE_INTERVAL_S must be above 0");
  process.exit(1);
}

const mapPath = process.env.QUEST_MAP || WORLD_MAP_PATH;
let map: ReturnType<typeof loadWorldMap>;
try {
  map = loadWorldMap(mapPath);
  const mobs = process.env.QUEST_MOBS_PER_WORLD;
  if (mobs) map = withMobCount(map, Number(mobs));
} catch (error) {
  if (!(error instanceof MapError || error instanceof SyntaxError)) throw error;
  console.error(`refusing to start: the map ${mapPath} is invalid: ${error.message}`);
  process.exit(1);
}

const clientDir = fileURLToPath(new URL("../../dist/client/", import.meta.url));
const hasClient = existsSync(clientDir);
if (!hasClient) console.warn(`no built client in ${clientDir} (run \`npm run build -w @tickwire/quest\`): serving the game server only`);

const capacity = envNumber("QUEST_CAPACITY", DEFAULT_WORLD_CAPACITY);
const idleTimeoutMs = envNumber("QUEST_IDLE_TIMEOUT_S", DEFAULT_IDLE_TIMEOUT_MS / 1000) * 1000;
const worlds = Array.from({ length: envNumber("QUEST_WORLDS", DEFAULT_WORLDS) }, (_, i) => ({
  // Many processes list their worlds in one registry: ids carry the process.
  id: redisUrl === undefined ? worldId(i) : processWorldId(processId, i),
  game: createQuestGame({ map, capacity, idleTimeoutMs, seed: i + 1 }),
}));
const openWorlds = envNumber("QUEST_OPEN_WORLDS", 0);
const host = process.env.HOST ?? "127.0.0.1";
const origins = process.env.QUEST_ORIGINS?.split(",").map((origin) => origin.trim()).filter(Boolean);
const maxConnectionsPerIp = process.env.QUEST_MAX_CONNECTIONS_PER_IP ? envNumber("QUEST_MAX_CONNECTIONS_PER_IP", 0) : undefined;
/**
 * Behind a reverse proxy every player arrives from the proxy's address, so the per-address
 * limits would cap a world at a quarter of its players: lift them to the whole population.
 */
const behindProxy = process.env.QUEST_BEHIND_PROXY === "1";
const population = (worlds.length + openWorlds) * capacity;
const limits = {
  ...(behindProxy
    ? { maxConnectionsPerIp: population + PROXY_MARGIN, maxWorldSharePerIp: 1, maxUnjoinedPerIp: PROXY_UNJOINED, handshakeRefusalBurst: PROXY_REFUSAL_BURST }
    : {}),
  ...(maxConnectionsPerIp !== undefined ? { maxConnectionsPerIp } : {}),
};

const logger = createLogger();
/** With --redis: the shared registry, bus and player store (they log their connection's loss and return once). */
let shared: { registry: WorldRegistry; bus: MessageBus; store: PlayerStore } | undefined;
if (redisUrl !== undefined) {
  try {
    shared = {
      registry: new RedisRegistry({ redis: redisUrl, logger }),
      bus: await RedisBus.open({ redis: redisUrl, logger }),
      store: new RedisPlayerStore({ redis: redisUrl, logger }),
    };
  } catch (error) {
    console.error(`refusing to start: Redis at ${redisUrl} is unreachable: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** Exported for the benchmark (tools/src/bench/quest-server.ts), which imports this file to time each world's ticks. */
export const server = await createServer({
  port: envNumber("PORT", DEFAULT_PORT),
  host,
  worlds,
  auth: questAuth,
  dataDir,
  saveIntervalMs,
  logger,
  processId,
  ...(shared ?? {}),
  ...(flags["admin-token"] !== undefined ? { adminToken: flags["admin-token"] } : {}),
  ...(flags["public-url"] !== undefined ? { publicUrl: flags["public-url"] } : {}),
  ...(openWorlds > 0 ? { openWorlds: { game: createQuestGame({ map, capacity, idleTimeoutMs, seed: worlds.length + 1 }), max: openWorlds } } : {}),
  ...(origins && origins.length > 0 ? { origins } : {}),
  ...(hasClient ? { static: { dir: clientDir } } : {}),
  limits,
  handleSignals: true,
});

const shownHost = host === "0.0.0.0" || host === "127.0.0.1" ? "localhost" : host;
const kept = redisUrl === undefined ? `players kept in ${dataDir}` : `process ${processId} on Redis ${redisUrl}`;
console.log(`Quest is running: open http://${shownHost}:${server.port}/ (${worlds.length} worlds of ${capacity}, ${kept}; Ctrl+C to stop)`);
