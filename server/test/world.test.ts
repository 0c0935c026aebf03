import { CloseCode, ErrorCode } from "@tickwire/engine";
import { DeltaMode, MsgType, type SnapshotMessage } from "@tickwire/engine/wire";
import { defineGame } from "@tickwire/server";
import { describe, expect, it } from "vitest";
import { FakeClient } from "./helpers/fake-socket.js";
import { PLAYER_SPEED, type TestSchema, testGame, testInput, testSchema, WORLD_SIZE } from "./helpers/games.js";
import { metricValue } from "./helpers/metrics.js";
import { manualWorld } from "./helpers/world.js";

const AOI = { radius: 300, cellSize: 100 } as const;

function joined(setup: ReturnType<typeof manualWorld<TestSchema>>, name: string): FakeClient<TestSchema> {
  const client = new FakeClient(setup.world);
  client.send({ type: MsgType.Join, name });
  return client;
}

function welcomeOf(client: FakeClient<TestSchema>) {
  const welcome = client.drain().find((m) => m.type === MsgType.Welcome);
  if (welcome?.type !== MsgType.Welcome) throw new Error("no welcome");
  return welcome;
}

function lastSnapshot(client: FakeClient<TestSchema>): SnapshotMessage {
  const snapshot = client.snapshots().at(-1);
  if (snapshot === undefined) throw new Error("no snapshot");
  return snapshot;
}

/** Spawns a mob through the game's command and returns its id. */
function spawnMob(client: FakeClient<TestSchema>, x: number, y: number): number {
  client.send({ type: MsgType.Command, rid: nextRid(client), name: "spawn", args: [x, y] });
  const { world } = client;
  let id = -1;
  for (const entity of world.store.values()) if (entity.type === "mob") id = Math.max(id, entity.id);
  return id;
}

/** A mirrored entity's values, whatever its type. */
function valuesOf(client: FakeClient<TestSchema>, id: number): Record<string, unknown> {
  return (client.mirror.get(id)?.values ?? {}) as Record<string, unknown>;
}

/** What a game defined inline in a test needs besides its handlers. */
const TEST_GAME_BASICS = { schema: testSchema, input: testInput, bounds: { width: WORLD_SIZE, height: WORLD_SIZE } };

/** Each session numbers its reliable messages 1, 2, 3, … (the server takes them in sequence only). */
const rids = new WeakMap<FakeClient<TestSchema>, number>();
function nextRid(client: FakeClient<TestSchema>): number {
  const rid = (rids.get(client) ?? 0) + 1;
  rids.set(client, rid);
  return rid;
}

function command(client: FakeClient<TestSchema>, name: string, ...args: (number | string)[]): void {
  client.send({ type: MsgType.Command, rid: nextRid(client), name, args });
}

