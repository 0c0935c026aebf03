import { encodeClientMessage, MsgType } from "@tickwire/engine/wire";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { DisconnectInfo, FrameDirection } from "../src/connection.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { createTestGame, input, type Pos, schema, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { everyFrame, nextEvent, until } from "./helpers/wait.js";

type Client = TickwireClient<TestSchema, TestInput, Pos>;

/**
 * Payload bytes as `ws` itself saw them, to check `onFrame` against; and the last socket, to
 * cut it. Each test gets a fresh count: a closing socket of the previous test may still
 * receive a snapshot, which must not count in this one's.
 */
let raw = { in: 0, out: 0 };
let lastSocket: WebSocket | null = null;
class CountingWebSocket extends WebSocket {
  private readonly counts = raw;

  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    lastSocket = this;
    this.on("message", (data: Buffer) => {
      this.counts.in += data.byteLength;
    });
  }
  // biome-ignore lint/suspicious/noExplicitAny: forwards ws' overloads unchanged.
  override send(data: any, options?: any, callback?: any): void {
    this.counts.out += (data as Uint8Array).byteLength;
    super.send(data, options, callback);
  }
}

/** Destroys the TCP connection under the client's current socket: no close frame, like a network loss. */
function cutConnection(): void {
  (lastSocket as unknown as { _socket: { destroy(): void } })._socket.destroy();
}

const clients: Client[] = [];
const stops: (() => void)[] = [];

function open(url: string, options: Partial<ConnectOptions<TestSchema, TestInput, Pos>> = {}): Client {
  const client = connect<TestSchema, TestInput, Pos>(url, {
    name: `p${clients.length}`,
    game: { schema, input },
    ...options,
    runtime: { WebSocket: CountingWebSocket as unknown as WebSocketConstructor, ...options.runtime },
  });
  clients.push(client);
  stops.push(everyFrame(() => client.update(), 10));
  return client;
}

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const client of clients.splice(0)) client.close();
  raw = { in: 0, out: 0 };
  lastSocket = null;
});

