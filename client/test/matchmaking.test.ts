/**
 * Matchmaking: with an http(s) URL the client asks `/matchmake` for a world, and asks again
 * (as the same player) when its server restarts, crashes, or its world or session is gone.
 * First the rules on a fake socket in simulated time, then real servers sharing a registry
 * (and a player store): one drains, one closes, one (a child process) is killed with SIGKILL.
 */
import { CloseCode } from "@tickwire/engine";
import { MsgType } from "@tickwire/engine/wire";
import {
  type AnyGame,
  createServer,
  defineGame,
  InMemoryPlayerStore,
  InMemoryRegistry,
  type PlayerStore,
  silentLogger,
  type TickwireServer,
  type WorldRegistry,
} from "@tickwire/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { ClientError, CloseInfo } from "../src/connection.js";
import { isMatchmakerUrl, type MatchInfo, type MatchmakingInfo } from "../src/matchmaking.js";
import type { FetchLike } from "../src/preflight.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { ChildWorld } from "./helpers/child-world.js";
import { FakeSocket } from "./helpers/fake-socket.js";
import { FakeTime } from "./helpers/fake-time.js";
import { input, schema, type TestSchema, WORLD_SIZE } from "./helpers/test-game.js";
import { nextEvent, until } from "./helpers/wait.js";

const ENDPOINT = "http://lobby.test/matchmake?game=client-test";

describe("which URLs are matchmakers", () => {
  it("takes http(s) URLs and paths ending in /matchmake, and leaves ws(s) URLs and other paths as sockets", () => {
    expect(isMatchmakerUrl("http://127.0.0.1:8080/matchmake?game=quest")).toBe(true);
    expect(isMatchmakerUrl("https://play.example/find")).toBe(true);
    expect(isMatchmakerUrl("/matchmake?game=quest")).toBe(true);
    expect(isMatchmakerUrl("ws://127.0.0.1:8080/ws?world=main")).toBe(false);
    expect(isMatchmakerUrl("/ws?world=main")).toBe(false);
  });
});

// ── the rules, on a fake socket in simulated time ──

interface Answer {
  status: number;
  body: unknown;
}

interface Harness {
  client: TickwireClient<typeof schema>;
  time: FakeTime;
  /** URLs the client asked the matchmaker, in order. */
  asked: string[];
  /** What the matchmaker answers next (the last one repeats). */
  answers: Answer[];
  matchmaking: MatchmakingInfo[];
  matched: MatchInfo[];
  errors: ClientError[];
  closes: CloseInfo[];
}

function ok(world: string, host = "a.test"): Answer {
  return { status: 200, body: { world, url: `ws://${host}/ws?world=${world}&reservation=r-${world}` } };
}

function start(answers: Answer[], options: Partial<ConnectOptions<typeof schema>> = {}): Harness {
  const time = new FakeTime();
  const asked: string[] = [];
  const fetch: FetchLike = async (url) => {
    // The preflight after a failed attempt asks the world's URL: this server would admit us.
    if (!url.startsWith(ENDPOINT)) return { status: 200, json: async () => ({ ok: true }) };
    asked.push(url);
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    return { status: answer.status, json: async () => answer.body };
  };
  const client = connect<typeof schema>(ENDPOINT, {
    name: "ada",
    token: "ada-secret",
    game: { schema, input },
    runtime: { WebSocket: FakeSocket, fetch, now: time.now, timers: time, random: () => 0.5 },
    tuning: { reconnect: { baseMs: 100, maxMs: 1_000, maxAttempts: 6 } },
    ...options,
  });
  const harness: Harness = { client, time, asked, answers, matchmaking: [], matched: [], errors: [], closes: [] };
  client.on("matchmaking", (info) => harness.matchmaking.push(info));
  client.on("matched", (info) => harness.matched.push(info));
  client.on("error", (error) => harness.errors.push(error));
  client.on("close", (info) => harness.closes.push(info));
  return harness;
}