describe("World: joining and snapshots", () => {
  it("welcomes a joining player with its entity id and sends a FULL snapshot on the next tick", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann@100,100");
    const welcome = welcomeOf(client);
    const entity = setup.world.store.get(welcome.entityId);
    expect(entity?.type).toBe("player");
    expect(welcome).toMatchObject({ resumed: false, world: "main", tickRate: 20, lastReliableId: 0 });
    expect(welcome.resumeToken.length).toBeGreaterThan(40);
    setup.tick();
    client.snapshots();
    expect(client.applied.at(-1)?.mode).toBe(DeltaMode.FULL);
    expect(client.mirror.get(welcome.entityId)?.values).toMatchObject({ x: 100, y: 100, hp: 100 });
  });

  it("sends a moving entity as a RELATIVE update of its changed fields only", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann@100,100");
    const { entityId } = welcomeOf(client);
    setup.tick();
    client.snapshots();
    client.send({ type: MsgType.Input, seq: 0, tick: 0, input: [1, 0] });
    setup.tick();
    const snapshot = lastSnapshot(client);
    expect(client.applied.at(-1)).toMatchObject({ mode: DeltaMode.RELATIVE, updated: [entityId], spawned: [] });
    expect(valuesOf(client, entityId).x).toBe(100 + PLAYER_SPEED);
    // mode, age, count, then id + mask + one x delta, then no leaves or enters.
    expect(snapshot.body.length).toBeLessThanOrEqual(3 + 5 + 2);
  });

  it("sends a tiny snapshot when nothing changed (edge: empty delta)", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    setup.tick(2);
    client.snapshots();
    setup.tick();
    expect(Array.from(lastSnapshot(client).body)).toEqual([DeltaMode.RELATIVE, 1, 0, 0, 0]);
  });

  it("echoes the last applied input seq as ackSeq, -1 before any input", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    setup.tick();
    expect(lastSnapshot(client).ackSeq).toBe(-1);
    client.send({ type: MsgType.Input, seq: 7, tick: 0, input: [0, 1] });
    setup.tick();
    expect(lastSnapshot(client).ackSeq).toBe(7);
  });

  it("gives each of many clients its own snapshot when they are built and sent in batches", () => {
    const setup = manualWorld<TestSchema>(testGame({ interest: AOI, capacity: 200 }), {
      maxConnectionsPerIp: 200,
      maxWorldSharePerIp: 1,
    });
    // 150 clients: more than two send batches, spread so their views differ.
    const clients = Array.from({ length: 150 }, (_, i) => joined(setup, `p${i}@${100 + (i % 15) * 250},${100 + Math.floor(i / 15) * 350}`));
    const players = clients.map((client) => welcomeOf(client).entityId);
    setup.tick();
    for (const [i, client] of clients.entries()) client.send({ type: MsgType.Input, seq: 1000 + i, tick: 0, input: [1, 0] });
    setup.tick(2);
    clients.forEach((client, i) => {
      const snapshots = client.snapshots();
      expect(snapshots.map((s) => s.ackSeq)).toEqual([-1, 1000 + i, 1000 + i]);
      const own = setup.world.store.get(players[i]) as unknown as { x: number; y: number };
      expect(valuesOf(client, players[i])).toMatchObject({ x: own.x, y: own.y });
      expect([...client.mirror.ids()].length).toBeLessThan(clients.length);
    });
  });

  it("applies inputs in the tick after they arrive, one per tick", () => {
    const setup = manualWorld<TestSchema>(testGame(), { maxInputsPerTick: 2 });
    const client = joined(setup, "ann@100,100");
    const { entityId } = welcomeOf(client);
    setup.tick();
    for (let seq = 0; seq < 3; seq++) client.send({ type: MsgType.Input, seq, tick: 0, input: [1, 0] });
    setup.tick();
    expect(lastSnapshot(client).ackSeq).toBe(0);
    expect(valuesOf(client, entityId).x).toBe(100 + PLAYER_SPEED);
    setup.tick();
    expect(lastSnapshot(client).ackSeq).toBe(1);
  });

  it("shares one body among clients keeping up with interest 'all'", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const a = joined(setup, "ann");
    const b = joined(setup, "bob");
    setup.tick();
    a.snapshots();
    b.snapshots();
    command(a, "spawn", 10, 10);
    setup.tick();
    expect(Array.from(lastSnapshot(a).body)).toEqual(Array.from(lastSnapshot(b).body));
    expect(a.mirror.size).toBe(3);
  });
});

describe("World: interest management", () => {
  it("sends an entity as an enter when it comes into view and a leave when it goes out", () => {
    const setup = manualWorld<TestSchema>(testGame({ interest: AOI }));
    const viewer = joined(setup, "ann@100,100");
    const mobId = spawnMob(viewer, 2000, 2000);
    setup.tick();
    viewer.snapshots();
    expect(viewer.mirror.has(mobId)).toBe(false);

    command(viewer, "move", mobId, 150, 150);
    setup.tick();
    viewer.snapshots();
    expect(viewer.applied.at(-1)?.spawned).toEqual([mobId]);
    expect(viewer.mirror.get(mobId)?.values).toMatchObject({ x: 150, y: 150 });

    command(viewer, "move", mobId, 160, 150);
    setup.tick();
    viewer.snapshots();
    expect(viewer.applied.at(-1)?.updated).toEqual([mobId]);

    command(viewer, "move", mobId, 3000, 3000);
    setup.tick();
    viewer.snapshots();
    expect(viewer.applied.at(-1)?.despawned).toEqual([mobId]);
    expect(viewer.mirror.has(mobId)).toBe(false);
  });

  it("sends entities that enter as the viewer walks, and forgets those left behind", () => {
    const setup = manualWorld<TestSchema>(testGame({ interest: AOI }));
    const viewer = joined(setup, "ann@100,100");
    const { entityId } = welcomeOf(viewer);
    const ahead = spawnMob(viewer, 900, 100);
    const behind = spawnMob(viewer, 50, 100);
    setup.tick();
    viewer.snapshots();
    expect([viewer.mirror.has(ahead), viewer.mirror.has(behind)]).toEqual([false, true]);
    let seq = 0;
    while (!viewer.mirror.has(ahead)) {
      viewer.send({ type: MsgType.Input, seq: seq++, tick: 0, input: [1, 0] });
      setup.tick();
      viewer.snapshots();
      expect(seq).toBeLessThan(100);
    }
    // It enters once a cell it is in touches the circle: within radius + one cell.
    expect(900 - Number(valuesOf(viewer, entityId).x)).toBeLessThanOrEqual(AOI.radius + AOI.cellSize);
    expect(viewer.mirror.has(behind)).toBe(false);
  });

  it("sends a despawn and respawn of the same id within one tick as leave + enter", () => {
    const setup = manualWorld<TestSchema>(testGame({ interest: AOI }));
    const viewer = joined(setup, "ann@100,100");
    const mobId = spawnMob(viewer, 120, 120);
    setup.tick();
    viewer.snapshots();
    command(viewer, "despawn", mobId);
    const respawned = spawnMob(viewer, 130, 130);
    expect(respawned).toBe(mobId);
    setup.tick();
    viewer.snapshots();
    expect(viewer.applied.at(-1)).toMatchObject({ despawned: [mobId], spawned: [mobId] });
    expect(viewer.mirror.get(mobId)?.values).toMatchObject({ x: 130, y: 130 });
  });

  it("shows entities without a position to every client, near or far", () => {
    const setup = manualWorld<TestSchema>(
      testGame({
        interest: AOI,
        step: (ctx) => {
          if (ctx.tick === 1) ctx.spawn("scoreboard", { round: 1, leader: "nobody" });
        },
      }),
    );
    const near = joined(setup, "ann@100,100");
    const far = joined(setup, "bob@3900,3900");
    setup.tick();
    near.snapshots();
    far.snapshots();
    for (const client of [near, far]) {
      expect([...client.mirror.values()].some((e) => e.type === "scoreboard")).toBe(true);
    }
    expect(near.mirror.size).toBe(2);
  });
});

