import type { Socket } from "node:net";
import { SUBPROTOCOL } from "@tickwire/engine/wire";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { ClientError } from "../src/connection.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { startServer, type TestServer } from "./helpers/server.js";
import {
  createTestGame,
  input,
  MOVER_SPEED,
  model,
  type Pos,
  schema,
  type TestGameLog,
  type TestInput,
  type TestSchema,
} from "./helpers/test-game.js";
import { everyFrame, nextEvent, until } from "./helpers/wait.js";

type Client = TickwireClient<TestSchema, TestInput, Pos>;

/** Every `ws` socket the clients open, so a test can cut one's TCP connection. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    sockets.push(this);
  }
}

/** Destroys the TCP connection under the client's current socket: no close frame, like a network loss. */
function cutConnection(): void {
  const socket = sockets.at(-1) as unknown as { _socket: Socket };
  socket._socket.destroy();
}

const clients: Client[] = [];
const stops: (() => void)[] = [];

function open(url: string, options: Partial<ConnectOptions<TestSchema, TestInput, Pos>> = {}): Client {
  const client = connect<TestSchema, TestInput, Pos>(url, {
    name: `p${clients.length}`,
    game: { schema, input, predict: { model, fields: ["x", "y"] } },
    ...options,
    runtime: { WebSocket: TrackedWebSocket as unknown as WebSocketConstructor, ...options.runtime },
  });
  clients.push(client);
  // A render loop: input ticks, interpolation, stats.
  stops.push(everyFrame(() => client.update(), 10));
  return client;
}

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const client of clients.splice(0)) client.close();
  sockets.length = 0;
});

describe("against a real server", () => {
  let server: TestServer;
  let log: TestGameLog;

  beforeAll(async () => {
    const test = createTestGame({ movers: 1 });
    log = test.log;
    server = await startServer(test.game);
  });
  afterAll(() => server.close());

  it("joins: Welcome with its entity id, then its entity and the world's arrive as spawns", async () => {
    const client = open(server.wsUrl(), { name: "ada" });
    const spawned: string[] = [];
    client.on("spawn", (entity) => spawned.push(entity.type));
    const [welcome] = await nextEvent(client, "welcome");
    expect(client.state).toBe("open");
    expect(welcome.resumed).toBe(false);
    expect(welcome.tickRate).toBe(20);
    await nextEvent(client, "snapshot");
    expect(spawned).toContain("player");
    expect(spawned).toContain("mover");
    const local = client.local;
    expect(local?.id).toBe(welcome.entityId);
    expect(local?.type === "player" && local.values.name).toBe("ada");
  });

  it("predicts inputs at once and reconciles to exactly the server's state: zero corrections", async () => {
    const move: TestInput = { dx: 0, dy: 0 };
    const client = open(server.wsUrl(), { input: () => move });
    await until(() => client.predicted !== undefined, "the local entity");
    const start = { ...client.predicted! };
    move.dx = 1;
    await until(() => client.predicted!.x >= start.x + 50, "moving right");
    move.dy = 1;
    await until(() => client.predicted!.y >= start.y + 30, "moving diagonally");
    move.dx = 0;
    move.dy = 0;
    const local = client.local!;
    await until(() => client.predicted!.x === local.values.x && client.predicted!.y === local.values.y, "the server to catch up");
    expect(client.predicted).toEqual({ x: local.values.x, y: local.values.y });
    expect(client.stats.corrections).toBe(0);
    // Drawn between predicted ticks, it arrives there within a tick.
    await until(() => local.render.x === local.values.x && local.render.y === local.values.y, "drawn where the server has it", 1_000);
  });

  it("interpolates a remote entity moving in a straight line: drawn x advances, never back", async () => {
    const client = open(server.wsUrl());
    await until(() => client.entities.some((e) => e.type === "mover"), "the mover");
    const mover = client.entities.find((e) => e.type === "mover")!;
    await until(() => client.stats.snapshotsPerSec > 5, "a snapshot stream");
    const xs: number[] = [];
    await new Promise<void>((resolve) => {
      const stop = everyFrame(() => {
        xs.push(mover.render.x);
        if (xs.length === 60) {
          stop();
          resolve();
        }
      });
    });
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1]);
    // About one second at MOVER_SPEED.
    expect(xs.at(-1)! - xs[0]).toBeGreaterThan(MOVER_SPEED * 0.5);
    expect(mover.status).toBe("interpolated");
  });

  it("two clients: B sees A's dot move the way A moved it", async () => {
    const move: TestInput = { dx: 0, dy: 0 };
    const a = open(server.wsUrl(), { name: "mover-a", input: () => move });
    const b = open(server.wsUrl(), { name: "watcher-b" });
    await until(() => a.predicted !== undefined && b.get(a.entityId) !== undefined, "both clients seeing A");
    const seenByB = b.get(a.entityId)!;
    const startX = seenByB.render.x;
    move.dx = 1;
    await until(() => a.predicted!.x >= startX + 40, "A moving");
    move.dx = 0;
    const aSelf = a.local!;
    await until(() => a.predicted!.x === aSelf.values.x, "the server to catch up with A");
    await until(() => seenByB.render.x === a.predicted!.x, "B drawing A where A stopped");
    expect(seenByB.render.y).toBe(a.predicted!.y);
    expect(seenByB.local).toBe(false);
  });

  it("resumes after its TCP connection drops: same player, open again, nothing lost", async () => {
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 20, maxMs: 100 } } });
    const [first] = await nextEvent(client, "welcome");
    const states: string[] = [];
    client.on("state", (state) => states.push(state));
    cutConnection();
    const [second] = await nextEvent(client, "welcome");
    expect(second.resumed).toBe(true);
    expect(second.entityId).toBe(first.entityId);
    expect(states).toEqual(["resuming", "open"]);
    expect(client.stats.reconnects).toBe(1);
    await nextEvent(client, "snapshot");
    expect(client.local?.id).toBe(first.entityId);
  });

  it("chat and commands sent around a dropped connection reach the server exactly once, in order", async () => {
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 20, maxMs: 100 } } });
    await nextEvent(client, "welcome");
    const before = log.chats.length;
    client.chat("one");
    client.command("give", ["sword", 1]);
    client.chat("two");
    // Sent, and read by the server, but not yet confirmed to the client when the line drops.
    await until(() => log.chats.length === before + 2, "the server reading the chats");
    cutConnection();
    client.chat("three");
    await nextEvent(client, "welcome");
    client.chat("four");
    await until(() => log.chats.length >= before + 4, "the later chats");
    // A second drop re-sends whatever is still unconfirmed; the server must drop the repeats.
    cutConnection();
    await nextEvent(client, "welcome");
    client.chat("five");
    await until(() => log.chats.length >= before + 5, "the last chat");
    expect(log.chats.slice(before)).toEqual(["one", "two", "three", "four", "five"]);
    expect(log.commands.filter((c) => c.name === "give")).toEqual([{ name: "give", args: ["sword", 1] }]);
  });

  it("delivers the server's events in the order it sent them", async () => {
    const client = open(server.wsUrl());
    await nextEvent(client, "welcome");
    const texts: string[] = [];
    client.on("event", (event) => {
      if (event.name === "chat") texts.push(event.data as string);
    });
    const sent = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    for (const text of sent) client.chat(text);
    await until(() => texts.length === sent.length, "every echoed chat");
    expect(texts).toEqual(sent);
  });
});

