/**
 * The WebSocket route, `/ws?world=<id>&token=<token>`: the upgrade, and its preflight (a
 * plain GET on the same path, which uWS's ws route yields, answering in JSON a browser
 * can read what the upgrade would). Both read the request with `readHandshake` and decide
 * with `admit` (admission checks, then the auth hook); only the upgrade reserves a place
 * and counts its refusals. An upgraded socket is then handed to its world.
 */
import { CloseCode } from "@tickwire/engine";
import { SUBPROTOCOL } from "@tickwire/engine/wire";
import uWS from "uWebSockets.js";
import {
  type AdmissionGate,
  authenticate,
  checkAdmission,
  preflightRefusal,
  type Refusal,
  refusals,
  subprotocolOfVersion,
  WEBSOCKET_VERSION,
} from "./handshake.js";
import { deferResponse, type Header, respondJson, respondText, Status } from "./http/respond.js";
import { HARD_FRAME_LIMIT_BYTES } from "./limits.js";
import { HeldSlot } from "./registry/held-slot.js";
import type { ServerContext } from "./server-context.js";
import type { World, WorldPeer } from "./world.js";

/** What each uWS socket carries from its upgrade to its close. */
export interface SocketData {
  readonly world: World;
  /** The world's count of this upgrade until the socket opens. */
  readonly ticket: object;
  readonly ip: string;
  readonly identity: unknown;
  /** The matchmaking reservation the upgrade named (`&reservation=`). */
  readonly slot: HeldSlot | undefined;
  peer: WorldPeer | undefined;
}

const textDecoder = new TextDecoder();
/** The reason uWS gives when it drops a peer for a frame over maxPayloadLength. */
const UWS_TOO_BIG_REASON = "Received too big message";

/** What the admission checks and the auth hook read of an upgrade or a preflight. */
interface Handshake {
  readonly ip: string;
  readonly origin: string;
  readonly worldId: string;
  readonly token: string;
  /** The offered Sec-WebSocket-Protocol header (a preflight's `?v=` mapped through `subprotocolOfVersion`). */
  readonly protocol: string;
  /** All request headers, read only when there is an auth hook to see them. */
  readonly headers: Record<string, string>;
}

type Decision = { readonly ok: true; readonly world: World; readonly identity: unknown } | { readonly ok: false; readonly refusal: Refusal };

/** Reads the request now: uWS's req is only valid until the first await. */
function readHandshake(server: ServerContext, res: uWS.HttpResponse, req: uWS.HttpRequest, protocol: string): Handshake {
  return {
    ip: textDecoder.decode(res.getRemoteAddressAsText()),
    origin: req.getHeader("origin"),
    worldId: req.getQuery("world") ?? "",
    token: req.getQuery("token") ?? "",
    protocol,
    headers: server.auth === undefined ? {} : requestHeaders(req),
  };
}

/**
 * The one admission path: the checks, then the auth hook (if any). `hold` runs once the
 * checks pass and returns how to give back what it took if the request is refused or
 * aborted later. `decided` is not called for a request aborted while the hook ran.
 */
function admit(
  server: ServerContext,
  res: uWS.HttpResponse,
  handshake: Handshake,
  hold: ((world: World) => () => void) | undefined,
  decided: (decision: Decision) => void,
): void {
  const { ip, origin, worldId, protocol } = handshake;
  const gate: AdmissionGate<World> = {
    shuttingDown: server.shuttingDown,
    origins: server.origins,
    worlds: server.worlds,
    ipCounter: server.ipCounter,
    refusalLimiter: server.refusalLimiter,
    now: server.clock(),
  };
  const admission = checkAdmission({ ip, origin, worldId, protocol }, gate);
  if ("refusal" in admission) {
    decided({ ok: false, refusal: admission.refusal });
    return;
  }
  const world = admission.world;
  const giveBack = hold?.(world);
  const auth = server.auth;
  if (auth === undefined) {
    decided({ ok: true, world, identity: undefined });
    return;
  }
  const request = deferResponse(res);
  authenticate(auth, handshake.token, { ip, origin, world: worldId, headers: handshake.headers }).then((outcome) => {
    if (!outcome.ok && outcome.error !== undefined) server.logger.error({ err: outcome.error }, "auth hook threw");
    if (request.aborted) {
      giveBack?.();
      return;
    }
    let decision: Decision;
    if (!outcome.ok) decision = { ok: false, refusal: outcome.refusal };
    else if (server.shuttingDown) decision = { ok: false, refusal: refusals.unavailable("server shutting down") };
    else decision = { ok: true, world, identity: outcome.identity };
    if (!decision.ok) giveBack?.();
    decided(decision);
  });
}