describe("World: backpressure", () => {
  it("skips snapshots over the soft limit, keeps the baseline, and catches up with an ABSOLUTE delta", async () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000 });
    const slow = joined(setup, "ann@100,100");
    const { entityId } = welcomeOf(slow);
    setup.tick();
    slow.snapshots();
    slow.socket.bufferedAmount = 5000;
    for (let seq = 0; seq < 2; seq++) {
      slow.send({ type: MsgType.Input, seq, tick: 0, input: [1, 0] });
      setup.tick();
    }
    expect(slow.snapshots()).toHaveLength(0);
    expect(await metricValue(setup.metrics, "tickwire_snapshots_skipped_total")).toBe(2);
    slow.socket.bufferedAmount = 0;
    setup.tick();
    expect(slow.snapshots()).toHaveLength(1);
    expect(slow.applied.at(-1)?.mode).toBe(DeltaMode.ABSOLUTE);
    expect(valuesOf(slow, entityId).x).toBe(100 + PLAYER_SPEED * 2);
  });

  it("sends a FULL snapshot to a client that lagged longer than the history ring", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000, stallTimeoutMs: 60_000 });
    const slow = joined(setup, "ann");
    setup.tick();
    slow.snapshots();
    slow.socket.bufferedAmount = 5000;
    setup.tick(70);
    slow.socket.bufferedAmount = 0;
    setup.tick(8); // the lowered rate sends within maxSnapshotInterval ticks
    slow.snapshots();
    expect(slow.applied.at(-1)?.mode).toBe(DeltaMode.FULL);
  });

  it("keeps a slow client's events and delivers them, in order, with its next snapshot", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000 });
    const slow = joined(setup, "ann");
    setup.tick();
    slow.snapshots();
    slow.socket.bufferedAmount = 5000;
    command(slow, "emit", "me", "ping", 3);
    setup.tick();
    command(slow, "emit", "all", "news", 2);
    setup.tick();
    slow.socket.bufferedAmount = 0;
    setup.tick();
    const [snapshot] = slow.snapshots();
    expect(snapshot.events.map((e) => [e.name, e.data])).toEqual([
      ["ping", 0],
      ["ping", 1],
      ["ping", 2],
      ["news", 0],
      ["news", 1],
    ]);
  });

  it("closes a client whose event queue overflows with EventOverflow and keeps its player", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000, maxPendingEvents: 10 });
    const slow = joined(setup, "ann");
    setup.tick();
    slow.socket.bufferedAmount = 5000;
    command(slow, "emit", "me", "spam", 11);
    expect(slow.socket.ended?.code).toBe(CloseCode.EventOverflow);
    expect(setup.world.sessions.size).toBe(1);
  });

  it("closes a stalled reader after stallTimeoutMs and keeps its player for resume", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000, stallTimeoutMs: 2000 });
    const slow = joined(setup, "ann");
    const healthy = joined(setup, "bob");
    setup.tick();
    slow.socket.bufferedAmount = 5000;
    setup.tick(39);
    expect(slow.socket.ended).toBeUndefined();
    setup.tick(2);
    expect(slow.socket.ended?.code).toBe(CloseCode.StalledReader);
    expect(setup.world.sessions.size).toBe(2);
    // The healthy client got every tick.
    expect(healthy.snapshots().map((s) => s.tick)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
  });

  it("sends a catch-up snapshot from the drain handler as soon as the buffer drains", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000 });
    const slow = joined(setup, "ann");
    setup.tick();
    slow.snapshots();
    slow.socket.bufferedAmount = 5000;
    setup.tick(2);
    setup.world.drained(slow.peer); // still over the limit: nothing
    expect(slow.snapshots()).toHaveLength(0);
    slow.socket.bufferedAmount = 100;
    setup.world.drained(slow.peer);
    const [catchUp] = slow.snapshots();
    expect(catchUp.tick).toBe(setup.world.store.tick);
    setup.world.drained(slow.peer); // caught up: a second drain sends nothing
    expect(slow.snapshots()).toHaveLength(0);
    setup.tick();
    slow.snapshots();
    expect(slow.applied.at(-1)?.mode).toBe(DeltaMode.RELATIVE);
  });

  it("lowers a lagging client's snapshot rate and restores it once it keeps up", () => {
    const setup = manualWorld<TestSchema>(testGame(), { snapshotSoftLimitBytes: 1000, sendsBeforeRateRestore: 4 });
    const slow = joined(setup, "ann");
    setup.tick();
    slow.snapshots();
    slow.socket.bufferedAmount = 5000;
    setup.tick(3);
    slow.socket.bufferedAmount = 0;
    setup.tick(8);
    const ticks = slow.snapshots().map((s) => s.tick);
    expect(ticks[1] - ticks[0]).toBe(2);
    setup.tick(20);
    const later = slow.snapshots().map((s) => s.tick);
    expect(later.at(-1)! - later.at(-2)!).toBe(1);
  });
});

