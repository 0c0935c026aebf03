/** The real server on 127.0.0.1 with real `ws` clients: the integration scenarios. */
import { CloseCode, ErrorCode } from "@tickwire/engine";
import { DeltaMode, MAX_CLIENT_MESSAGE_BYTES, MsgType, SUBPROTOCOL } from "@tickwire/engine/wire";
import { afterEach, describe, expect, it } from "vitest";
import { expectRefused, TestClient } from "./helpers/client.js";
import { PLAYER_SPEED, type TestSchema, testGame, testSchema } from "./helpers/games.js";
import { metricValue } from "./helpers/metrics.js";
import { type StartedServer, startServer } from "./helpers/server.js";

const servers: StartedServer[] = [];
const clients: TestClient<TestSchema>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.drop();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: Parameters<typeof startServer>[0]): Promise<StartedServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}

async function join(server: StartedServer, name: string, token?: string): Promise<TestClient<TestSchema>> {
  const client = await TestClient.join(server.wsUrl("main", token), name, { schema: testSchema });
  clients.push(client);
  return client;
}

function valuesOf(client: TestClient<TestSchema>, id: number): Record<string, unknown> | undefined {
  return client.mirror?.get(id)?.values as Record<string, unknown> | undefined;
}

/** Another client's stream is unaffected: snapshots keep arriving, one per tick, and decode. */
async function expectHealthyStream(client: TestClient<TestSchema>, snapshots = 5): Promise<void> {
  const before = client.snapshotTicks.length;
  for (let i = 0; i < snapshots; i++) await client.nextSnapshot();
  const ticks = client.snapshotTicks.slice(before);
  for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(1);
  expect(client.mirrorErrors).toEqual([]);
  expect(client.protocolErrors).toEqual([]);
  expect(client.closeCode).toBeUndefined();
}

describe("server: joining and state", () => {
  it("welcomes a player and sends a FULL snapshot holding its own entity", async () => {
    const server = await serve({ game: testGame() });
    const client = await join(server, "ann@100,200");
    expect(client.welcome).toMatchObject({ resumed: false, world: "main", tickRate: 20 });
    await client.nextSnapshot();
    expect(client.mirror?.size).toBe(1);
    expect(valuesOf(client, client.entityId)).toEqual({ x: 100, y: 200, hp: 100 });
    expect(client.ws.protocol).toBe(SUBPROTOCOL);
  });

  it("streams a moving entity as deltas, one snapshot per tick", async () => {
    const server = await serve({
      game: testGame({
        step: (ctx) => {
          for (const entity of ctx.store.values()) if (entity.type === "mob") entity.x += 3;
        },
      }),
    });
    const client = await join(server, "ann@100,100");
    client.command("spawn", [200, 200]);
    const spawned = await client.nextSnapshot((s) => s.events.some((e) => e.name === "spawned"));
    const mobId = (spawned.events.find((e) => e.name === "spawned")!.data as { id: number }).id;
    const firstX = Number(valuesOf(client, mobId)?.x);
    const deltas: number[] = [];
    for (let i = 0; i < 5; i++) {
      const snapshot = await client.nextSnapshot();
      deltas.push(snapshot.body[0]);
    }
    expect(deltas.every((mode) => mode === DeltaMode.RELATIVE)).toBe(true);
    expect(Number(valuesOf(client, mobId)?.x)).toBe(firstX + 5 * 3);
    await expectHealthyStream(client, 2);
  });

  it("sends entities entering and leaving a player's area of interest", async () => {
    const server = await serve({ game: testGame({ interest: { radius: 300, cellSize: 100 } }) });
    const ann = await join(server, "ann@100,100");
    const bob = await join(server, "bob@2000,2000");
    await ann.nextSnapshot();
    await ann.nextSnapshot();
    expect(ann.mirror?.has(bob.entityId)).toBe(false);
    bob.command("move", [bob.entityId, 150, 150]);
    await ann.nextSnapshot(() => ann.mirror?.has(bob.entityId) === true);
    expect(valuesOf(ann, bob.entityId)).toMatchObject({ x: 150, y: 150 });
    bob.command("move", [bob.entityId, 3000, 3000]);
    await ann.nextSnapshot(() => ann.mirror?.has(bob.entityId) === false);
    expect(ann.mirror?.size).toBe(1);
  });

  it("lets two players see each other's inputs applied", async () => {
    const server = await serve({ game: testGame() });
    const ann = await join(server, "ann@100,100");
    const bob = await join(server, "bob@300,300");
    await ann.nextSnapshot(() => ann.mirror?.has(bob.entityId) === true);
    const seq = ann.sendInput([1, 0]);
    bob.sendInput([0, 1]);
    const acked = await ann.nextSnapshot((s) => s.ackSeq === seq);
    expect(acked.ackSeq).toBe(seq);
    await bob.nextSnapshot(() => valuesOf(bob, ann.entityId)?.x === 100 + PLAYER_SPEED);
    await ann.nextSnapshot(() => valuesOf(ann, bob.entityId)?.y === 300 + PLAYER_SPEED);
    expect(valuesOf(bob, bob.entityId)?.y).toBe(300 + PLAYER_SPEED);
  });

  it("acknowledges an input in the snapshot of the tick that applied it", async () => {
    const server = await serve({ game: testGame() });
    const client = await join(server, "ann");
    await client.nextSnapshot();
    const sentAt = performance.now();
    const seq = client.sendInput([1, 1]);
    await client.nextSnapshot((s) => s.ackSeq === seq);
    // One tick is 50 ms: the ack leaves with the very next tick.
    expect(performance.now() - sentAt).toBeLessThan(50 + 40);
  });

  it("answers Ping with Pong", async () => {
    const server = await serve({ game: testGame() });
    const client = await join(server, "ann");
    client.ping(42.5);
    const pong = await client.next((m) => m.type === MsgType.Pong);
    expect(pong).toMatchObject({ clientTime: 42.5 });
    expect((pong as { serverTime: number }).serverTime).toBeGreaterThan(0);
  });

  it("delivers chat events to everyone in order", async () => {
    const server = await serve({ game: testGame() });
    const ann = await join(server, "ann");
    const bob = await join(server, "bob");
    ann.chat("one");
    ann.chat("two");
    await bob.next(() => bob.events.filter((e) => e.name === "chat").length === 2);
    expect(bob.events.filter((e) => e.name === "chat").map((e) => e.data)).toEqual([
      { from: "ann", text: "one" },
      { from: "ann", text: "two" },
    ]);
  });
});

