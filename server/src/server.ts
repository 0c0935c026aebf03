/**
 * createServer: one uWS app, one port, HTTP and WebSocket. HTTP serves /healthz,
 * /metrics, /matchmake and the static client; `/ws?world=<id>&token=<token>` upgrades
 * after the handshake checks, and each socket is handed to its world.
 */
import { CloseCode } from "@tickwire/engine";
import { SUBPROTOCOL } from "@tickwire/engine/wire";
import uWS from "uWebSockets.js";
import { type Clock, systemClock } from "./clock.js";
import type { GameDefinition } from "./game.js";
import {
  type AdmissionGate,
  type AuthHook,
  authenticate,
  checkAdmission,
  IpCounter,
  preflightRefusal,
  type Refusal,
  RefusalLimiter,
  refusals,
  subprotocolOfVersion,
  WEBSOCKET_VERSION,
} from "./handshake.js";
import {
  deferResponse,
  type Header,
  respond,
  respondJson,
  respondNotModified,
  respondText,
  Status,
} from "./http/respond.js";
import { type StaticOptions, StaticFiles } from "./http/static.js";
import { HARD_FRAME_LIMIT_BYTES, type ServerLimits, resolveLimits } from "./limits.js";
import { createLogger, type Logger } from "./log.js";
import { ServerMetrics } from "./metrics.js";
import { InMemoryRegistry } from "./registry/memory.js";
import { pickWorld, type WorldRegistry } from "./registry/registry.js";
import { World, type WorldConnection } from "./world.js";

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
}

export interface TickwireServer {
  /** The bound port. */
  readonly port: number;
  /** `http://host:port` as bound. */
  readonly url: string;
  readonly metrics: ServerMetrics;
  readonly worlds: ReadonlyMap<string, World>;
  /** Stops accepting, closes every client with 1001, flushes; resolves within the shutdown timeout. */
  close(): Promise<void>;
}

/** A game of any schema and input: each world keeps its own types inside. */
// biome-ignore lint/suspicious/noExplicitAny: the server hosts games of every schema and input type.
export type AnyGame = GameDefinition<any, any, any, any>;

/** What each uWS socket carries from its upgrade to its close. */
interface SocketData {
  readonly world: World;
  /** The world's count of this upgrade until the socket opens. */
  readonly ticket: object;
  readonly ip: string;
  readonly identity: unknown;
  connection: WorldConnection | undefined;
}

/** After closing every socket, the time uWS gets to write their close frames before close() resolves. */
const SHUTDOWN_FLUSH_MS = 100;
const textDecoder = new TextDecoder();
/** The reason uWS gives when it drops a connection for a frame over maxPayloadLength. */
const UWS_TOO_BIG_REASON = "Received too big message";
/** uWS's listen option that leaves SO_REUSEPORT off (the typings only declare it for listen(port)). */
const LISTEN_EXCLUSIVE_PORT = 1;
const LISTEN_SHARED_PORT = 0;