describe("World: sessions", () => {
  it("resumes a player within the grace period: same entity, a FULL snapshot, its last reliable id", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const first = joined(setup, "ann@100,100");
    const welcome = welcomeOf(first);
    for (let rid = 1; rid <= 3; rid++) first.send({ type: MsgType.Chat, rid, text: "hello" });
    setup.tick();
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    setup.tick(20);
    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: welcome.resumeToken, lastEventSeq: 0 });
    const resumed = welcomeOf(second);
    expect(resumed).toMatchObject({ resumed: true, entityId: welcome.entityId, lastReliableId: 3 });
    setup.tick();
    second.snapshots();
    expect(second.applied.at(-1)?.mode).toBe(DeltaMode.FULL);
    expect(second.mirror.get(welcome.entityId)?.values).toMatchObject({ x: 100, y: 100 });
  });

  it("replays the events its client had not processed after a resume, in order, exactly once, before newer ones", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const first = joined(setup, "ann");
    const { resumeToken } = welcomeOf(first);
    setup.tick();
    command(first, "emit", "me", "ping", 3);
    setup.tick();
    expect(lastSnapshot(first)).toMatchObject({ firstEventSeq: 1, events: [{ data: 0 }, { data: 1 }, { data: 2 }] });
    // The client confirms #1 (a ping); #2..#5 go out on a socket that dies with #3..#5 in flight.
    first.send({ type: MsgType.Ping, clientTime: 1, lastEventSeq: 1 });
    command(first, "emit", "me", "pong", 2);
    setup.tick();
    expect(lastSnapshot(first)).toMatchObject({ firstEventSeq: 4 });
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    const session = [...setup.world.sessions][0];
    setup.world.emit(session, "news", "while away");

    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 2 });
    setup.tick();
    const [welcome, replay, snapshot] = second.drain();
    expect(welcome).toMatchObject({ type: MsgType.Welcome, resumed: true, lastEventSeq: 2 });
    expect(replay).toEqual({
      type: MsgType.Events,
      firstEventSeq: 3,
      events: [
        { name: "ping", data: 2 },
        { name: "pong", data: 0 },
        { name: "pong", data: 1 },
      ],
    });
    expect(snapshot).toMatchObject({ type: MsgType.Snapshot, firstEventSeq: 6, events: [{ name: "news", data: "while away" }] });
  });

  it("refuses a resume once with EventOverflow when events it had not processed were forgotten, then goes on from the oldest kept", () => {
    const setup = manualWorld<TestSchema>(testGame(), { maxPendingEvents: 4 });
    const first = joined(setup, "ann");
    const { resumeToken } = welcomeOf(first);
    setup.tick();
    for (let i = 0; i < 2; i++) {
      command(first, "emit", "me", "ping", 3);
      setup.tick();
    }
    // Six sent, none confirmed: only #3..#6 are kept.
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    const refused = new FakeClient(setup.world);
    refused.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    expect(refused.socket.ended?.code).toBe(CloseCode.EventOverflow);
    expect(setup.world.sessions.size).toBe(1);

    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    const [welcome, replay] = second.drain();
    expect(welcome).toMatchObject({ type: MsgType.Welcome, resumed: true, lastEventSeq: 2 });
    expect(replay).toMatchObject({ type: MsgType.Events, firstEventSeq: 3 });
    expect(replay.type === MsgType.Events && replay.events.map((event) => event.data)).toEqual([2, 0, 1, 2]);
  });

  it("drops a chat re-sent after a resume (same rid) instead of processing it twice", () => {
    const chats: string[] = [];
    const setup = manualWorld<TestSchema>(testGame({ onChat: (_ctx, _player, text) => chats.push(text) }));
    const first = joined(setup, "ann");
    const { resumeToken } = welcomeOf(first);
    first.send({ type: MsgType.Chat, rid: 1, text: "once" });
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    second.send({ type: MsgType.Chat, rid: 1, text: "once" });
    second.send({ type: MsgType.Chat, rid: 2, text: "twice" });
    expect(chats).toEqual(["once", "twice"]);
  });

  it("lets the player leave when the grace period ends, and refuses its token after", () => {
    const left: string[] = [];
    const setup = manualWorld<TestSchema>(testGame({ onLeave: (_ctx, p) => left.push(p.name) }), { resumeGraceMs: 1000 });
    const first = joined(setup, "ann");
    const { resumeToken, entityId } = welcomeOf(first);
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    setup.tick(19);
    expect(left).toEqual([]);
    setup.tick(2);
    expect(left).toEqual(["ann"]);
    expect(setup.world.store.has(entityId)).toBe(false);
    const late = new FakeClient(setup.world);
    late.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    expect(late.socket.ended?.code).toBe(CloseCode.ResumeFailed);
  });

  it("closes the old connection with SessionReplaced when the same session resumes elsewhere", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const first = joined(setup, "ann");
    const { resumeToken } = welcomeOf(first);
    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    expect(first.socket.ended?.code).toBe(CloseCode.SessionReplaced);
    expect(welcomeOf(second).resumed).toBe(true);
    setup.tick();
    expect(second.snapshots()).toHaveLength(1);
    expect(setup.world.sessions.size).toBe(1);
  });

  it("lets a player leave at once when its client closes normally (1000)", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    const { entityId } = welcomeOf(client);
    setup.world.disconnected(client.peer, CloseCode.Normal);
    expect(setup.world.sessions.size).toBe(0);
    expect(setup.world.store.has(entityId)).toBe(false);
  });

  it("closes a connection that never joins with JoinTimeout", () => {
    const setup = manualWorld<TestSchema>(testGame(), { joinTimeoutMs: 500 });
    const idle = new FakeClient(setup.world);
    setup.tick(9);
    expect(idle.socket.ended).toBeUndefined();
    setup.tick(2);
    expect(idle.socket.ended?.code).toBe(CloseCode.JoinTimeout);
  });

  it("answers Ping with Pong carrying the client's time and the server's tick-aligned time", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = new FakeClient(setup.world);
    setup.tick(10);
    client.send({ type: MsgType.Ping, clientTime: 1234.5, lastEventSeq: 0 });
    const pong = client.drain().find((m) => m.type === MsgType.Pong);
    expect(pong).toEqual({ type: MsgType.Pong, clientTime: 1234.5, serverTime: 10 * 50, lastReliableId: 0, inputMarginMs: null });
  });

  it("reports in Pong how early the latest timed input since the last Ping arrived before its tick", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    setup.tick(10); // server time 500: tick 12 is 100 ms away, tick 10 passed
    client.send({ type: MsgType.Input, seq: 0, tick: 12, input: [1, 0] });
    client.send({ type: MsgType.Input, seq: 1, tick: 10, input: [1, 0] });
    client.send({ type: MsgType.Ping, clientTime: 1, lastEventSeq: 0 });
    client.send({ type: MsgType.Ping, clientTime: 2, lastEventSeq: 0 });
    const pongs = client.drain().filter((m) => m.type === MsgType.Pong);
    expect(pongs.map((pong) => pong.type === MsgType.Pong && pong.inputMarginMs)).toEqual([0, null]);
  });

  it("takes inputs timed far ahead (sent faster than the tick rate) as timed 250 ms ahead, and applies only the newest of them", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    setup.tick(10); // server time 500: 250 ms ahead is tick 15
    for (let seq = 0; seq < 4; seq++) client.send({ type: MsgType.Input, seq, tick: 100 + seq, input: [1, 0] });
    client.send({ type: MsgType.Ping, clientTime: 1, lastEventSeq: 0 });
    const pong = client.drain().find((m) => m.type === MsgType.Pong);
    expect(pong?.type === MsgType.Pong && pong.inputMarginMs).toBe(250);
    setup.tick(4);
    expect(lastSnapshot(client).ackSeq).toBe(-1);
    setup.tick();
    expect(lastSnapshot(client).ackSeq).toBe(3);
  });
});