/** Lets the fake fetch's promises settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Lets the answer arrive, then opens and welcomes the socket it led to. */
async function welcomeIn(world: string, resumed = false): Promise<FakeSocket> {
  await settle();
  const socket = FakeSocket.last;
  socket.open();
  socket.welcome({ world, resumed, resumeToken: `resume-${world}` });
  return socket;
}

beforeEach(() => FakeSocket.reset());

describe("matchmaking rules", () => {
  it("asks the matchmaker first and connects to the answered URL with the token and the reservation", async () => {
    const { client, asked, matched } = start([ok("a-1")]);
    await settle();
    expect(asked).toEqual([ENDPOINT]);
    const url = new URL(FakeSocket.last.url);
    expect(`${url.host}${url.pathname}`).toBe("a.test/ws");
    expect(url.searchParams.get("world")).toBe("a-1");
    expect(url.searchParams.get("reservation")).toBe("r-a-1");
    expect(url.searchParams.get("token")).toBe("ada-secret");
    expect(matched).toEqual([{ world: "a-1", url: FakeSocket.last.url, reason: "join", previousWorld: null }]);
    FakeSocket.last.open();
    expect(FakeSocket.last.sentOf(MsgType.Join)).toEqual([{ type: MsgType.Join, name: "ada" }]);
    FakeSocket.last.welcome({ world: "a-1" });
    expect(client.state).toBe("open");
  });

  it("opens wss:// when the matchmaker was reached over https but names a ws:// server (TLS ends at a proxy)", async () => {
    const time = new FakeTime();
    const fetch: FetchLike = async () => ({ status: 200, json: async () => ok("a-1").body });
    const client = connect("https://play.example/matchmake?game=client-test", { name: "ada", runtime: { WebSocket: FakeSocket, fetch, now: time.now, timers: time } });
    await settle();
    expect(new URL(FakeSocket.last.url).protocol).toBe("wss:");
    client.close();
  });

  it("after ServerRestarting asks again with world=<its world> and joins the new server as the same player", async () => {
    const { client, asked, answers, matchmaking, time } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    answers.splice(0, answers.length, ok("b-1", "b.test"));
    first.drop(CloseCode.ServerRestarting, "server restarting; finding another");
    expect(client.state).toBe("connecting");
    time.advance(100);
    await settle();
    expect(matchmaking.at(-1)).toEqual({ reason: "server-restarting", previousWorld: "a-1" });
    expect(new URL(asked.at(-1)!).searchParams.get("world")).toBe("a-1");
    const second = FakeSocket.last;
    expect(new URL(second.url).host).toBe("b.test");
    expect(new URL(second.url).searchParams.get("token")).toBe("ada-secret");
    second.open();
    // A resume token is only good where it was issued: a Join, as the same identity (token).
    expect(second.sentOf(MsgType.Resume)).toEqual([]);
    expect(second.sentOf(MsgType.Join)).toHaveLength(1);
  });

  it("resumes on the same server after a drop, and drops the spent reservation from the URL", async () => {
    const { asked, time } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    first.drop(1006);
    time.advance(1_000);
    const again = FakeSocket.last;
    expect(again).not.toBe(first);
    expect(asked).toHaveLength(1);
    expect(new URL(again.url).searchParams.has("reservation")).toBe(false);
    again.open();
    expect(again.sentOf(MsgType.Resume)).toEqual([{ type: MsgType.Resume, token: "resume-a-1", lastEventSeq: 0 }]);
  });

  it("asks the matchmaker after 3 attempts in a row reach no server, and keeps the resume token when it names the same world", async () => {
    const { asked, matchmaking, time } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    first.drop(1006);
    for (let attempt = 0; attempt < 3; attempt++) {
      time.advance(1_000);
      FakeSocket.last.drop(1006);
      await settle();
    }
    expect(asked).toHaveLength(1);
    time.advance(1_000);
    await settle();
    expect(asked).toHaveLength(2);
    expect(matchmaking.at(-1)).toEqual({ reason: "server-lost", previousWorld: "a-1" });
    // Our own link was down, not the server: the same world, so the player is resumed.
    FakeSocket.last.open();
    expect(FakeSocket.last.sentOf(MsgType.Resume)).toEqual([{ type: MsgType.Resume, token: "resume-a-1", lastEventSeq: 0 }]);
  });

  it("retries a server that answers but refuses for now (PlayerHeldElsewhere) instead of leaving it", async () => {
    const { client, asked, time } = start([ok("a-1")]);
    await settle();
    for (let attempt = 0; attempt < 5; attempt++) {
      FakeSocket.last.open();
      FakeSocket.last.drop(CloseCode.PlayerHeldElsewhere, "this player is playing on another server");
      time.advance(2_000);
      await settle();
    }
    expect(asked).toHaveLength(1);
    expect(FakeSocket.instances).toHaveLength(6);
    expect(client.state).toBe("connecting");
  });

  it("joins afresh when the matchmaker names another world after the server was lost", async () => {
    const { answers, time } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    answers.splice(0, answers.length, ok("b-1", "b.test"));
    first.drop(1006);
    for (let attempt = 0; attempt < 3; attempt++) {
      time.advance(1_000);
      FakeSocket.last.drop(1006);
      await settle();
    }
    time.advance(1_000);
    await settle();
    expect(new URL(FakeSocket.last.url).host).toBe("b.test");
    FakeSocket.last.open();
    expect(FakeSocket.last.sentOf(MsgType.Join)).toHaveLength(1);
  });

  it("asks the matchmaker again when a resume is refused because the session is gone", async () => {
    const { matchmaking, errors, time } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    first.drop(1006);
    time.advance(1_000);
    FakeSocket.last.open();
    FakeSocket.last.drop(CloseCode.ResumeFailed);
    expect(errors.at(-1)).toMatchObject({ kind: "resume-failed", retrying: true });
    time.advance(1_000);
    await settle();
    expect(matchmaking.at(-1)).toEqual({ reason: "world-gone", previousWorld: "a-1" });
    FakeSocket.last.open();
    expect(FakeSocket.last.sentOf(MsgType.Join)).toHaveLength(1);
  });

  it("keeps asking with backoff while nothing has room (503), then connects", async () => {
    const { asked, errors, time } = start([{ status: 503, body: { error: "no world available" } }, ok("a-1")]);
    await settle();
    expect(errors).toEqual([{ kind: "matchmaking", message: "no world available", status: 503, retrying: true }]);
    expect(FakeSocket.instances).toHaveLength(0);
    time.advance(1_000);
    await settle();
    expect(asked).toHaveLength(2);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("ends the session when the matchmaker refuses for good (an unknown game)", async () => {
    const { client, errors, closes } = start([{ status: 400, body: { error: "unknown game" } }]);
    await settle();
    expect(errors).toEqual([{ kind: "matchmaking", message: "unknown game", status: 400, retrying: false }]);
    expect(closes).toEqual([{ code: CloseCode.Abnormal, reason: "unknown game", byClient: false }]);
    expect(client.state).toBe("closed");
  });

  it("still ends the session on a kick: not every close is a reason to move", async () => {
    const { client, asked } = start([ok("a-1")]);
    const first = await welcomeIn("a-1");
    first.drop(CloseCode.Kicked, "bye");
    expect(client.state).toBe("closed");
    expect(asked).toHaveLength(1);
  });

  it("tells listeners attached after connect() that it asks, and stops asking when closed before the answer", async () => {
    const time = new FakeTime();
    let aborted = false;
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        }),
      );
    const client = connect(ENDPOINT, { name: "ada", runtime: { WebSocket: FakeSocket, fetch, now: time.now, timers: time } });
    const asking = nextEvent(client, "matchmaking");
    await settle();
    expect((await asking)[0]).toEqual({ reason: "join", previousWorld: null });
    client.close();
    expect(aborted).toBe(true);
    expect(time.timerCount).toBe(0);
    expect(FakeSocket.instances).toHaveLength(0);
  });
});

