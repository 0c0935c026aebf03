/**
 * Hosts Quest: several worlds ("quest-1"…, 200 players each) in one process, the built
 * client from `dist/client`, the map from `assets/map/world.json` (validated: a broken map
 * stops the server here).
 *
 * Environment: PORT (8080), HOST (127.0.0.1; 0.0.0.0 to be reachable from the network),
 * QUEST_WORLDS (4), QUEST_CAPACITY (200), QUEST_IDLE_TIMEOUT_S (900),
 * QUEST_ORIGINS (comma-separated allowed page origins; default any),
 * QUEST_MAX_CONNECTIONS_PER_IP (the server's default; raise it for bot swarms on loopback),
 * QUEST_MAP (another map file, for tests and map makers),
 * QUEST_MOBS_PER_WORLD (the map's own, 162; more spreads over its mob areas: benchmarks).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "@tickwire/server";
import { MapError } from "../shared/map.js";
import { DEFAULT_WORLD_CAPACITY, worldId } from "../shared/worlds.js";
import { createQuestGame, DEFAULT_IDLE_TIMEOUT_MS } from "./game.js";
import { questAuth } from "./identity.js";
import { Lobby } from "./lobby.js";
import { InMemoryProgressStore } from "./progress.js";
import { loadWorldMap, WORLD_MAP_PATH, withMobCount } from "./world-map.js";

const DEFAULT_PORT = 8080;
/** BrowserQuest ran 5 worlds a process; 4 leaves a core's headroom at 200 players each. */
const DEFAULT_WORLDS = 4;

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
const progress = new InMemoryProgressStore();
const capacity = envNumber("QUEST_CAPACITY", DEFAULT_WORLD_CAPACITY);
const idleTimeoutMs = envNumber("QUEST_IDLE_TIMEOUT_S", DEFAULT_IDLE_TIMEOUT_MS / 1000) * 1000;
const worlds = Array.from({ length: envNumber("QUEST_WORLDS", DEFAULT_WORLDS) }, (_, i) => ({
  id: worldId(i),
  game: createQuestGame({ map, capacity, idleTimeoutMs, progress, lobby, seed: i + 1 }),
}));
const host = process.env.HOST ?? "127.0.0.1";
const origins = process.env.QUEST_ORIGINS?.split(",").map((origin) => origin.trim()).filter(Boolean);
const maxConnectionsPerIp = process.env.QUEST_MAX_CONNECTIONS_PER_IP ? envNumber("QUEST_MAX_CONNECTIONS_PER_IP", 0) : undefined;

/** Exported for the benchmark (tools/src/bench/quest-server.ts), which imports this file to time each world's ticks. */
export const server = await createServer({
  port: envNumber("PORT", DEFAULT_PORT),
  host,
  worlds,
  auth: questAuth,
  ...(origins && origins.length > 0 ? { origins } : {}),
  ...(hasClient ? { static: { dir: clientDir } } : {}),
  ...(maxConnectionsPerIp !== undefined ? { limits: { maxConnectionsPerIp } } : {}),
  handleSignals: true,
});

const shownHost = host === "0.0.0.0" || host === "127.0.0.1" ? "localhost" : host;
console.log(`Quest is running: open http://${shownHost}:${server.port}/ (${worlds.length} worlds of ${capacity}; Ctrl+C to stop)`);