describe("World: game API", () => {
  it("delivers an event near a point only to players whose entity is within the radius", () => {
    const setup = manualWorld<TestSchema>(testGame({ interest: AOI }));
    const near = joined(setup, "ann@100,100");
    const far = joined(setup, "bob@1000,1000");
    setup.tick();
    command(near, "near", 150, 150, 200, "boom");
    setup.tick();
    expect(near.snapshots().flatMap((s) => s.events.map((e) => e.name))).toEqual(["boom"]);
    expect(far.snapshots().flatMap((s) => s.events)).toEqual([]);
  });

  it("kicks a player: its connection closes with Kicked and it leaves at once", () => {
    const left: string[] = [];
    const setup = manualWorld<TestSchema>(testGame({ onLeave: (_ctx, p) => left.push(p.name) }));
    const client = joined(setup, "ann");
    command(client, "kick");
    expect(client.socket.ended?.code).toBe(CloseCode.Kicked);
    expect(left).toEqual(["ann"]);
    expect(setup.world.sessions.size).toBe(0);
  });

  it("welcomes without data, and counts the handler error, when welcomeData returns something unsendable", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const setup = manualWorld<TestSchema>(testGame({ welcomeData: () => circular as never }));
    const client = joined(setup, "ann");
    expect(welcomeOf(client).data).toBeUndefined();
    expect(await metricValue(setup.metrics, "tickwire_handler_errors_total", { handler: "welcomeData" })).toBe(1);
  });

  it("puts the game's welcomeData in the Welcome", () => {
    const setup = manualWorld<TestSchema>(testGame({ welcomeData: (_ctx, p) => ({ map: "meadow", you: p.name }) }));
    const client = joined(setup, "ann");
    expect(welcomeOf(client).data).toEqual({ map: "meadow", you: "ann" });
  });

  it("gives game code the tick being simulated and its server time", () => {
    const seen: [number, number, number][] = [];
    const setup = manualWorld<TestSchema>(testGame({ step: (ctx) => seen.push([ctx.tick, ctx.time, ctx.store.tick]) }));
    setup.tick(3);
    expect(seen).toEqual([
      [1, 50, 0],
      [2, 100, 1],
      [3, 150, 2],
    ]);
  });
});

