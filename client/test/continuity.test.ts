import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { type GateProxy, startGateProxy } from "./helpers/gate-proxy.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { createTestGame, input, model, type Pos, schema, type TestGameLog, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { everyFrame, until } from "./helpers/wait.js";

// Session continuity over real sockets: a real server, a TCP proxy that stalls, cuts and
// refuses like a lost link, and the real client. Timings are scaled down from the field
// (a 1.5 s stall instead of 7 s) where the behaviour is the same.

type Client = TickwireClient<TestSchema, TestInput, Pos>;

let server: TestServer;
let gameLog: TestGameLog;
let proxy: GateProxy;
const clients: Client[] = [];
const stops: (() => void)[] = [];

beforeAll(async () => {
  const test = createTestGame();
  gameLog = test.log;
  server = await startServer(test.game);
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const client of clients.splice(0)) client.leave();
  await proxy?.close();
  gameLog.chats.length = 0;
});

function open(name: string, options: Partial<ConnectOptions<TestSchema, TestInput, Pos>> = {}): Client {
  const client = connect<TestSchema, TestInput, Pos>(`ws://127.0.0.1:${proxy.port}/ws?world=main`, {
    name,
    game: { schema, input, predict: { model, fields: ["x", "y"] } },
    ...options,
    runtime: {
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      fetch: null,
      ...options.runtime,
    },
  });
  clients.push(client);
  stops.push(everyFrame(() => client.update(), 10));
  return client;
}

describe("session continuity", () => {
  it("a socket the client gives up on (silence timeout) resumes the same player; only leave() ends it", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("stay", { tuning: { silenceTimeoutMs: 600 } });
    await until(() => client.state === "open", "welcome");
    const player = client.entityId;
    const welcomes: boolean[] = [];
    client.on("welcome", (welcome) => welcomes.push(welcome.resumed));
    // The downlink freezes: the client hears nothing, gives up on the socket and reconnects.
    proxy.stall("down");
    await until(() => client.state !== "open", "the client to give up on the silent socket", 3_000);
    proxy.resume();
    await until(() => welcomes.length > 0 && client.state === "open", "the reconnect", 5_000);
    expect(welcomes).toEqual([true]);
    expect(client.entityId).toBe(player);
    expect(server.server.worlds.get("main")?.sessions.size).toBe(1);

    client.leave();
    await until(() => server.server.worlds.get("main")?.sessions.size === 0, "the leave to end the session", 2_000);
  });

  it("100 chats across 10 drops with bytes in flight arrive exactly once, in order", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("chatty", { tuning: { reconnect: { baseMs: 20, maxMs: 100 } } });
    await until(() => client.state === "open", "welcome");
    const sent: string[] = [];
    for (let drop = 0; drop < 10; drop++) {
      await until(() => client.state === "open", `reconnect ${drop}`, 5_000);
      for (let i = 0; i < 5; i++) {
        const text = `m${sent.length}`;
        expect(client.chat(text)).toBe(true);
        sent.push(text);
      }
      // These leave the client but never reach the server: the link dies with them held.
      proxy.stall("up");
      for (let i = 0; i < 5; i++) {
        const text = `m${sent.length}`;
        expect(client.chat(text)).toBe(true);
        sent.push(text);
      }
      await until(() => client.pendingReliable === 0 || sent.length > 0, "send");
      await new Promise((resolve) => setTimeout(resolve, 30));
      proxy.cut();
      proxy.restore();
    }
    await until(() => gameLog.chats.length >= sent.length && client.pendingReliable === 0, "every chat to arrive", 10_000);
    expect(gameLog.chats).toEqual(sent);
  }, 30_000);

  it("server events written to a socket whose downlink stalled, then dropped, arrive exactly once, in order, after the resume", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("watcher", { tuning: { silenceTimeoutMs: 600 } });
    const received: unknown[] = [];
    client.on("event", (event) => {
      if (event.name === "news") received.push(event.data);
    });
    await until(() => client.state === "open", "welcome");
    const world = server.server.worlds.get("main");
    const session = [...(world?.sessions ?? [])].find((player) => player.name === "watcher");
    if (world === undefined || session === undefined) throw new Error("no session for the watcher");
    let emitted = 0;
    const emit = (count: number) => {
      for (let i = 0; i < count; i++) world.emit(session, "news", emitted++);
    };
    emit(5);
    await until(() => received.length === 5, "the first events");
    // The server writes these to a socket whose bytes never reach the client.
    proxy.stall("down");
    emit(10);
    await until(() => session.sentEvents.lastSeq >= 15, "the server to send the events");
    await until(() => client.state !== "open", "the client to give up on the silent socket", 3_000);
    emit(5);
    proxy.resume();
    await until(() => client.state === "open" && received.length >= emitted, "every event after the resume", 5_000);
    // Anything replayed twice would come before or with the next snapshots.
    let snapshots = 0;
    client.on("snapshot", () => snapshots++);
    await until(() => snapshots >= 5, "a few more snapshots");
    expect(received).toEqual(Array.from({ length: emitted }, (_, i) => i));
    expect(client.welcome?.resumed).toBe(true);
  }, 15_000);

  it("a burst of 100 chats, partly dropped by the server's rate limit, still arrives exactly once, in order", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("burst");
    await until(() => client.state === "open", "welcome");
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const text = `b${i}`;
      expect(client.chat(text)).toBe(true);
      sent.push(text);
    }
    await until(() => client.pendingReliable === 0, "every chat to be confirmed", 10_000);
    await until(() => gameLog.chats.length >= sent.length, "every chat to arrive", 5_000).catch(() => {});
    expect(gameLog.chats).toEqual(sent);
  }, 20_000);

  it("after a 3 s outage with refused connections, play resumes within 0.5 s (the longest retry interval) of the link returning", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("quick", { runtime: { random: () => 0.99 } });
    await until(() => client.state === "open", "welcome");
    const player = client.entityId;
    proxy.cut(true);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const back = performance.now();
    proxy.restore();
    await until(() => client.state === "open", "the resume", 5_000);
    const recovery = performance.now() - back;
    expect(client.entityId).toBe(player);
    expect(client.welcome?.resumed).toBe(true);
    // random 0.99: the longest retry interval (~500 ms), then a loopback handshake (~495 ms here).
    expect(recovery).toBeLessThan(800);
  }, 15_000);

  it("a resume does not inflate the interpolation delay: within 1.2x of before, 2 s after", async () => {
    proxy = await startGateProxy(server.port);
    const client = open("steady");
    await until(() => client.state === "open" && client.interpolationSettled, "a settled delay", 5_000);
    const before = client.interpolationDelayMs;
    proxy.cut(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    proxy.restore();
    await until(() => client.state === "open", "the resume", 5_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(client.interpolationDelayMs).toBeLessThanOrEqual(before * 1.2);
  }, 15_000);
});