describe("server: handshake refusals (before any socket exists)", () => {
  it("refuses a protocol version mismatch with 400 and names the expected subprotocol", async () => {
    const server = await serve({ game: testGame() });
    const refused = await expectRefused(server.wsUrl(), { protocols: ["tickwire.v0"] });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain(SUBPROTOCOL);
    expect(await metricValue(server, "tickwire_handshake_refusals_total", { reason: "protocol_mismatch" })).toBe(1);
  });

  it("refuses a missing subprotocol (edge: none offered)", async () => {
    const server = await serve({ game: testGame() });
    expect((await expectRefused(server.wsUrl(), { protocols: [] })).status).toBe(400);
  });

  it("refuses a bad token with 401 and admits a good one with its identity", async () => {
    const identities: unknown[] = [];
    const server = await serve({
      game: testGame({
        onJoin: (ctx, player) => {
          identities.push(player.identity);
          return ctx.spawn("player", { x: 1, y: 1 });
        },
      }),
      auth: async (token) => (token === "secret" ? { user: "ann" } : null),
    });
    const refused = await expectRefused(server.wsUrl("main", "wrong"));
    expect(refused).toEqual({ status: 401, body: "invalid or missing token" });
    expect((await expectRefused(server.wsUrl("main"))).status).toBe(401);
    await join(server, "ann", "secret");
    expect(identities).toEqual([{ user: "ann" }]);
  });

  it("refuses with 500 when the auth hook throws", async () => {
    const server = await serve({
      game: testGame(),
      auth: () => {
        throw new Error("auth backend down (on purpose)");
      },
    });
    expect((await expectRefused(server.wsUrl("main", "x"))).status).toBe(500);
  });

  it("refuses an origin outside the allow-list with 403", async () => {
    const server = await serve({ game: testGame(), origins: ["https://game.example"] });
    const refused = await expectRefused(server.wsUrl(), { origin: "https://evil.example" });
    expect(refused).toEqual({ status: 403, body: "origin not allowed" });
    const allowed = await TestClient.connect(server.wsUrl(), { origin: "https://game.example" });
    clients.push(allowed as unknown as TestClient<TestSchema>);
  });

  it("refuses a full world with 503 and a reason the client can show", async () => {
    const server = await serve({ game: testGame({ capacity: 1 }) });
    await join(server, "ann");
    expect(await expectRefused(server.wsUrl())).toEqual({ status: 503, body: "world full" });
  });

  it("refuses an unknown world with 404", async () => {
    const server = await serve({ game: testGame() });
    expect((await expectRefused(server.wsUrl("nowhere"))).status).toBe(404);
  });

  it("refuses connections over the per-IP cap with 429", async () => {
    const server = await serve({ game: testGame(), limits: { maxConnectionsPerIp: 2 } });
    await join(server, "ann");
    await join(server, "bob");
    expect((await expectRefused(server.wsUrl())).status).toBe(429);
  });
});