describe("World: admission", () => {
  it("refuses admission when players fill the world; sockets that have not joined hold no slot", () => {
    const setup = manualWorld<TestSchema>(testGame({ capacity: 2 }), { maxWorldSharePerIp: 1 });
    joined(setup, "ann");
    new FakeClient(setup.world);
    new FakeClient(setup.world);
    expect(setup.world.admissionRefusal()).toBeUndefined();
    joined(setup, "bob");
    expect(setup.world.admissionRefusal()).toBe("world full");
    expect(setup.world.openSlots).toBe(0);
  });

  it("admits a connection while a disconnected player holds the last slot, but refuses its Join", () => {
    const setup = manualWorld<TestSchema>(testGame({ capacity: 1 }));
    const first = joined(setup, "ann");
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    expect(setup.world.admissionRefusal()).toBeUndefined();
    const stranger = joined(setup, "bob");
    expect(stranger.socket.ended?.code).toBe(CloseCode.WorldFull);
  });
});

describe("World: bad input", () => {
  it("answers malformed bytes with an Error, counts them, and closes after repeated offences", async () => {
    const setup = manualWorld<TestSchema>(testGame(), { invalidMessagesBeforeClose: 3 });
    const bad = joined(setup, "ann");
    const good = joined(setup, "bob");
    bad.drain();
    bad.sendBytes(new Uint8Array([0xc1, 0xff, 0x00]));
    const [error] = bad.drain();
    expect(error).toMatchObject({ type: MsgType.Error, code: ErrorCode.Malformed });
    bad.sendBytes(new Uint8Array([0x93]));
    bad.sendBytes(new Uint8Array([]));
    expect(bad.socket.ended).toBeUndefined();
    bad.sendBytes(new Uint8Array([0x90]));
    expect(bad.socket.ended?.code).toBe(CloseCode.InvalidMessages);
    expect(await metricValue(setup.metrics, "tickwire_invalid_messages_total")).toBe(4);
    setup.tick();
    expect(good.snapshots()).toHaveLength(1);
  });

  it("refuses text frames", async () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann");
    client.drain();
    client.sendBytes(new TextEncoder().encode("hello"), false);
    expect(client.drain()[0]).toMatchObject({ type: MsgType.Error, code: ErrorCode.Malformed });
    expect(await metricValue(setup.metrics, "tickwire_invalid_messages_total", { reason: "text_frame" })).toBe(1);
  });

  it("refuses an input outside the game's input schema without applying it", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = joined(setup, "ann@100,100");
    const { entityId } = welcomeOf(client);
    client.send({ type: MsgType.Input, seq: 0, tick: 0, input: [5, 0] });
    expect(client.drain()[0]).toMatchObject({ type: MsgType.Error, code: ErrorCode.InvalidField });
    setup.tick();
    client.snapshots();
    expect(valuesOf(client, entityId).x).toBe(100);
  });

  it("refuses game messages before Join and a second Join", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const client = new FakeClient(setup.world);
    client.send({ type: MsgType.Input, seq: 0, tick: 0, input: [1, 0] });
    expect(client.drain()[0]).toMatchObject({ type: MsgType.Error, code: ErrorCode.NotJoined });
    client.send({ type: MsgType.Join, name: "ann" });
    client.send({ type: MsgType.Join, name: "ann" });
    expect(client.drain().map((m) => m.type)).toEqual([MsgType.Welcome, MsgType.Error]);
  });

  it("drops messages over the rate limit, says so once, and closes a sustained flood", async () => {
    const setup = manualWorld<TestSchema>(testGame(), {
      messageBurst: 5,
      messagesPerSecond: 5,
      floodDropsBeforeClose: 20,
      floodForgivenessPerSecond: 1,
    });
    const flooder = joined(setup, "ann");
    flooder.drain();
    for (let i = 0; i < 10; i++) flooder.send({ type: MsgType.Ping, clientTime: i, lastEventSeq: 0 });
    const replies = flooder.drain();
    expect(replies.filter((m) => m.type === MsgType.Pong)).toHaveLength(4);
    expect(replies.filter((m) => m.type === MsgType.Error && m.code === ErrorCode.RateLimited)).toHaveLength(1);
    for (let i = 0; i < 30 && flooder.socket.ended === undefined; i++) flooder.send({ type: MsgType.Ping, clientTime: i, lastEventSeq: 0 });
    expect(flooder.socket.ended?.code).toBe(CloseCode.InputFlood);
    setup.tick(); // metrics are flushed once per tick
    expect(await metricValue(setup.metrics, "tickwire_rate_limited_total")).toBeGreaterThanOrEqual(20);
  });
});

