/**
 * The admin API, on each process, behind `Authorization: Bearer <adminToken>` (compared in
 * constant time; 401 counted otherwise). Without a token every /admin path is 404.
 *
 * GET /admin/worlds, GET /admin/players (this process), POST /admin/announce {"text"} and
 * POST /admin/kick {"name"|"playerKey", "reason"} (every process, over the bus),
 * POST /admin/drain (202 at once; the drain goes on).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type uWS from "uWebSockets.js";
import { InvalidBusMessageError, type KickTarget } from "../bus/bus.js";
import type { ServerContext } from "../server-context.js";
import { deferResponse, respondJson, Status } from "./respond.js";

/** Admin bodies are a line of JSON; anything longer is not one of ours. */
const MAX_ADMIN_BODY_BYTES = 4 * 1024;

export function addAdminRoutes(app: uWS.TemplatedApp, server: ServerContext): void {
  const token = server.adminToken;
  if (token === undefined || token === "") {
    app.any("/admin/*", (res) => respondJson(res, Status.notFound, { error: "not found" }));
    return;
  }
  const expected = digest(token);
  const { metrics, cluster, logger } = server;
  /** Runs `handle` for an authorised request; a bad or missing token gets 401, counted. */
  const authorised = (res: uWS.HttpResponse, req: uWS.HttpRequest): boolean => {
    const header = req.getHeader("authorization");
    const offered = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    if (timingSafeEqual(digest(offered), expected)) return true;
    metrics.adminRequests.inc({ outcome: "unauthorized" });
    respondJson(res, Status.unauthorized, { error: "invalid or missing admin token" }, [["WWW-Authenticate", "Bearer"]]);
    return false;
  };
  const ok = (res: uWS.HttpResponse, status: string, body: unknown): void => {
    metrics.adminRequests.inc({ outcome: "ok" });
    respondJson(res, status, body);
  };
  const badRequest = (res: uWS.HttpResponse, error: string): void => {
    metrics.adminRequests.inc({ outcome: "bad_request" });
    respondJson(res, Status.badRequest, { error });
  };

  app.get("/admin/worlds", (res, req) => {
    if (!authorised(res, req)) return;
    const request = deferResponse(res);
    const local = [...server.worlds.values()].map((world) => ({
      id: world.id,
      game: world.gameName,
      population: world.sessions.size,
      capacity: world.capacity,
    }));
    server.registry.list().then(
      (listings) => {
        if (!request.aborted) ok(res, Status.ok, { process: server.processId, worlds: local, listed: listings });
      },
      (error: unknown) => {
        logger.warn({ err: error }, "admin: registry unavailable for the listing");
        if (!request.aborted) ok(res, Status.ok, { process: server.processId, worlds: local, listed: null });
      },
    );
  });

  app.get("/admin/players", (res, req) => {
    if (!authorised(res, req)) return;
    const players = [];
    for (const world of server.worlds.values()) {
      for (const session of world.sessions) {
        players.push({ world: world.id, id: session.id, name: session.name, connected: session.connected, playerKey: world.playerKey(session) ?? null });
      }
    }
    ok(res, Status.ok, { process: server.processId, players });
  });

  app.post("/admin/announce", (res, req) => {
    if (!authorised(res, req)) return;
    readJson(res, (body) => {
      if (body === undefined || typeof body.text !== "string") return badRequest(res, 'expected {"text": "..."}');
      publishThen(res, cluster.announce(body.text));
    });
  });

  app.post("/admin/kick", (res, req) => {
    if (!authorised(res, req)) return;
    readJson(res, (body) => {
      const reason = body?.reason ?? "";
      if (body === undefined || typeof reason !== "string") return badRequest(res, 'expected {"name" or "playerKey", "reason"}');
      let target: KickTarget;
      if (typeof body.name === "string") target = { name: body.name };
      else if (typeof body.playerKey === "string") target = { playerKey: body.playerKey };
      else return badRequest(res, 'expected {"name" or "playerKey", "reason"}');
      publishThen(res, cluster.kick(target, reason));
    });
  });

  app.post("/admin/drain", (res, req) => {
    if (!authorised(res, req)) return;
    logger.info("admin: drain requested");
    void server.drain();
    ok(res, "202 Accepted", { draining: true, process: server.processId });
  });

  app.any("/admin/*", (res, req) => {
    if (!authorised(res, req)) return;
    badRequest(res, "unknown admin path");
  });

  function publishThen(res: uWS.HttpResponse, published: Promise<void>): void {
    const request = deferResponse(res);
    published.then(
      () => {
        if (!request.aborted) ok(res, Status.ok, { sent: true });
      },
      (error: unknown) => {
        if (request.aborted) return;
        if (error instanceof InvalidBusMessageError) return badRequest(res, error.message);
        logger.error({ err: error }, "admin: the message bus is unavailable");
        respondJson(res, Status.serviceUnavailable, { error: "message bus unavailable" });
      },
    );
  }

  /** Reads a small JSON object body; `then` gets undefined for a body that is not one. */
  function readJson(res: uWS.HttpResponse, then: (body: Record<string, unknown> | undefined) => void): void {
    const request = deferResponse(res);
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (request.aborted || size > MAX_ADMIN_BODY_BYTES) return;
      size += chunk.byteLength;
      if (size > MAX_ADMIN_BODY_BYTES) return badRequest(res, `body over ${MAX_ADMIN_BODY_BYTES} bytes`);
      // uWS reuses the chunk's memory after this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (!isLast) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      then(typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined);
    });
  }
}

/** Equal-length digests, so the comparison takes the same time whatever the offered token's length. */
function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