describe("server: bad input never affects another client", () => {
  async function withBystander(): Promise<{ server: StartedServer; bystander: TestClient<TestSchema> }> {
    const server = await serve({ game: testGame(), limits: { invalidMessagesBeforeClose: 3, messageBurst: 20, messagesPerSecond: 20 } });
    const bystander = await join(server, "bystander");
    await bystander.nextSnapshot();
    return { server, bystander };
  }

  it("closes an oversize frame with 1009", async () => {
    const { server, bystander } = await withBystander();
    const offender = await join(server, "big");
    offender.sendRaw(new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1));
    expect((await offender.waitForClose()).code).toBe(CloseCode.MessageTooBig);
    await expectHealthyStream(bystander);
  });

  it("drops a connection sending a frame over uWS's ceiling (edge: 1 MiB frame)", async () => {
    const { server, bystander } = await withBystander();
    const offender = await join(server, "huge");
    offender.sendRaw(new Uint8Array(1024 * 1024));
    expect((await offender.waitForClose()).code).toBe(CloseCode.Abnormal);
    await expectHealthyStream(bystander);
    expect(await metricValue(server, "tickwire_clients_closed_total", { reason: "message_too_big" })).toBe(1);
  });

  it("answers malformed msgpack with an Error and closes after repeated offences", async () => {
    const { server, bystander } = await withBystander();
    const offender = await join(server, "junk");
    offender.sendRaw(new Uint8Array([0xc1, 0x00]));
    const error = await offender.next((m) => m.type === MsgType.Error);
    expect(error).toMatchObject({ code: ErrorCode.Malformed });
    for (let i = 0; i < 3; i++) offender.sendRaw(new Uint8Array([0x92, 0xc1]));
    const closed = await offender.waitForClose();
    expect(closed.code).toBe(CloseCode.InvalidMessages);
    await expectHealthyStream(bystander);
  });

  it("answers invalid field values with an InvalidField error", async () => {
    const { server, bystander } = await withBystander();
    const offender = await join(server, "cheat@100,100");
    offender.send({ type: MsgType.Input, seq: 0, tick: 0, input: [9, 0] });
    const error = await offender.next((m) => m.type === MsgType.Error);
    expect(error).toMatchObject({ code: ErrorCode.InvalidField });
    await offender.nextSnapshot();
    expect(valuesOf(offender, offender.entityId)?.x).toBe(100);
    await expectHealthyStream(bystander);
  });

  it("refuses text frames", async () => {
    const { server, bystander } = await withBystander();
    const offender = await join(server, "texter");
    offender.sendRaw("hello");
    expect(await offender.next((m) => m.type === MsgType.Error)).toMatchObject({ code: ErrorCode.Malformed });
    expect(await metricValue(server, "tickwire_invalid_messages_total", { reason: "text_frame" })).toBe(1);
    await expectHealthyStream(bystander);
  });

  it("drops an input flood over the rate limit and closes it when it persists", async () => {
    const { server, bystander } = await withBystander();
    const flooder = await join(server, "flood");
    const ticksBefore = bystander.snapshotTicks.length;
    for (let i = 0; i < 2000 && flooder.ws.readyState === flooder.ws.OPEN; i++) flooder.sendInput([1, 0]);
    expect((await flooder.waitForClose()).code).toBe(CloseCode.InputFlood);
    await expectHealthyStream(bystander);
    expect(bystander.snapshotTicks.length).toBeGreaterThan(ticksBefore);
    expect(await metricValue(server, "tickwire_rate_limited_total")).toBeGreaterThan(0);
  });
});

