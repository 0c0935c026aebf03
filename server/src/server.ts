/**
 * createServer: one uWS app, one port, HTTP and WebSocket. HTTP serves /healthz,
 * /metrics, /matchmake and the static client (`http/routes.ts`);
 * `/ws?world=<id>&token=<token>` upgrades after the handshake checks, and each socket is
 * handed to its world (`ws-route.ts`); heartbeat, close and signals are in
 * `server-lifecycle.ts`.
 */
import { randomBytes } from "node:crypto";
import uWS from "uWebSockets.js";
import type { MessageBus } from "./bus/bus.js";
import { InProcessBus } from "./bus/in-process.js";
import { type Clock, systemClock } from "./clock.js";
import { Cluster } from "./cluster.js";
import type { GameDefinition } from "./game.js";
import { type AuthHook, IpCounter, RefusalLimiter } from "./handshake.js";
import { addAdminRoutes } from "./http/admin.js";
import { addHttpRoutes, addStaticRoute } from "./http/routes.js";
import { type StaticOptions, StaticFiles } from "./http/static.js";
import { resolveLimits, type ServerLimits } from "./limits.js";
import { createLogger, type Logger } from "./log.js";
import { Matchmaker, type WorldOpener } from "./matchmaking.js";
import { ServerMetrics } from "./metrics.js";
import { Outage } from "./outage.js";
import type { PlayerStore } from "./persistence/player-store.js";
import { createPersistence } from "./persistence/server-persistence.js";
import { InMemoryRegistry } from "./registry/memory.js";
import type { WorldRegistry } from "./registry/registry.js";
import type { ServerContext } from "./server-context.js";
import { listingOf, Shutdown, startHeartbeat } from "./server-lifecycle.js";
import { World } from "./world.js";
import { addWebSocketRoute, type SocketData } from "./ws-route.js";

export interface WorldConfig {
  /** Used in `/ws?world=<id>` and by matchmaking. */
  readonly id: string;
  readonly game: AnyGame;
}

export interface ServerOptions {
  /** 0 (default) picks a free port; read it back from `server.port`. */
  readonly port?: number;
  /**
   * Share the port with other processes that also ask for it (SO_REUSEPORT: the kernel
   * spreads connections between them). Off by default: a second server on a taken port
   * refuses to start instead of silently splitting players between unrelated worlds.
   */
  readonly reusePort?: boolean;
  /** Default "0.0.0.0". */
  readonly host?: string;
  readonly worlds: readonly WorldConfig[];
  /** Runs in the upgrade handler with `?token=`; refuse with null/undefined/false. */
  readonly auth?: AuthHook;
  /** Allowed Origin values (e.g. "https://game.example.com"); absent: any origin. */
  readonly origins?: readonly string[];
  /** Serve a built client directory on every path the server does not own. */
  readonly static?: StaticOptions;
  /** A pino logger; default JSON to stdout (pretty on a dev terminal). */
  readonly logger?: Logger;
  readonly limits?: Partial<ServerLimits>;
  /** Where worlds are announced for matchmaking; default an in-memory registry. */
  readonly registry?: WorldRegistry;
  /** Base WebSocket URL matchmaking hands out (e.g. "wss://eu1.example.com"); default from the Host header. */
  readonly publicUrl?: string;
  /** Close gracefully and exit 0 on SIGTERM/SIGINT. Off by default: a library does not own the process. */
  readonly handleSignals?: boolean;
  /** Collect Node's default process metrics (CPU, RSS, event loop...). Default true. */
  readonly defaultMetrics?: boolean;
  /** Monotonic ms; default performance.now. */
  readonly clock?: Clock;
  /**
   * Where games with `persist` keep their players; default an `LmdbPlayerStore` in
   * `dataDir`. The server closes it in `close()`. Unused when no game persists.
   */
  readonly store?: PlayerStore;
  /** The default store's directory; default "./data". */
  readonly dataDir?: string;
  /** How often each playing player is saved; default 30 s (DEFAULT_SAVE_INTERVAL_MS). */
  readonly saveIntervalMs?: number;
  /** Player lease TTL in the store; default DEFAULT_LEASE_TTL_MS (10 s). */
  readonly leaseTtlMs?: number;
  /** Cross-process messages (global chat, population, announcements, kicks); default an InProcessBus. */
  readonly bus?: MessageBus;
  /** Names this process in population reports, lease holders and the worlds it opens; default a random short id. */
  readonly processId?: string;
  /** Bearer token of the admin API (`/admin/...`); without it the API is off (404). */
  readonly adminToken?: string;
  /**
   * When every listed world of `game` is full, /matchmake on this process opens a new one,
   * `${game.name}-${processId}-${n}`, up to `max` of its own.
   */
  readonly openWorlds?: { readonly game: AnyGame; readonly max: number };
}

export interface TickwireServer {
  /** The bound port. */
  readonly port: number;
  /** `http://host:port` as bound. */
  readonly url: string;
  readonly metrics: ServerMetrics;
  readonly worlds: ReadonlyMap<string, World>;
  readonly processId: string;
  /** Stops accepting, closes every client with 1001, flushes; resolves within the shutdown timeout. */
  close(): Promise<void>;
  /**
   * For a deploy: stops new joins and matchmaking, removes this process's listings, saves
   * every player and releases their leases, then closes every client with 4017
   * (ServerRestarting, the client matchmakes again) and closes. Idempotent.
   */
  drain(): Promise<void>;
}

