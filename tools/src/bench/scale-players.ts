/**
 * Child-process entry of the scale benchmark's matchmaking and drain parts: real
 * `@tickwire/client` sessions (light mode: no snapshot bodies applied) on loopback.
 * - matchmake: every player at once asks `/matchmake` (the processes in turn) and joins the
 *   answered URL (with its `&reservation=` when the server reserves); a refused join or a
 *   failed request is retried through matchmaking with backoff, as a client would; a 503
 *   (no room anywhere) or the timeout ends the player.
 * - drain: every player hands a matchmaking URL (of a process not drained) to the client,
 *   which matchmakes; on `drain` this posts `/admin/drain` to the first process and times
 *   each player of its worlds until its Welcome from another world.
 * Argument: ScalePlayersArgs as JSON. Talks to the parent over IPC (scale-ipc.ts).
 */
import { connect, type DisconnectInfo, type TickwireClient } from "@tickwire/client";
import { Rng } from "@tickwire/engine";
import { WebSocket } from "ws";
import { fieldInput } from "./field-scene.js";
import type { JoinFigures, MoveFigures, ScalePlayersArgs, ScalePlayersReply, ScalePlayersRequest } from "./scale-ipc.js";

/** A refused join matchmakes again after a wait that doubles from this... */
const RETRY_FIRST_MS = 50;
/** ...up to this (a registry heartbeat), with full jitter, so the refused do not come back as one herd. */
const RETRY_MAX_MS = 1_000;
const HTTP_OK = 200;
const HTTP_UNAVAILABLE = 503;
const HTTP_ACCEPTED = 202;

const args = JSON.parse(process.argv[2] ?? "{}") as ScalePlayersArgs;
const send = (message: ScalePlayersReply): void => {
  process.send?.(message);
};
process.on("disconnect", () => process.exit(0));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const game = { input: fieldInput };
const runtime = { WebSocket: WebSocket as never };
const rng = new Rng(args.seed);
const retryDelay = (attempt: number) => rng.range(0, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt));

interface Playing {
  readonly client: TickwireClient;
  world: string;
}
const playing: Playing[] = [];
const clients = new Set<TickwireClient>();

function emptyJoinFigures(): JoinFigures {
  return {
    joined: 0,
    gaveUp: 0,
    elapsedSec: 0,
    matchmakeMs: [],
    joinMs: [],
    answered: 0,
    unavailable: 0,
    failedRequests: 0,
    refusedJoins: 0,
    refusals: {},
    reservations: 0,
    worlds: {},
  };
}

function countWorlds(): Record<string, number> {
  const worlds: Record<string, number> = {};
  for (const player of playing) worlds[player.world] = (worlds[player.world] ?? 0) + 1;
  return worlds;
}

/** Opens a session on `url` and resolves with its Welcome's world, or the first socket's close when it closed unwelcomed. */
function join(url: string, name: string): Promise<Playing | DisconnectInfo> {
  const client = connect(url, { name, game, runtime });
  clients.add(client);
  return new Promise((resolve) => {
    const offWelcome = client.on("welcome", (welcome) => {
      offWelcome();
      offDisconnect();
      resolve({ client, world: welcome.world });
    });
    const offDisconnect = client.on("disconnect", (info) => {
      offWelcome();
      offDisconnect();
      clients.delete(client);
      client.close();
      resolve(info);
    });
  });
}

/** matchmake mode: one player's matchmaking and join, retried through matchmaking. */
async function matchmakeAndJoin(index: number, figures: JoinFigures, deadline: number): Promise<void> {
  const start = performance.now();
  for (let attempt = 0; performance.now() < deadline; attempt++) {
    const base = args.bases[(index + attempt) % args.bases.length];
    const asked = performance.now();
    let answer: { status: number; body: { world?: string; url?: string } };
    try {
      const response = await fetch(`${base}/matchmake?game=${encodeURIComponent(args.game)}`);
      answer = { status: response.status, body: (await response.json()) as { world?: string; url?: string } };
    } catch {
      figures.failedRequests++;
      await sleep(retryDelay(attempt));
      continue;
    } finally {
      figures.matchmakeMs.push(performance.now() - asked);
    }
    if (answer.status === HTTP_UNAVAILABLE) {
      figures.unavailable++;
      break;
    }
    if (answer.status !== HTTP_OK || typeof answer.body.url !== "string") {
      figures.failedRequests++;
      await sleep(retryDelay(attempt));
      continue;
    }
    figures.answered++;
    if (answer.body.url.includes("reservation=")) figures.reservations++;
    const joined = await join(answer.body.url, `scale-mm-${index}`);
    if ("client" in joined) {
      playing.push(joined);
      figures.joined++;
      figures.joinMs.push(performance.now() - start);
      return;
    }
    figures.refusedJoins++;
    const refusal = `${joined.code} ${joined.reason}`;
    figures.refusals[refusal] = (figures.refusals[refusal] ?? 0) + 1;
    await sleep(retryDelay(attempt));
  }
  figures.gaveUp++;
}

