/**
 * Refusals a browser hides: a WebSocket that, like the browser's, shows no HTTP status or
 * body when the upgrade is refused, against a real server on 127.0.0.1. The client learns
 * the reason from the preflight instead of retrying blindly.
 */
import { PROTOCOL_VERSION } from "@tickwire/engine/wire";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { ClientError, DisconnectInfo } from "../src/connection.js";
import { type FetchLike, preflightUrl } from "../src/preflight.js";
import type { WebSocketLike } from "../src/socket.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { createTestGame, input, type Pos, schema, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { nextEvent, until } from "./helpers/wait.js";

type Client = TickwireClient<TestSchema, TestInput, Pos>;

let attempts = 0;

/** `ws` seen through the browser's API: no 'unexpected-response', and errors carry no message. */
class StatusHidingWebSocket implements WebSocketLike {
  private readonly inner: WebSocket;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(url: string, protocols?: string | string[]) {
    attempts++;
    this.inner = new WebSocket(url, protocols);
    this.inner.onopen = () => this.onopen?.({});
    this.inner.onmessage = (event) => this.onmessage?.({ data: event.data });
    this.inner.onerror = () => this.onerror?.({});
    this.inner.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
  }

  get binaryType(): string {
    return this.inner.binaryType;
  }
  set binaryType(type: string) {
    this.inner.binaryType = type as WebSocket["binaryType"];
  }
  get readyState(): number {
    return this.inner.readyState;
  }
  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }
  send(data: Uint8Array): void {
    this.inner.send(data);
  }
  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }
}

const preflights: string[] = [];
const countingFetch: FetchLike = (url, init) => {
  preflights.push(url);
  return fetch(url, init);
};

const clients: Client[] = [];
const servers: TestServer[] = [];

function open(url: string, options: Partial<ConnectOptions<TestSchema, TestInput, Pos>> = {}): Client {
  const client = connect<TestSchema, TestInput, Pos>(url, {
    name: `p${clients.length}`,
    game: { schema, input },
    ...options,
    runtime: { WebSocket: StatusHidingWebSocket, fetch: countingFetch, ...options.runtime },
    tuning: { reconnect: { baseMs: 10, maxMs: 40, maxAttempts: 5 }, ...options.tuning },
  });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  attempts = 0;
  preflights.length = 0;
});

describe("preflightUrl", () => {
  it("maps ws→http and wss→https and adds the protocol version", () => {
    expect(preflightUrl("ws://h:1/ws?world=a&token=t")).toBe(`http://h:1/ws?world=a&token=t&v=${PROTOCOL_VERSION}`);
    expect(preflightUrl("wss://h/ws?world=a")).toBe(`https://h/ws?world=a&v=${PROTOCOL_VERSION}`);
  });

  it("gives null for other schemes and unparsable URLs (edge: nothing to ask)", () => {
    expect(preflightUrl("http://h/ws")).toBeNull();
    expect(preflightUrl("not a url")).toBeNull();
  });
});

describe("client: refusals the WebSocket API hides", () => {
  it("ends a bad token after one attempt with the server's reason, learned from the preflight", async () => {
    const server = await startServer(createTestGame().game, { auth: (token) => (token === "good" ? { user: 1 } : null) });
    servers.push(server);
    const errors: ClientError[] = [];
    const disconnects: DisconnectInfo[] = [];
    const client = open(server.wsUrl(), { token: "bad" });
    client.on("error", (error) => errors.push(error));
    client.on("disconnect", (info) => disconnects.push(info));
    const [closed] = await nextEvent(client, "close");
    expect(errors).toEqual([
      expect.objectContaining({ kind: "refused", status: 401, message: "invalid or missing token", retrying: false }),
    ]);
    expect(disconnects).toEqual([expect.objectContaining({ status: 401, reason: "invalid or missing token", willRetry: false })]);
    expect(closed.reason).toBe("invalid or missing token");
    expect(attempts).toBe(1);
    expect(preflights).toHaveLength(1);
  });

  it("keeps retrying a full world and reports the server's reason on each refused attempt", async () => {
    const server = await startServer({ ...createTestGame().game, capacity: 1 });
    servers.push(server);
    const resident = open(server.wsUrl());
    await nextEvent(resident, "welcome");
    const errors: ClientError[] = [];
    const disconnects: DisconnectInfo[] = [];
    const client = open(server.wsUrl(), { tuning: { reconnect: { baseMs: 10, maxMs: 40, maxAttempts: 100 } } });
    client.on("error", (error) => errors.push(error));
    client.on("disconnect", (info) => disconnects.push(info));
    await until(() => disconnects.length >= 2, "two refused attempts");
    expect(disconnects[0]).toMatchObject({ status: 503, reason: "world full", willRetry: true, welcomed: false });
    expect(errors[0]).toMatchObject({ kind: "refused", status: 503, message: "world full", retrying: true });
    expect(errors[1]).toMatchObject({ kind: "refused", status: 503, message: "world full", retrying: true });
    expect(attempts).toBeGreaterThanOrEqual(3); // the resident's socket plus two refused attempts
    expect(client.state).toBe("connecting");
  });

  it("retries as a network loss when the preflight is not answered, and asks only once (one failed request per retry, not two)", async () => {
    const server = await startServer(createTestGame().game);
    const url = server.wsUrl();
    await server.close();
    const disconnects: DisconnectInfo[] = [];
    const client = open(url, { tuning: { reconnect: { baseMs: 10, maxMs: 20, maxAttempts: 2 } } });
    client.on("disconnect", (info) => disconnects.push(info));
    const [closed] = await nextEvent(client, "close");
    expect(closed.reason).toMatch(/gave up after 2 attempts/);
    expect(disconnects.every((info) => info.status === 0)).toBe(true);
    expect(attempts).toBe(3);
    expect(preflights).toHaveLength(1);
  });
});