/** A game of any schema and input: each world keeps its own types inside. */
// biome-ignore lint/suspicious/noExplicitAny: the server hosts games of every schema and input type.
export type AnyGame = GameDefinition<any, any, any, any>;

/** uWS's listen option that leaves SO_REUSEPORT off (the typings only declare it for listen(port)). */
const LISTEN_EXCLUSIVE_PORT = 1;
const LISTEN_SHARED_PORT = 0;
/** A default process id's random bytes: 6 hex characters, short in world ids and logs, unlikely to repeat among a deployment's processes. */
const PROCESS_ID_BYTES = 3;

/**
 * Builds the worlds, registers the routes (`http/routes.ts`, `ws-route.ts`), listens, and
 * starts the ticks and the heartbeat (`server-lifecycle.ts`).
 */
export async function createServer(options: ServerOptions): Promise<TickwireServer> {
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const metrics = new ServerMetrics({ defaultMetrics: options.defaultMetrics });
  const processId = options.processId ?? randomBytes(PROCESS_ID_BYTES).toString("hex");
  const worlds = new Map<string, World>();
  const bus = options.bus ?? new InProcessBus({ logger });
  const cluster = new Cluster({ bus, processId, worlds, logger, metrics, clock });
  // ── persistence hook: one PlayerPersistence for the worlds whose game has `persist` ──
  const allWorlds = options.openWorlds === undefined ? options.worlds : [...options.worlds, { game: options.openWorlds.game }];
  const persistence = createPersistence({ ...options, worlds: allWorlds, processId }, logger, metrics.registry);
  const newWorld = (id: string, game: AnyGame): World =>
    new World({ id, game, clock, logger, metrics, limits, persistence, network: cluster.network });
  for (const config of options.worlds) {
    if (worlds.has(config.id)) throw new Error(`duplicate world id "${config.id}"`);
    worlds.set(config.id, newWorld(config.id, config.game));
  }
  if (worlds.size === 0 && options.openWorlds === undefined) throw new Error("createServer needs at least one world");
  const maxOpened = options.openWorlds?.max;
  if (maxOpened !== undefined && !(Number.isSafeInteger(maxOpened) && maxOpened >= 0)) {
    throw new RangeError(`openWorlds.max must be a non-negative integer, got ${maxOpened}`);
  }
  const registry = options.registry ?? new InMemoryRegistry({ clock });
  const server: ServerContext = {
    limits,
    logger,
    clock,
    metrics,
    registry,
    worlds,
    persistence,
    ipCounter: new IpCounter(limits.maxConnectionsPerIp),
    refusalLimiter: new RefusalLimiter(limits.handshakeRefusalBurst, limits.handshakeRefusalsPerSecond),
    auth: options.auth,
    origins: options.origins,
    publicUrl: options.publicUrl,
    processId,
    bus,
    cluster,
    registryOutage: new Outage("registry", "this process's worlds are not listed for matchmaking", logger, clock),
    adminToken: options.adminToken,
    drain: () => Promise.resolve(),
    shuttingDown: false,
  };
  const openWorlds = options.openWorlds;
  const opener: WorldOpener | undefined =
    openWorlds === undefined
      ? undefined
      : {
          gameName: openWorlds.game.name ?? "game",
          max: openWorlds.max,
          open: async (id) => {
            const world = newWorld(id, openWorlds.game);
            worlds.set(id, world);
            world.start();
            logger.info({ world: id }, "world opened for matchmaking");
            const listing = listingOf(server, world);
            await registry.upsert(listing);
            return listing;
          },
        };
  const matchmaker = new Matchmaker(server, opener);

  const sockets = new Set<uWS.WebSocket<SocketData>>();
  const app = uWS.App();
  addHttpRoutes(app, server, matchmaker);
  addAdminRoutes(app, server);
  addWebSocketRoute(app, server, sockets);
  addStaticRoute(app, server, options.static === undefined ? undefined : new StaticFiles(options.static));

  const host = options.host ?? "0.0.0.0";
  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    const flags = options.reusePort === true ? LISTEN_SHARED_PORT : LISTEN_EXCLUSIVE_PORT;
    const listen = app.listen as unknown as (
      host: string,
      port: number,
      flags: number,
      cb: (socket: uWS.us_listen_socket | false) => void,
    ) => void;
    listen.call(app, host, options.port ?? 0, flags, (socket) => {
      if (socket !== false) return resolve(socket);
      const sharing = options.reusePort === true ? "" : "; pass reusePort: true to share it on purpose";
      reject(new Error(`could not listen on ${host}:${options.port ?? 0}: port in use or not permitted${sharing}`));
    });
  });
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  const url = `http://${host}:${port}`;
  if (server.publicUrl === undefined && !(registry instanceof InMemoryRegistry)) {
    // Other processes send players here: "" would mean "the process answering", the wrong one.
    const advertised = `ws://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
    server.publicUrl = advertised;
    logger.warn({ publicUrl: advertised }, "no publicUrl with a shared registry: advertising the bound address");
  }

  const stopHeartbeat = startHeartbeat(server);
  for (const world of worlds.values()) world.start();
  logger.info({ url, worlds: [...worlds.keys()] }, "tickwire server listening");
  const shutdown = new Shutdown(server, { listenSocket, sockets, stopHeartbeat });
  server.drain = shutdown.drain;
  // A shared registry means other processes can take the players: SIGTERM drains instead of closing.
  if (options.handleSignals === true) shutdown.handleSignals(!(registry instanceof InMemoryRegistry));
  return { port, url, metrics, worlds, processId, close: shutdown.close, drain: shutdown.drain };
}