describe("a player still held by a crashed process", () => {
  it("is retried every 0.25-0.5 s for 15 s without using up the backoff, then backs off and gives up", () => {
    const time = new FakeTime();
    const client = connect<typeof schema>("ws://a.test/ws?world=a-1", {
      name: "ada",
      game: { schema, input },
      runtime: { WebSocket: FakeSocket, fetch: null, now: time.now, timers: time, random: () => 0.5 },
      tuning: { reconnect: { baseMs: 100, maxMs: 1_000, maxAttempts: 3 } },
    });
    const errors: ClientError[] = [];
    client.on("error", (error) => errors.push(error));
    let attempts = 0;
    while (time.current < 14_000) {
      FakeSocket.last.open();
      FakeSocket.last.drop(CloseCode.PlayerHeldElsewhere, "this player is playing on another server");
      attempts++;
      expect(time.nextDelay).toBeLessThanOrEqual(500);
      time.advance(time.nextDelay);
    }
    // At most 500 ms apart for 14 s: far more than the backoff's 3 attempts.
    expect(attempts).toBeGreaterThanOrEqual(28);
    expect(client.state).toBe("connecting");
    // Past the window: the lease is really held (another tab), and the backoff runs out.
    for (let i = 0; i < 10 && client.state !== "closed"; i++) {
      FakeSocket.last.open();
      FakeSocket.last.drop(CloseCode.PlayerHeldElsewhere, "this player is playing on another server");
      time.advance(2_000);
    }
    expect(client.state).toBe("closed");
    expect(errors.at(-1)).toMatchObject({ kind: "gave-up", retrying: false });
  });
});