describe("server: sessions", () => {
  it("gives a client that reconnects within the grace period its player back with a FULL snapshot", async () => {
    const server = await serve({ game: testGame() });
    const first = await join(server, "ann@100,100");
    const { resumeToken, entityId } = first.welcome!;
    first.sendInput([1, 0]);
    await first.nextSnapshot((s) => s.ackSeq === 0);
    first.drop();
    await first.closed;
    const second = await TestClient.connect(server.wsUrl(), { schema: testSchema });
    clients.push(second);
    const welcome = await second.resume(resumeToken);
    expect(welcome).toMatchObject({ resumed: true, entityId });
    await second.nextSnapshot();
    expect(second.lastSnapshot?.body[0]).toBe(DeltaMode.FULL);
    expect(valuesOf(second, entityId)).toMatchObject({ x: 100 + PLAYER_SPEED, y: 100 });
  });

  it("closes a connection with a reason when its resume token is unknown", async () => {
    const server = await serve({ game: testGame() });
    const client = await TestClient.connect(server.wsUrl(), { schema: testSchema });
    clients.push(client);
    client.send({ type: MsgType.Resume, token: "not-a-token", lastEventSeq: 0 });
    const closed = await client.waitForClose();
    expect(closed.code).toBe(CloseCode.ResumeFailed);
    expect(closed.reason).toMatch(/resume failed/);
  });
});

describe("server: HTTP", () => {
  it("serves /healthz, /metrics and /matchmake on the WebSocket port", async () => {
    const server = await serve({
      defaultMetrics: true,
      worlds: [
        { id: "a", game: testGame({ capacity: 2 }) },
        { id: "b", game: testGame({ capacity: 2 }) },
      ],
    });
    const health = await (await fetch(server.httpUrl("/healthz"))).json();
    expect(health).toMatchObject({ status: "ok", worlds: [{ id: "a" }, { id: "b" }] });
    const first = (await (await fetch(server.httpUrl("/matchmake?game=test"))).json()) as { world: string; url: string };
    expect(first.world).toBe("a");
    // A slot in "a" is reserved for the caller; its Join commits it.
    expect(first.url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${server.port}/ws\\?world=a&reservation=[0-9a-f-]{36}$`));
    const ann = await TestClient.join(first.url, "ann");
    clients.push(ann as unknown as TestClient<TestSchema>);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one registry heartbeat
    const stillFirst = (await (await fetch(server.httpUrl("/matchmake?game=test"))).json()) as { world: string };
    expect(stillFirst.world).toBe("a"); // worlds fill in order
    const bob = await TestClient.join(first.url, "bob", { localAddress: "127.0.0.2" }); // one address may hold only a share of a world
    clients.push(bob as unknown as TestClient<TestSchema>);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = (await (await fetch(server.httpUrl("/matchmake?game=test"))).json()) as { world: string };
    expect(second.world).toBe("b");
    expect((await fetch(server.httpUrl("/matchmake?game=other"))).status).toBe(503);
    const metrics = await (await fetch(server.httpUrl("/metrics"))).text();
    expect(metrics).toContain("tickwire_tick_duration_seconds_bucket");
    expect(metrics).toContain('tickwire_world_population{world="a"} 2');
    // Process CPU and RSS for the field benchmark.
    expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d/m);
  });
});

describe("server: graceful shutdown", () => {
  it("closes every client with 1001 and a reason, and refuses new connections", async () => {
    const server = await startServer({ game: testGame() });
    const ann = await join(server, "ann");
    const bob = await join(server, "bob");
    const closing = server.close();
    const [a, b] = await Promise.all([ann.waitForClose(), bob.waitForClose()]);
    expect(a).toEqual({ code: CloseCode.GoingAway, reason: "server shutting down" });
    expect(b.code).toBe(CloseCode.GoingAway);
    await closing;
    await expect(TestClient.connect(server.wsUrl())).rejects.toThrow();
  });

  it("refuses an upgrade whose auth hook answers after shutdown began (edge: slow auth)", async () => {
    let approve: (identity: unknown) => void = () => {};
    let asked: () => void = () => {};
    const authAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const server = await startServer({
      game: testGame(),
      auth: () =>
        new Promise((resolve) => {
          approve = resolve;
          asked();
        }),
    });
    const refused = expectRefused(server.wsUrl("main", "token"));
    await authAsked;
    const closing = server.close();
    approve({ user: "late" });
    expect(await refused).toEqual({ status: 503, body: "server shutting down" });
    await closing;
    expect(server.worlds.get("main")?.sessions.size).toBe(0);
  });
});