describe("World: game code failures", () => {
  it("counts a throwing handler and keeps ticking for everyone", async () => {
    let steps = 0;
    const setup = manualWorld<TestSchema>(
      testGame({
        step: () => {
          steps++;
          if (steps === 2) throw new Error("step failure (on purpose)");
        },
        onInput: () => {
          throw new Error("input failure (on purpose)");
        },
      }),
    );
    const client = joined(setup, "ann");
    client.send({ type: MsgType.Input, seq: 0, tick: 0, input: [1, 0] });
    command(client, "throw");
    const errors = client.drain().filter((m) => m.type === MsgType.Error);
    expect(errors).toMatchObject([{ code: ErrorCode.CommandFailed }]);
    setup.tick(3);
    expect(client.snapshots()).toHaveLength(3);
    expect(await metricValue(setup.metrics, "tickwire_handler_errors_total")).toBe(3);
  });

  it("closes the connection with InternalError when onJoin throws, without a player", () => {
    const setup = manualWorld<TestSchema>(
      testGame({
        onJoin: () => {
          throw new Error("join failure (on purpose)");
        },
      }),
    );
    const client = joined(setup, "ann");
    expect(client.socket.ended?.code).toBe(CloseCode.InternalError);
    expect(setup.world.sessions.size).toBe(0);
  });

  it("closes the connection with InternalError when playerData throws, counts it, and never calls onJoin", async () => {
    let joins = 0;
    const setup = manualWorld<TestSchema>(
      defineGame({
        ...TEST_GAME_BASICS,
        playerData: (): { score: number } => {
          throw new Error("profile failure (on purpose)");
        },
        onJoin: (ctx) => {
          joins++;
          return ctx.spawn("player", { x: 100, y: 100, hp: 100 });
        },
      }),
    );
    const client = joined(setup, "ann");
    expect(client.socket.ended?.code).toBe(CloseCode.InternalError);
    expect(setup.world.sessions.size).toBe(0);
    expect(joins).toBe(0);
    expect(await metricValue(setup.metrics, "tickwire_handler_errors_total", { handler: "playerData" })).toBe(1);
  });
});