export function addWebSocketRoute(app: uWS.TemplatedApp, server: ServerContext, sockets: Set<uWS.WebSocket<SocketData>>): void {
  const { limits, metrics, ipCounter, refusalLimiter, clock, worlds } = server;

  app.ws<SocketData>("/ws", {
    compression: uWS.DISABLED,
    maxPayloadLength: HARD_FRAME_LIMIT_BYTES,
    maxBackpressure: limits.maxBackpressureBytes,
    // The typings say number; uWS reads it as a boolean.
    closeOnBackpressureLimit: false as unknown as number,
    idleTimeout: limits.idleTimeoutSeconds,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      const key = req.getHeader("sec-websocket-key");
      const extensions = req.getHeader("sec-websocket-extensions");
      const version = req.getHeader("sec-websocket-version");
      const handshake = readHandshake(server, res, req, req.getHeader("sec-websocket-protocol"));
      const reservation = HeldSlot.parse(handshake.worldId, req.getQuery("reservation") ?? "");
      const slot = reservation
        ? new HeldSlot(reservation, server.registry, server.logger, (outcome) => metrics.reservations.inc({ outcome }))
        : undefined;
      const refuse = (refusal: Refusal): void => {
        slot?.cancel();
        metrics.handshakeRefusals.inc({ reason: refusal.label });
        refusalLimiter.record(handshake.ip, clock());
        if (refusal.label === "world_full") worlds.get(handshake.worldId)?.noteFullRefusal();
        respondText(res, refusal.status, refusal.reason, refusal.headers);
      };
      if (version !== WEBSOCKET_VERSION) return refuse(refusals.websocketVersion());
      if (reservation === null) {
        metrics.reservations.inc({ outcome: "malformed" });
        return refuse(refusals.malformedReservation());
      }
      let ticket: object = {};
      const hold = (world: World): (() => void) => {
        ipCounter.acquire(handshake.ip);
        ticket = world.reserve(handshake.ip);
        return () => {
          world.release(ticket);
          ipCounter.release(handshake.ip);
        };
      };
      admit(server, res, handshake, hold, (decision) => {
        if (!decision.ok) return refuse(decision.refusal);
        const data: SocketData = { world: decision.world, ticket, ip: handshake.ip, identity: decision.identity, slot, peer: undefined };
        res.cork(() => res.upgrade(data, key, SUBPROTOCOL, extensions, context));
      });
    },

    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      data.peer = data.world.connect(ws, { ip: data.ip, identity: data.identity, slot: data.slot }, data.ticket);
    },

    message: (ws, message, isBinary) => {
      const { world, peer } = ws.getUserData();
      if (peer !== undefined) world.receive(peer, message, isBinary);
    },

    drain: (ws) => {
      const { world, peer } = ws.getUserData();
      if (peer !== undefined) world.drained(peer);
    },

    close: (ws, code, message) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      ipCounter.release(data.ip);
      // Never joined: its reserved slot goes back now (after a Join this does nothing).
      data.slot?.cancel();
      // uWS cuts frames over its ceiling with a bare 1006; count them as what they are.
      const tooBig = code === CloseCode.Abnormal && textDecoder.decode(message) === UWS_TOO_BIG_REASON;
      if (data.peer !== undefined) data.world.disconnected(data.peer, tooBig ? CloseCode.MessageTooBig : code);
    },
  });

  // The preflight answers what the upgrade would. It reserves nothing.
  app.get("/ws", (res, req) => {
    const handshake = readHandshake(server, res, req, subprotocolOfVersion(req.getQuery("v") ?? ""));
    const origin = handshake.origin;
    // Browsers only show the answer to a page of an allowed origin; a refused one learns just that.
    const cors: Header[] = origin === "" ? [] : [["Access-Control-Allow-Origin", origin], ["Vary", "Origin"]];
    admit(server, res, handshake, undefined, (decision) => {
      if (decision.ok) respondJson(res, Status.ok, { ok: true }, cors);
      else respondJson(res, decision.refusal.status, preflightRefusal(decision.refusal), cors);
    });
  });
}

/** All request headers (lower-cased names), read while uWS's request is still valid. */
function requestHeaders(req: uWS.HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    headers[name] = value;
  });
  return headers;
}