// ── real servers ──

/** Persists each player's x under its token, so a move shows the state came along. */
function movingGame(): AnyGame {
  return defineGame({
    name: "client-test",
    schema,
    input,
    bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
    playerData: (_ctx, _player, saved) => ({ x: typeof saved?.x === "number" ? saved.x : 100 }),
    persist: { key: (player) => player.identity as string, save: (_ctx, player) => ({ x: player.entity?.x ?? 100 }) },
    onJoin: (ctx, player) => ctx.spawn("player", { x: player.data.x, y: 100, name: player.name }),
    onCommand: (_ctx, player, name, args) => {
      if (name === "goto" && typeof args[0] === "number" && player.entity !== undefined) player.entity.x = args[0];
    },
  });
}

interface Process {
  server: TickwireServer;
  /** Tokens the auth hook saw, in order. */
  tokens: string[];
}

const servers: TickwireServer[] = [];
const clients: TickwireClient<TestSchema>[] = [];
let child: ChildWorld | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  child?.kill();
  child = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server process on a free port hosting `worldId`, listed in `shared` under its own URL. */
async function startProcess(worldId: string, shared: WorldRegistry, store: PlayerStore): Promise<Process> {
  const tokens: string[] = [];
  const port = await freePort();
  const server = await createServer({
    host: "127.0.0.1",
    port,
    worlds: [{ id: worldId, game: movingGame() }],
    registry: shared,
    store,
    processId: worldId,
    publicUrl: `ws://127.0.0.1:${port}`,
    auth: (token) => {
      tokens.push(token);
      return token;
    },
    logger: silentLogger(),
    defaultMetrics: false,
    limits: { registryHeartbeatMs: 100 },
  });
  servers.push(server);
  return { server, tokens };
}

function play(matchmaker: string): TickwireClient<TestSchema> {
  const client = connect<TestSchema>(matchmaker, {
    name: "ada",
    token: "ada-secret",
    game: { schema, input },
    runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
  });
  clients.push(client);
  return client;
}

