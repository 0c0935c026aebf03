/** The server's HTTP routes: /healthz, /metrics, /matchmake, and the static client on every other path. */
import type uWS from "uWebSockets.js";
import type { Matchmaker } from "../matchmaking.js";
import type { ServerContext } from "../server-context.js";
import { deferResponse, respond, respondJson, respondNotModified, respondText, Status } from "./respond.js";
import type { StaticFiles } from "./static.js";

export function addHttpRoutes(app: uWS.TemplatedApp, server: ServerContext, matchmaker: Matchmaker): void {
  const { clock, worlds, metrics, logger } = server;

  app.get("/healthz", (res) => {
    const now = clock();
    const problems: string[] = [];
    for (const world of worlds.values()) {
      const problem = world.healthProblem(now);
      if (problem !== undefined) problems.push(problem);
    }
    // ── persistence hook: a store that keeps failing ──
    const storeProblem = server.persistence?.healthProblem();
    if (storeProblem !== undefined) problems.push(storeProblem);
    for (const outage of [server.registryOutage, server.cluster.busOutage]) {
      const problem = outage.problem(now);
      if (problem !== undefined) problems.push(problem);
    }
    const status = server.shuttingDown ? "shutting down" : problems.length > 0 ? "unhealthy" : "ok";
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
    const preferred = req.getQuery("world") || undefined;
    const host = req.getHeader("host");
    const request = deferResponse(res);
    matchmaker.matchmake(game, preferred, host).then(
      (answer) => {
        metrics.matchmakes.inc({ outcome: answer.ok ? (answer.opened ? "opened" : "reserved") : "full" });
        if (request.aborted) return;
        if (answer.ok) respondJson(res, Status.ok, { world: answer.world, url: answer.url });
        else respondJson(res, Status.serviceUnavailable, { error: answer.error });
      },
      (error: unknown) => {
        metrics.matchmakes.inc({ outcome: "error" });
        logger.error({ err: error }, "matchmaking failed: registry unavailable");
        if (!request.aborted) respondJson(res, Status.serviceUnavailable, { error: "registry unavailable" });
      },
    );
  });
}

/** Every path no other route owns: the static client, or 404 without one. Register it last. */
export function addStaticRoute(app: uWS.TemplatedApp, server: ServerContext, staticFiles: StaticFiles | undefined): void {
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
        server.logger.error({ err: error, path }, "static file failed");
        if (!request.aborted) respondText(res, Status.internalError, "internal error");
      },
    );
  });
}