export async function createServer(options: ServerOptions): Promise<TickwireServer> {
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const metrics = new ServerMetrics({ defaultMetrics: options.defaultMetrics });
  const registry = options.registry ?? new InMemoryRegistry({ clock });
  const staticFiles = options.static === undefined ? undefined : new StaticFiles(options.static);
  const ipCounter = new IpCounter(limits.maxConnectionsPerIp);
  const refusalLimiter = new RefusalLimiter(limits.handshakeRefusalBurst, limits.handshakeRefusalsPerSecond);
  const worlds = new Map<string, World>();
  for (const config of options.worlds) {
    if (worlds.has(config.id)) throw new Error(`duplicate world id "${config.id}"`);
    worlds.set(config.id, new World({ id: config.id, game: config.game, clock, logger, metrics, limits }));
  }
  if (worlds.size === 0) throw new Error("createServer needs at least one world");

  const sockets = new Set<uWS.WebSocket<SocketData>>();
  let shuttingDown = false;
  const gate = (): AdmissionGate<World> => ({
    shuttingDown,
    origins: options.origins,
    worlds,
    ipCounter,
    refusalLimiter,
    now: clock(),
  });
  const app = uWS.App();

  app.get("/healthz", (res) => {
    const now = clock();
    const problems: string[] = [];
    for (const world of worlds.values()) {
      const problem = world.healthProblem(now);
      if (problem !== undefined) problems.push(problem);
    }
    const status = shuttingDown ? "shutting down" : problems.length > 0 ? "unhealthy" : "ok";
    respondJson(res, status === "ok" ? Status.ok : Status.serviceUnavailable, {
      status,
      ...(problems.length > 0 ? { problems } : {}),
      worlds: [...worlds.values()].map((world) => ({
        id: world.id,
        game: world.gameName,
        population: world.sessions.size,
        capacity: world.capacity,
        openSlots: world.openSlots,
        unjoined: world.unjoinedCount,
        tick: world.store.tick,
      })),
    });
  });

  app.get("/metrics", (res) => {
    const request = deferResponse(res);
    metrics.text().then(
      (text) => {
        if (!request.aborted) respond(res, Status.ok, text, [["Content-Type", metrics.contentType]]);
      },
      (error: unknown) => {
        logger.error({ err: error }, "metrics collection failed");
        if (!request.aborted) respondText(res, Status.internalError, "metrics collection failed");
      },
    );
  });

  app.get("/matchmake", (res, req) => {
    const game = req.getQuery("game") || undefined;
    const host = req.getHeader("host");
    const request = deferResponse(res);
    registry.list(game).then(
      (listings) => {
        if (request.aborted) return;
        const picked = shuttingDown ? undefined : pickWorld(listings);
        if (picked === undefined) {
          respondJson(res, Status.serviceUnavailable, { error: "no world available" });
          return;
        }
        const base = picked.address || options.publicUrl || `ws://${host}`;
        respondJson(res, Status.ok, { world: picked.id, url: `${base}/ws?world=${encodeURIComponent(picked.id)}` });
      },
      (error: unknown) => {
        logger.error({ err: error }, "registry lookup failed");
        if (!request.aborted) respondJson(res, Status.internalError, { error: "registry unavailable" });
      },
    );
  });

  app.ws<SocketData>("/ws", {
    compression: uWS.DISABLED,
    maxPayloadLength: HARD_FRAME_LIMIT_BYTES,
    maxBackpressure: limits.maxBackpressureBytes,
    // The typings say number; uWS reads it as a boolean.
    closeOnBackpressureLimit: false as unknown as number,
    idleTimeout: limits.idleTimeoutSeconds,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      // uWS's req is only valid until the first await: read everything now.
      const key = req.getHeader("sec-websocket-key");
      const protocol = req.getHeader("sec-websocket-protocol");
      const extensions = req.getHeader("sec-websocket-extensions");
      const origin = req.getHeader("origin");
      const version = req.getHeader("sec-websocket-version");
      const worldId = req.getQuery("world") ?? "";
      const token = req.getQuery("token") ?? "";
      const ip = textDecoder.decode(res.getRemoteAddressAsText());
      const headers = options.auth === undefined ? undefined : requestHeaders(req);

      const refuse = (refusal: Refusal): void => {
        metrics.handshakeRefusals.inc({ reason: refusal.label });
        refusalLimiter.record(ip, clock());
        if (refusal.label === "world_full") worlds.get(worldId)?.noteFullRefusal();
        respondText(res, refusal.status, refusal.reason, refusal.headers);
      };
      if (version !== WEBSOCKET_VERSION) return refuse(refusals.websocketVersion());
      const admission = checkAdmission({ ip, origin, worldId, protocol }, gate());
      if ("refusal" in admission) return refuse(admission.refusal);
      const world = admission.world;
      ipCounter.acquire(ip);
      const ticket = world.reserve(ip);
      const giveBack = (): void => {
        world.release(ticket);
        ipCounter.release(ip);
      };
      const upgrade = (identity: unknown): void => {
        const data: SocketData = { world, ticket, ip, identity, connection: undefined };
        res.cork(() => res.upgrade(data, key, SUBPROTOCOL, extensions, context));
      };

      const auth = options.auth;
      if (auth === undefined) return upgrade(undefined);
      const request = deferResponse(res);
      authenticate(auth, token, { ip, origin, world: worldId, headers: headers ?? {} }).then((outcome) => {
        if (!outcome.ok && outcome.error !== undefined) logger.error({ err: outcome.error }, "auth hook threw");
        if (request.aborted) return giveBack();
        if (!outcome.ok) {
          giveBack();
          return refuse(outcome.refusal);
        }
        if (shuttingDown) {
          giveBack();
          return refuse(refusals.unavailable("server shutting down"));
        }
        upgrade(outcome.identity);
      });
    },

    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      data.connection = data.world.connect(ws, { ip: data.ip, identity: data.identity }, data.ticket);
    },

    message: (ws, message, isBinary) => {
      const { world, connection } = ws.getUserData();
      if (connection !== undefined) world.receive(connection, message, isBinary);
    },

    drain: (ws) => {
      const { world, connection } = ws.getUserData();
      if (connection !== undefined) world.drained(connection);
    },

    close: (ws, code, message) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      ipCounter.release(data.ip);
      // uWS cuts frames over its ceiling with a bare 1006; count them as what they are.
      const tooBig = code === CloseCode.Abnormal && textDecoder.decode(message) === UWS_TOO_BIG_REASON;
      if (data.connection !== undefined) data.world.disconnected(data.connection, tooBig ? CloseCode.MessageTooBig : code);
    },
  });

  // The preflight: a plain GET on the WebSocket path (uWS's ws route yields non-upgrade
  // requests) answers what the upgrade would, in JSON a browser can read. It reserves nothing.
  app.get("/ws", (res, req) => {
    const origin = req.getHeader("origin");
    const worldId = req.getQuery("world") ?? "";
    const token = req.getQuery("token") ?? "";
    const protocol = subprotocolOfVersion(req.getQuery("v") ?? "");
    const ip = textDecoder.decode(res.getRemoteAddressAsText());
    const headers = requestHeaders(req);
    // Browsers only show the answer to a page of an allowed origin; a refused one learns just that.
    const cors: Header[] = origin === "" ? [] : [["Access-Control-Allow-Origin", origin], ["Vary", "Origin"]];
    const answer = (refusal: Refusal | undefined): void => {
      if (refusal === undefined) respondJson(res, Status.ok, { ok: true }, cors);
      else respondJson(res, refusal.status, preflightRefusal(refusal), cors);
    };
    const admission = checkAdmission({ ip, origin, worldId, protocol }, gate());
    if ("refusal" in admission) return answer(admission.refusal);
    const auth = options.auth;
    if (auth === undefined) return answer(undefined);
    const request = deferResponse(res);
    authenticate(auth, token, { ip, origin, world: worldId, headers }).then((outcome) => {
      if (!outcome.ok && outcome.error !== undefined) logger.error({ err: outcome.error }, "auth hook threw");
      if (request.aborted) return;
      if (!outcome.ok) return answer(outcome.refusal);
      answer(shuttingDown ? refusals.unavailable("server shutting down") : undefined);
    });
  });

  app.any("/*", (res, req) => {
    if (staticFiles === undefined) return respondText(res, Status.notFound, "not found");
    const method = req.getMethod();
    if (method !== "get" && method !== "head") {
      return respondText(res, Status.methodNotAllowed, "method not allowed", [["Allow", "GET, HEAD"]]);
    }
    const path = req.getUrl();
    const acceptEncoding = req.getHeader("accept-encoding");
    const ifNoneMatch = req.getHeader("if-none-match");
    const request = deferResponse(res);
    staticFiles.resolve(path, acceptEncoding, ifNoneMatch).then(
      (result) => {
        if (request.aborted) return;
        if (result.kind === "refused") {
          respondText(res, result.status === 400 ? Status.badRequest : Status.notFound, result.reason);
        } else if (result.status === 304) {
          respondNotModified(res, result.headers);
        } else {
          respond(res, Status.ok, result.body, result.headers, method === "head");
        }
      },
      (error: unknown) => {
        logger.error({ err: error, path }, "static file failed");
        if (!request.aborted) respondText(res, Status.internalError, "internal error");
      },
    );
  });

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

  const heartbeat = async (): Promise<void> => {
    for (const world of worlds.values()) {
      await registry.upsert({
        id: world.id,
        game: world.gameName,
        population: world.sessions.size,
        capacity: world.capacity,
        address: options.publicUrl ?? "",
        updatedAt: clock(),
      });
    }
  };
  const beat = (): void => {
    refusalLimiter.sweep(clock());
    heartbeat().catch((error: unknown) => logger.error({ err: error }, "registry heartbeat failed"));
  };
  beat();
  const heartbeatTimer = setInterval(beat, limits.registryHeartbeatMs);
  heartbeatTimer.unref();
  for (const world of worlds.values()) world.start();
  logger.info({ url, worlds: [...worlds.keys()] }, "tickwire server listening");

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      shuttingDown = true;
      clearInterval(heartbeatTimer);
      removeSignalHandlers();
      uWS.us_listen_socket_close(listenSocket);
      for (const world of worlds.values()) world.shutdown(CloseCode.GoingAway);
      await Promise.all([...worlds.keys()].map((id) => registry.remove(id).catch(() => undefined)));
      // uWS writes the close frames from its event loop; give it a moment, then cut what is left.
      await delay(Math.min(SHUTDOWN_FLUSH_MS, limits.shutdownTimeoutMs));
      const deadline = clock() + limits.shutdownTimeoutMs;
      while (sockets.size > 0 && clock() < deadline) await delay(SHUTDOWN_FLUSH_MS);
      for (const ws of [...sockets]) ws.close();
      logger.info("tickwire server closed");
    })();
    return closed;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "shutting down");
    // The deadline holds even if a close frame never gets out.
    setTimeout(() => process.exit(0), limits.shutdownTimeoutMs + SHUTDOWN_FLUSH_MS * 5).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  const removeSignalHandlers = (): void => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
  if (options.handleSignals === true) {
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }

  return { port, url, metrics, worlds, close };
}

/** All request headers (lower-cased names), read while uWS's request is still valid. */
function requestHeaders(req: uWS.HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    headers[name] = value;
  });
  return headers;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