/** The x of the client's own entity, once the server has sent it. */
function localX(client: TickwireClient<TestSchema>): number | undefined {
  const local = client.local;
  return local?.type === "player" ? local.values.x : undefined;
}

describe("moving between real servers", () => {
  it("after its server drains (ServerRestarting) lands on another server as the same player with its saved state", async () => {
    const shared = new InMemoryRegistry();
    const store = new InMemoryPlayerStore();
    const a = await startProcess("a-1", shared, store);
    const b = await startProcess("b-1", shared, store);
    const client = play(`http://127.0.0.1:${b.server.port}/matchmake?game=client-test`);
    const [first] = await nextEvent(client, "welcome");
    expect(first.world).toBe("a-1");
    client.command("goto", [321]);
    await until(() => localX(client) === 321, "the move to x = 321");
    const dropped = nextEvent(client, "disconnect");
    const moving = nextEvent(client, "matchmaking");
    const arrived = nextEvent(client, "welcome");
    // Unlists its worlds, saves its players, closes them with ServerRestarting.
    await a.server.drain();
    expect((await dropped)[0]).toMatchObject({ code: CloseCode.ServerRestarting, willRetry: true });
    expect((await moving)[0]).toEqual({ reason: "server-restarting", previousWorld: "a-1" });
    const [second] = await arrived;
    expect(second.world).toBe("b-1");
    expect(second.resumed).toBe(false);
    expect(b.tokens.at(-1)).toBe("ada-secret");
    await until(() => localX(client) === 321, "the saved x on the new server");
  });

  it("after its server closes (1001 GoingAway, no drain) lands on another server as the same player", async () => {
    const shared = new InMemoryRegistry();
    const store = new InMemoryPlayerStore();
    const a = await startProcess("a-1", shared, store);
    const b = await startProcess("b-1", shared, store);
    const client = play(`http://127.0.0.1:${b.server.port}/matchmake?game=client-test`);
    expect((await nextEvent(client, "welcome"))[0].world).toBe("a-1");
    const moving = nextEvent(client, "matchmaking");
    const arrived = nextEvent(client, "welcome");
    await a.server.close();
    expect((await moving)[0]).toEqual({ reason: "server-restarting", previousWorld: "a-1" });
    expect((await arrived)[0].world).toBe("b-1");
    expect(b.tokens.at(-1)).toBe("ada-secret");
  });

  it("after its server process is killed (SIGKILL) is playing in another world within 10 s", async () => {
    const shared = new InMemoryRegistry({ ttlMs: 1_000 });
    const store = new InMemoryPlayerStore();
    const b = await startProcess("b-1", shared, store);
    child = await ChildWorld.start("a-1");
    // The test heartbeats for the child: its listing lives until the registry's TTL after the kill.
    const listing = (): Promise<void> =>
      shared.upsert({ id: "a-1", game: "client-test", population: 0, capacity: 100, address: child!.url, updatedAt: performance.now() });
    await listing();
    const heartbeat = setInterval(() => void listing(), 100);
    try {
      const client = play(`http://127.0.0.1:${b.server.port}/matchmake?game=client-test`);
      const [first] = await nextEvent(client, "welcome");
      expect(first.world).toBe("a-1");
      const reasons: string[] = [];
      client.on("matchmaking", (info) => reasons.push(info.reason));
      const killedAt = performance.now();
      child.kill();
      clearInterval(heartbeat);
      const [second] = await nextEvent(client, "welcome", 10_000);
      expect(performance.now() - killedAt).toBeLessThan(10_000);
      expect(second.world).toBe("b-1");
      expect(reasons[0]).toBe("server-lost");
      expect(b.tokens.at(-1)).toBe("ada-secret");
    } finally {
      clearInterval(heartbeat);
    }
  });
});

async function freePort(): Promise<number> {
  const { createServer: createNetServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