describe("light mode and measurement hooks, against a real server", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(createTestGame({ movers: 1 }).game);
  });
  afterAll(() => server.close());

  it("light mode (game without schema): no world or entities, yet inputs move the player and snapshots ack them", async () => {
    const light = open(server.wsUrl(), { name: "light", game: { input } });
    const watcher = open(server.wsUrl(), { name: "watcher" });
    const ticks: number[] = [];
    let lastAck = -1;
    light.on("snapshot", (snapshot) => {
      ticks.push(snapshot.tick);
      lastAck = snapshot.ackSeq;
    });
    await nextEvent(light, "welcome");
    await until(() => watcher.get(light.entityId) !== undefined, "the watcher seeing the light client's player");
    const seen = watcher.get(light.entityId)!;
    const startX = seen.values.x as number;
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) seqs.push(light.sendInput({ dx: 1, dy: 0 }));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(light.pendingInputs).toBe(10);
    await until(() => lastAck === 9, "the server acknowledging the last input");
    expect(light.pendingInputs).toBe(0);
    await until(() => (seen.values.x as number) > startX, "the watcher seeing the player move right");
    expect(light.scene).toBeNull();
    expect(light.entities).toHaveLength(0);
    expect(light.local).toBeUndefined();
    expect(ticks.length).toBeGreaterThan(1);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThan(ticks[i - 1]);
  });

  it("refuses prediction without a schema: nothing could be predicted from", () => {
    const predict = { model: {} as never, fields: ["x", "y"] };
    expect(() => connect(server.wsUrl(), { name: "x", game: { input, predict }, runtime: { WebSocket: CountingWebSocket as never } })).toThrow(
      /predict needs game.schema/,
    );
  });

  it("onFrame sees every frame's payload bytes, both ways; a snapshot's `now` is its frame's arrival time", async () => {
    const frames: { direction: FrameDirection; bytes: number; now: number }[] = [];
    const client = open(server.wsUrl(), { runtime: { onFrame: (direction, bytes, now) => frames.push({ direction, bytes, now }) } });
    await nextEvent(client, "welcome");
    const [snapshot, arrivedAt] = await nextEvent(client, "snapshot");
    expect(frames.filter((f) => f.direction === "in").at(-1)?.now).toBe(arrivedAt);
    expect(snapshot.tick).toBeGreaterThan(0);
    const before = frames.length;
    const seq = client.sendInput({ dx: 0, dy: 1 });
    const expectedBytes = encodeClientMessage({ type: MsgType.Input, seq, tick: 0, input: input.encode({ dx: 0, dy: 1 }) }).byteLength;
    expect(frames.slice(before)).toEqual([{ direction: "out", bytes: expectedBytes, now: expect.any(Number) }]);
    await nextEvent(client, "snapshot");
    const sum = (direction: FrameDirection) => frames.filter((f) => f.direction === direction).reduce((n, f) => n + f.bytes, 0);
    expect(sum("in")).toBe(raw.in);
    expect(sum("out")).toBe(raw.out);
  });

  it("a pong event carries each ping's round trip: the pong's arrival minus the ping's departure", async () => {
    const outAt: number[] = [];
    const client = open(server.wsUrl(), { runtime: { onFrame: (direction, _bytes, now) => direction === "out" && outAt.push(now) } });
    const pongs: { rtt: number; now: number }[] = [];
    client.on("pong", (rtt, now) => pongs.push({ rtt, now }));
    await until(() => pongs.length >= 4, "four pongs of the burst after Welcome");
    // Out frames without inputs: the Join, then one ping per pong, in order.
    const pingsAt = outAt.slice(1);
    for (const [i, pong] of pongs.entries()) {
      expect(pong.rtt).toBeGreaterThanOrEqual(0);
      expect(Math.abs(pong.rtt - (pong.now - pingsAt[i]))).toBeLessThan(1);
    }
    expect(client.stats.rttMs).toBeLessThanOrEqual(Math.max(...pongs.map((p) => p.rtt)));
  });

  it("a dropped connection emits disconnect (willRetry, welcomed) before the client starts resuming", async () => {
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 20, maxMs: 100 } } });
    await nextEvent(client, "welcome");
    const order: string[] = [];
    let info: DisconnectInfo | undefined;
    client.on("disconnect", (disconnect) => {
      info = disconnect;
      order.push("disconnect");
    });
    client.on("state", (state) => order.push(state));
    cutConnection();
    await nextEvent(client, "welcome");
    expect(order).toEqual(["disconnect", "resuming", "open"]);
    expect(info).toEqual({ code: 1006, reason: expect.any(String), willRetry: true, welcomed: true, status: 0 });
    expect(info?.reason).not.toBe("");
  });
});

describe("disconnect events that end the session", () => {
  it("willRetry is false on the last socket when the server stays gone: the attempt limit is reached", async () => {
    const server = await startServer(createTestGame().game);
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 10, maxMs: 40, maxAttempts: 2 } } });
    const disconnects: DisconnectInfo[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    await nextEvent(client, "welcome");
    const closed = nextEvent(client, "close", 10_000);
    await server.close();
    await closed;
    // The welcomed socket, then two failed attempts; only the last one ends the session.
    expect(disconnects.map((d) => [d.welcomed, d.willRetry])).toEqual([
      [true, true],
      [false, true],
      [false, false],
    ]);
  });

  it("an HTTP refusal reports its status, not welcomed, and no retry when retrying cannot help", async () => {
    const server = await startServer(createTestGame().game, { auth: (token) => (token === "good" ? { user: 1 } : null) });
    try {
      const client = open(server.wsUrl(), { token: "bad", tuning: { reconnect: { baseMs: 10, maxMs: 40 } } });
      const [info] = await nextEvent(client, "disconnect");
      expect(info).toMatchObject({ status: 401, welcomed: false, willRetry: false });
      expect(info.reason).toMatch(/token/);
    } finally {
      await server.close();
    }
  });

  it("close() by the application emits no disconnect", async () => {
    const server = await startServer(createTestGame().game);
    try {
      const client = open(server.wsUrl());
      let disconnects = 0;
      client.on("disconnect", () => disconnects++);
      await nextEvent(client, "welcome");
      const closed = nextEvent(client, "close");
      client.close();
      await closed;
      expect(disconnects).toBe(0);
    } finally {
      await server.close();
    }
  });
});