describe("giving up and refusals", () => {
  it("gives up after the attempt limit once the server is gone, and reports why", async () => {
    const test = createTestGame();
    const server = await startServer(test.game);
    const errors: ClientError[] = [];
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 10, maxMs: 40, maxAttempts: 3 } } });
    client.on("error", (error) => errors.push(error));
    await nextEvent(client, "welcome");
    const closed = nextEvent(client, "close", 10_000);
    await server.close();
    const [info] = await closed;
    expect(client.state).toBe("closed");
    expect(info.byClient).toBe(false);
    expect(errors.at(-1)?.kind).toBe("gave-up");
    expect(errors.at(-1)?.message).toMatch(/gave up after 3 attempts/);
    // The first socket plus three attempts.
    expect(sockets).toHaveLength(4);
  });

  it("does not retry when the server refuses the token: 'refused' error with the server's reason", async () => {
    const server = await startServer(createTestGame().game, { auth: (token) => (token === "good" ? { user: 1 } : null) });
    try {
      const errors: ClientError[] = [];
      const client = open(server.wsUrl(), { token: "bad", tuning: { reconnect: { baseMs: 10, maxMs: 40 } } });
      client.on("error", (error) => errors.push(error));
      await nextEvent(client, "close");
      expect(errors).toEqual([expect.objectContaining({ kind: "refused", status: 401, retrying: false })]);
      expect(errors[0].message).toMatch(/token/);
      expect(sockets).toHaveLength(1);
      // The right token gets in.
      const welcomed = open(server.wsUrl(), { token: "good" });
      await nextEvent(welcomed, "welcome");
    } finally {
      await server.close();
    }
  });

  it("does not retry a protocol version mismatch", async () => {
    const server = await startServer(createTestGame().game);
    try {
      class OldClientSocket extends TrackedWebSocket {
        constructor(url: string) {
          super(url, "tickwire.v0");
        }
      }
      const errors: ClientError[] = [];
      const client = open(server.wsUrl(), { runtime: { WebSocket: OldClientSocket as unknown as WebSocketConstructor } });
      client.on("error", (error) => errors.push(error));
      await nextEvent(client, "close");
      expect(errors).toEqual([expect.objectContaining({ kind: "refused", status: 400, retrying: false })]);
      expect(errors[0].message).toContain(SUBPROTOCOL);
      expect(sockets).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