describe("World: lifecycle hooks", () => {
  it("runs onCreate once before the first tick, and a joining player is sent what it spawned", () => {
    let created = 0;
    const base = testGame();
    const setup = manualWorld<TestSchema>({
      ...base,
      onCreate(ctx) {
        created++;
        ctx.spawn("mob", { x: 120, y: 120 });
      },
    });
    expect(created).toBe(1);
    const client = joined(setup, "ann@100,100");
    setup.tick();
    client.snapshots();
    const types = [...client.mirror.values()].map((entity) => entity.type).sort();
    expect(types).toEqual(["mob", "player"]);
    expect(created).toBe(1);
  });

  it("gives each world built from one definition its own state, made before onCreate", () => {
    const made: string[] = [];
    const joinedInto: { ticks: number; mobs: number[] }[] = [];
    const game = defineGame({
      ...TEST_GAME_BASICS,
      state: (world) => {
        made.push(world.worldId);
        return { ticks: 0, mobs: [] as number[] };
      },
      onCreate(ctx) {
        ctx.state.mobs.push(ctx.spawn("mob", { x: 120, y: 120 }).id);
      },
      onJoin(ctx) {
        joinedInto.push(ctx.state);
        return ctx.spawn("player", { x: 100, y: 100, hp: 100 });
      },
      step(ctx) {
        ctx.state.ticks++;
      },
    });
    const a = manualWorld<TestSchema>(game);
    const b = manualWorld<TestSchema>(game);
    a.tick(3);
    b.tick(1);
    joined(a, "ann");
    joined(b, "bob");
    expect(made).toEqual(["main", "main"]);
    expect(joinedInto[0]).not.toBe(joinedInto[1]);
    expect(joinedInto.map((state) => state.ticks)).toEqual([3, 1]);
    expect(joinedInto.map((state) => state.mobs.length)).toEqual([1, 1]);
  });

  it("makes a player's data at join with playerData and keeps it across a resume", () => {
    let made = 0;
    const game = defineGame({
      ...TEST_GAME_BASICS,
      playerData: (_ctx, player) => {
        made++;
        return { greeting: `hi ${player.name}`, chats: 0 };
      },
      onJoin: (ctx) => ctx.spawn("player", { x: 100, y: 100, hp: 100 }),
      onChat(_ctx, player) {
        player.data.chats++;
      },
    });
    const setup = manualWorld<TestSchema>(game);
    const first = joined(setup, "ann");
    const { resumeToken } = welcomeOf(first);
    first.send({ type: MsgType.Chat, rid: 1, text: "one" });
    setup.world.disconnected(first.peer, CloseCode.Abnormal);
    setup.tick(5);
    const second = new FakeClient(setup.world);
    second.send({ type: MsgType.Resume, token: resumeToken, lastEventSeq: 0 });
    welcomeOf(second);
    second.send({ type: MsgType.Chat, rid: 2, text: "two" });
    const [player] = setup.world.sessions;
    expect(made).toBe(1);
    expect(player.data).toEqual({ greeting: "hi ann", chats: 2 });
  });

  it("reports every tick's duration and tick number to onTick listeners until unsubscribed", () => {
    const setup = manualWorld<TestSchema>(testGame());
    const seen: [number, number][] = [];
    const unsubscribe = setup.world.onTick((durationMs, tick) => seen.push([durationMs, tick]));
    setup.tick();
    setup.tick();
    unsubscribe();
    setup.tick();
    expect(seen.map(([, tick]) => tick)).toEqual([setup.world.store.tick - 2, setup.world.store.tick - 1]);
    for (const [durationMs] of seen) expect(durationMs).toBeGreaterThanOrEqual(0);
  });
});