async function runMatchmake(): Promise<JoinFigures> {
  const figures = emptyJoinFigures();
  const start = performance.now();
  const deadline = start + args.timeoutSec * 1000;
  await Promise.all(Array.from({ length: args.players }, (_, i) => matchmakeAndJoin(i, figures, deadline)));
  // Throughput counts up to the last Welcome: the players who gave up afterwards add no joins.
  figures.elapsedSec = Math.max(0, ...figures.joinMs) / 1000;
  figures.worlds = countWorlds();
  return figures;
}

/** drain mode: every player hands the matchmaking URL to the client, which matchmakes by itself. */
async function runClientMatchmaking(): Promise<JoinFigures> {
  const figures = emptyJoinFigures();
  const start = performance.now();
  // The entry is every process but the first, the one drained: a deploy takes a process out
  // of the load balancer first, and the players must find their way without it.
  const entries = args.bases.length > 1 ? args.bases.slice(1) : args.bases;
  const welcomed = Array.from({ length: args.players }, (_, i) => {
    const url = `${entries[i % entries.length]}/matchmake?game=${encodeURIComponent(args.game)}`;
    const client = connect(url, { name: `scale-drain-${i}`, game, runtime });
    clients.add(client);
    return new Promise<void>((resolve) => {
      const off = client.on("welcome", (welcome) => {
        off();
        playing.push({ client, world: welcome.world });
        figures.joined++;
        figures.joinMs.push(performance.now() - start);
        resolve();
      });
    });
  });
  await Promise.race([Promise.all(welcomed), sleep(args.timeoutSec * 1000)]);
  figures.gaveUp = args.players - figures.joined;
  figures.elapsedSec = Math.max(0, ...figures.joinMs) / 1000;
  figures.worlds = countWorlds();
  return figures;
}

async function drain(base: string, adminToken: string, worlds: readonly string[]): Promise<MoveFigures | string> {
  const drained = new Set(worlds);
  const moving = playing.filter((player) => drained.has(player.world));
  const figures: MoveFigures = { players: moving.length, movedMs: [], restored: 0, closeCodes: {}, worlds: {} };
  const start = performance.now();
  const moved = moving.map(
    (player) =>
      new Promise<void>((resolve) => {
        const offDisconnect = player.client.on("disconnect", (info) => {
          figures.closeCodes[info.code] = (figures.closeCodes[info.code] ?? 0) + 1;
        });
        const offWelcome = player.client.on("welcome", (welcome) => {
          if (drained.has(welcome.world)) return;
          offWelcome();
          offDisconnect();
          player.world = welcome.world;
          figures.movedMs.push(performance.now() - start);
          if ((welcome.data as { restored?: unknown } | undefined)?.restored === true) figures.restored++;
          resolve();
        });
      }),
  );
  const response = await fetch(`${base}/admin/drain`, { method: "POST", headers: { Authorization: `Bearer ${adminToken}` } });
  if (response.status !== HTTP_ACCEPTED) return `POST /admin/drain answered ${response.status}, not ${HTTP_ACCEPTED}`;
  await Promise.race([Promise.all(moved), sleep(args.timeoutSec * 1000)]);
  figures.worlds = countWorlds();
  return figures;
}

process.on("message", (message: ScalePlayersRequest) => {
  switch (message.type) {
    case "join":
      void (args.mode === "matchmake" ? runMatchmake() : runClientMatchmaking()).then((figures) => send({ type: "joined", figures }));
      return;
    case "drain":
      drain(message.base, message.adminToken, message.worlds).then(
        (outcome) => send(typeof outcome === "string" ? { type: "failed", message: outcome } : { type: "moved", figures: outcome }),
        (error: unknown) => send({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    case "stop":
      // Every session ends with a leave: the servers let the players go at once.
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 200);
      return;
  }
});
