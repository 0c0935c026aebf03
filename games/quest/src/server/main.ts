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
 * QUEST_MOBS_PER_WORLD (the map's own, 162; more spreads over its mob areas: benchmarks).
 *
 * Flags: --data-dir <dir>: where players' progress is kept (LMDB; wins over QUEST_DATA_DIR).
 * --workers [N]: run N of these servers sharing Redis instead of one (workers.ts has its flags).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createServer, DEFAULT_SAVE_INTERVAL_MS } from "@tickwire/server";
import { MapError } from "../shared/map.js";
import { DEFAULT_WORLD_CAPACITY, worldId } from "../shared/worlds.js";
import { createQuestGame, DEFAULT_IDLE_TIMEOUT_MS } from "./game.js";
import { questAuth } from "./identity.js";
import { Lobby } from "./lobby.js";
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

let dataDir: string;
try {
  const { values } = parseArgs({ options: { "data-dir": { type: "string" } } });
  dataDir = values["data-dir"] || process.env.QUEST_DATA_DIR || DEFAULT_DATA_DIR;
} catch (error) {
  console.error(`${(error as Error).message}\nusage: main.js [--data-dir <dir>]`);
  process.exit(1);
}
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

const lobby = new Lobby();
const capacity = envNumber("QUEST_CAPACITY", DEFAULT_WORLD_CAPACITY);
const idleTimeoutMs = envNumber("QUEST_IDLE_TIMEOUT_S", DEFAULT_IDLE_TIMEOUT_MS / 1000) * 1000;
const worlds = Array.from({ length: envNumber("QUEST_WORLDS", DEFAULT_WORLDS) }, (_, i) => ({
  id: worldId(i),
  game: createQuestGame({ map, capacity, idleTimeoutMs, lobby, seed: i + 1 }),
}));
const host = process.env.HOST ?? "127.0.0.1";
const origins = process.env.QUEST_ORIGINS?.split(",").map((origin) => origin.trim()).filter(Boolean);
const maxConnectionsPerIp = process.env.QUEST_MAX_CONNECTIONS_PER_IP ? envNumber("QUEST_MAX_CONNECTIONS_PER_IP", 0) : undefined;
/**
 * Behind a reverse proxy every player arrives from the proxy's address, so the per-address
 * limits would cap a world at a quarter of its players: lift them to the whole population.
 */
const behindProxy = process.env.QUEST_BEHIND_PROXY === "1";
const population = worlds.length * capacity;
const limits = {
  ...(behindProxy
    ? { maxConnectionsPerIp: population + PROXY_MARGIN, maxWorldSharePerIp: 1, maxUnjoinedPerIp: PROXY_UNJOINED, handshakeRefusalBurst: PROXY_REFUSAL_BURST }
    : {}),
  ...(maxConnectionsPerIp !== undefined ? { maxConnectionsPerIp } : {}),
};

/** Exported for the benchmark (tools/src/bench/quest-server.ts), which imports this file to time each world's ticks. */
export const server = await createServer({
  port: envNumber("PORT", DEFAULT_PORT),
  host,
  worlds,
  auth: questAuth,
  dataDir,
  saveIntervalMs,
  ...(origins && origins.length > 0 ? { origins } : {}),
  ...(hasClient ? { static: { dir: clientDir } } : {}),
  limits,
  handleSignals: true,
});

const shownHost = host === "0.0.0.0" || host === "127.0.0.1" ? "localhost" : host;
console.log(`Quest is running: open http://${shownHost}:${server.port}/ (${worlds.length} worlds of ${capacity}, players kept in ${dataDir}; Ctrl+C to stop)`);
