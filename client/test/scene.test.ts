import { defineInput, defineSchema, type Entity, EntityStore, inputField, type PredictionModel, t } from "@tickwire/engine";
import { ByteWriter, type ClientView, createClientView, encodeDelta, MsgType } from "@tickwire/engine/wire";
import { beforeEach, describe, expect, it } from "vitest";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { ClientError } from "../src/connection.js";
import type { PredictConfig } from "../src/prediction.js";
import type { ClientEntity } from "../src/scene.js";
import { FakeSocket } from "./helpers/fake-socket.js";
import { FakeTime } from "./helpers/fake-time.js";

const schema = defineSchema({
  dot: { x: t.fixed(1 / 16, { min: 0, max: 1000 }), y: t.fixed(1 / 16, { min: 0, max: 1000 }), name: t.string(16) },
  flag: { team: t.enum(["red", "blue"]) },
});
type Schema = typeof schema;
const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
type Input = { dx: number; dy: number };
interface Pos {
  x: number;
  y: number;
}

const TICK_MS = 50;
/** Units per input: a multiple of the 1/16 quantum, so both ends agree exactly. */
const STEP = 2;

/** The shared step of this test game; `limit` lets the "server" have a wall the client does not know. */
function step(state: Pos, move: Input, limit = 1000): void {
  state.x = Math.min(limit, Math.max(0, state.x + move.dx * STEP));
  state.y = Math.min(1000, Math.max(0, state.y + move.dy * STEP));
}

const model: PredictionModel<Pos, Input> = {
  step: (state, move) => step(state, move),
  copy: (from, to) => {
    to.x = from.x;
    to.y = from.y;
  },
  create: () => ({ x: 0, y: 0 }),
  error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  createInput: () => ({ dx: 0, dy: 0 }),
  copyInput: (from, to) => {
    to.dx = from.dx;
    to.dy = from.dy;
  },
};

/** A server world in miniature: an engine store whose deltas reach the client through a FakeSocket. */
class MiniServer {
  readonly store = new EntityStore(schema);
  view: ClientView = createClientView();
  private readonly writer = new ByteWriter();

  snapshot(socket: FakeSocket, ackSeq = -1): void {
    const tick = this.store.commit();
    this.writer.reset();
    encodeDelta(this.store, this.view, null, this.writer);
    socket.receive({ type: MsgType.Snapshot, tick, ackSeq, body: this.writer.copy(), events: [], firstEventSeq: 0 });
  }

  welcome(socket: FakeSocket, entityId: number, resumed = false): void {
    socket.welcome({ entityId, tick: this.store.tick, serverTime: this.store.tick * TICK_MS, resumed });
  }
}

/** The entity as a dot (every entity these tests draw is one): narrows its type, so `render.x` type-checks. */
function asDot(entity: ClientEntity<Schema> | undefined): Extract<ClientEntity<Schema>, { type: "dot" }> {
  if (entity?.type !== "dot") throw new Error(`expected a dot, got ${entity?.type}`);
  return entity;
}

interface Harness {
  client: TickwireClient<Schema, Input, Pos>;
  time: FakeTime;
  server: MiniServer;
  errors: ClientError[];
}

function start(options: Partial<ConnectOptions<Schema, Input, Pos>> = {}, predict?: PredictConfig<Pos, Input>): Harness {
  const time = new FakeTime();
  const server = new MiniServer();
  const client = connect<Schema, Input, Pos>("ws://game.test/ws", {
    name: "ada",
    game: { schema, input, predict },
    ...options,
    runtime: {
      WebSocket: FakeSocket,
      now: time.now,
      timers: time,
      random: () => 0.5,
      ...options.runtime,
    },
  });
  const errors: ClientError[] = [];
  client.on("error", (error) => errors.push(error));
  FakeSocket.last.open();
  return { client, time, server, errors };
}

beforeEach(() => FakeSocket.reset());

describe("client scene: lifecycle", () => {
  it("emits spawn, update (with the changed-field mask) and despawn, and keeps `entities` current", () => {
    const { client, server } = start();
    const log: string[] = [];
    client.on("spawn", (e) => log.push(`spawn ${e.id} ${e.type}`));
    client.on("update", (e, mask) => log.push(`update ${e.id} ${mask}`));
    client.on("despawn", (e) => log.push(`despawn ${e.id}`));
    const a = server.store.spawn("dot", { x: 10, y: 20, name: "a" });
    const flag = server.store.spawn("flag", { team: "blue" });
    server.welcome(FakeSocket.last, a.id);
    server.snapshot(FakeSocket.last);
    a.y = 21;
    server.snapshot(FakeSocket.last);
    server.store.despawn(flag);
    server.snapshot(FakeSocket.last);
    expect(log).toEqual([`spawn ${a.id} dot`, `spawn ${flag.id} flag`, `update ${a.id} 2`, `despawn ${flag.id}`]);
    expect(client.entities.map((e) => e.id)).toEqual([a.id]);
    const entity = client.get(a.id) as ClientEntity<Schema>;
    expect(entity.type === "dot" && entity.values.y).toBe(21);
    expect(entity.local).toBe(true);
    expect(client.local?.id).toBe(a.id);
  });

  it("typed values: enum and string fields read as strings", () => {
    const { client, server } = start();
    const flag = server.store.spawn("flag", { team: "red" });
    server.store.spawn("dot", { name: "zoe" });
    server.welcome(FakeSocket.last, 99);
    server.snapshot(FakeSocket.last);
    const entity = client.get(flag.id)!;
    if (entity.type !== "flag") throw new Error("expected a flag");
    expect(entity.values.team).toBe("red");
    expect(entity.fields).toEqual([]);
    expect(client.entities.find((e) => e.type === "dot")?.values).toMatchObject({ name: "zoe" });
  });

  it("after a resume, the full snapshot reports only what really changed", () => {
    const { client, server, time } = start();
    const stays = server.store.spawn("dot", { x: 1 });
    const goes = server.store.spawn("dot", { x: 2 });
    server.welcome(FakeSocket.last, stays.id);
    server.snapshot(FakeSocket.last);
    FakeSocket.last.drop(1006);
    const comes = server.store.spawn("dot", { x: 3 });
    server.store.despawn(goes);
    server.snapshot(FakeSocket.last);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    server.view = createClientView();
    const log: string[] = [];
    client.on("spawn", (e) => log.push(`spawn ${e.id}`));
    client.on("despawn", (e) => log.push(`despawn ${e.id}`));
    client.on("update", (e) => log.push(`update ${e.id}`));
    server.welcome(FakeSocket.last, stays.id, true);
    server.snapshot(FakeSocket.last);
    expect(log).toEqual([`despawn ${goes.id}`, `spawn ${comes.id}`]);
  });

  it("an inapplicable snapshot body is a protocol error and the client resumes for a full one", () => {
    const { client, server, errors } = start();
    server.store.spawn("dot");
    server.welcome(FakeSocket.last, 1);
    FakeSocket.last.receive({ type: MsgType.Snapshot, tick: 5, ackSeq: -1, body: new Uint8Array([0, 1, 1, 77, 1]), events: [], firstEventSeq: 0 });
    expect(errors.map((e) => e.kind)).toContain("protocol");
    expect(client.state).toBe("resuming");
  });
});

describe("client scene: interpolation", () => {
  /** Runs `ticks` server ticks, moving `entity` by `dx` each, with snapshots arriving every 50 ms. */
  function run(h: Harness, entity: Entity<Schema, "dot">, ticks: number, dx: number): void {
    for (let i = 0; i < ticks; i++) {
      entity.x += dx;
      h.time.advance(TICK_MS);
      h.server.snapshot(FakeSocket.last);
      h.client.update();
    }
  }

  it("a remote entity moving 1 unit per tick is drawn on the straight line between snapshots, read by field name", () => {
    const h = start();
    const mover = h.server.store.spawn("dot", { x: 100, y: 50 });
    h.server.welcome(FakeSocket.last, 999);
    h.server.snapshot(FakeSocket.last);
    run(h, mover, 40, 1);
    const entity = asDot(h.client.get(mover.id));
    const renderTime = h.client.renderTime();
    h.client.sample(renderTime);
    expect(entity.status).toBe("interpolated");
    // Server time t ms ↔ tick t/50 ↔ x = 100 + (tick − first tick).
    const firstTick = 1;
    expect(entity.render.x).toBeCloseTo(100 + (renderTime / TICK_MS - firstTick), 9);
    expect(entity.render.y).toBe(50);
    expect(entity.fields).toEqual(["x", "y"]);
    expect(JSON.parse(JSON.stringify(entity.render))).toEqual({ x: entity.render.x, y: 50 });
    // @ts-expect-error only interpolated fields (by default the `fixed` ones) are drawn: a name is not
    expect(entity.render.name).toBeUndefined();
  });

  it("a remote entity that stops is not extrapolated past where it stopped", () => {
    const h = start();
    const mover = h.server.store.spawn("dot", { x: 100 });
    h.server.welcome(FakeSocket.last, 999);
    h.server.snapshot(FakeSocket.last);
    run(h, mover, 20, 3);
    const stoppedAt = mover.x;
    run(h, mover, 20, 0);
    for (let frame = 0; frame < 30; frame++) {
      h.time.advance(16);
      h.client.update();
      expect(asDot(h.client.get(mover.id)).render.x).toBeLessThanOrEqual(stoppedAt);
    }
    expect(asDot(h.client.get(mover.id)).render.x).toBe(stoppedAt);
  });

  it("a new entity is drawn at its spawn position at once, not slid in from 0", () => {
    const h = start();
    h.server.welcome(FakeSocket.last, 999);
    h.server.snapshot(FakeSocket.last);
    const spawned: number[] = [];
    h.client.on("spawn", (e) => spawned.push(asDot(e).render.x));
    h.server.store.spawn("dot", { x: 500 });
    h.time.advance(TICK_MS);
    h.server.snapshot(FakeSocket.last);
    h.client.update();
    expect(spawned).toEqual([500]);
    expect(asDot(h.client.entities[0]).render.x).toBe(500);
  });

  it("a jump beyond teleportDistance snaps instead of sliding", () => {
    const h = start({ game: { schema, input, interpolation: { teleportDistance: 50 } } });
    const mover = h.server.store.spawn("dot", { x: 100 });
    h.server.welcome(FakeSocket.last, 999);
    h.server.snapshot(FakeSocket.last);
    run(h, mover, 10, 1);
    run(h, mover, 1, 400);
    run(h, mover, 10, 0);
    const seen = new Set<number>();
    for (let frame = 0; frame < 60; frame++) {
      h.time.advance(5);
      h.client.update();
      seen.add(asDot(h.client.get(mover.id)).render.x);
    }
    // Every drawn x is either before the jump (≤ 110) or at its end (510): nothing in between.
    for (const x of seen) expect(x <= 110 || x === 510).toBe(true);
    expect(seen.has(510)).toBe(true);
  });
});

describe("prediction and reconciliation", () => {
  const predict: PredictConfig<Pos, Input> = { model, fields: ["x", "y"], decayMs: 100 };

  /** Server side of the player's inputs: applies every Input the socket carried, like the real server. */
  function serve(player: Entity<Schema, "dot">, limit = 1000): number {
    let ack = -1;
    for (const message of FakeSocket.last.sentOf(MsgType.Input)) {
      const pos = { x: player.x, y: player.y };
      step(pos, { dx: message.input[0], dy: message.input[1] }, limit);
      player.x = pos.x;
      player.y = pos.y;
      ack = message.seq;
    }
    FakeSocket.last.sent.length = 0;
    return ack;
  }

  function startPredicting(): Harness & { player: Entity<Schema, "dot"> } {
    const h = start({}, predict);
    const player = h.server.store.spawn("dot", { x: 90, y: 10 });
    h.server.welcome(FakeSocket.last, player.id);
    h.server.snapshot(FakeSocket.last);
    return { ...h, player };
  }

  it("applies an input to the predicted state at once, before the server answers", () => {
    const { client, time } = startPredicting();
    expect(client.predicted).toEqual({ x: 90, y: 10 });
    client.sendInput({ dx: 1, dy: 0 });
    client.sendInput({ dx: 1, dy: 1 });
    expect(client.predicted).toEqual({ x: 94, y: 12 });
    expect(client.pendingInputs).toBe(2);
    // Drawn between predicted ticks: a tick after the newest input, at it.
    time.advance(TICK_MS);
    client.update();
    const { render } = asDot(client.local);
    expect([render.x, render.y]).toEqual([94, 12]);
  });

  it("a server running the same step confirms every prediction: zero corrections", () => {
    const h = startPredicting();
    let lastAck = -1;
    for (let tick = 0; tick < 40; tick++) {
      h.client.sendInput({ dx: tick % 7 === 0 ? -1 : 1, dy: tick % 3 === 0 ? 1 : 0 });
      h.client.sendInput({ dx: 1, dy: 0 });
      lastAck = serve(h.player);
      h.time.advance(TICK_MS);
      h.server.snapshot(FakeSocket.last, lastAck);
      h.client.update();
    }
    expect(h.client.stats.corrections).toBe(0);
    expect(h.client.predicted).toEqual({ x: h.player.x, y: h.player.y });
    expect(h.client.pendingInputs).toBe(0);
  });

  it("a server that disagrees (a wall the client does not know) corrects it: counted, sized, smoothed", () => {
    const h = startPredicting();
    for (let i = 0; i < 10; i++) h.client.sendInput({ dx: 1, dy: 0 });
    expect(h.client.predicted?.x).toBe(110);
    h.client.update();
    const drawn = asDot(h.client.local).render.x;
    // The server stops the player at x = 100.
    const ack = serve(h.player, 100);
    h.server.snapshot(FakeSocket.last, ack);
    expect(h.client.predicted?.x).toBe(100);
    expect(h.client.stats.corrections).toBe(1);
    expect(h.client.stats.lastCorrectionSize).toBe(10);
    // Drawn where it was, then slides to the corrected position: ~5% left after decayMs.
    h.client.update();
    expect(asDot(h.client.local).render.x).toBeCloseTo(drawn, 9);
    h.time.advance(100);
    h.client.update();
    expect(asDot(h.client.local).render.x).toBeCloseTo(100.5, 6);
  });

  it("replays inputs the server has not acknowledged on top of its state", () => {
    const h = startPredicting();
    h.client.sendInput({ dx: 1, dy: 0 });
    h.client.sendInput({ dx: 1, dy: 0 });
    const ack = serve(h.player);
    h.client.sendInput({ dx: 0, dy: 1 });
    h.server.snapshot(FakeSocket.last, ack);
    expect(h.client.predicted).toEqual({ x: 94, y: 12 });
    expect(h.client.pendingInputs).toBe(1);
    expect(h.client.stats.corrections).toBe(0);
  });

  it("sends no input before the local entity has arrived", () => {
    const h = start({}, predict);
    const player = h.server.store.spawn("dot", { x: 5 });
    h.server.welcome(FakeSocket.last, player.id);
    expect(h.client.sendInput({ dx: 1, dy: 0 })).toBe(-1);
    h.server.snapshot(FakeSocket.last);
    expect(h.client.sendInput({ dx: 1, dy: 0 })).toBe(0);
  });

  it("after a resume starts over from the server's state, forgetting inputs lost with the connection", () => {
    const h = startPredicting();
    h.client.sendInput({ dx: 1, dy: 0 });
    const ack = serve(h.player);
    h.server.snapshot(FakeSocket.last, ack);
    h.client.sendInput({ dx: 1, dy: 0 });
    h.client.sendInput({ dx: 1, dy: 0 });
    // These two never reach the server.
    FakeSocket.last.drop(1006);
    expect(h.client.sendInput({ dx: 1, dy: 0 })).toBe(-1);
    h.time.advance(h.time.nextDelay);
    FakeSocket.last.open();
    h.server.view = createClientView();
    h.server.welcome(FakeSocket.last, h.player.id, true);
    h.server.snapshot(FakeSocket.last, ack);
    expect(h.client.predicted).toEqual({ x: 92, y: 10 });
    expect(h.client.pendingInputs).toBe(0);
    expect(h.client.sendInput({ dx: 1, dy: 0 })).toBe(3);
  });

  it("controlEntity moves control and prediction to another entity (a respawn)", () => {
    const h = startPredicting();
    const respawned = h.server.store.spawn("dot", { x: 500, y: 300 });
    h.server.snapshot(FakeSocket.last);
    h.client.controlEntity(respawned.id);
    expect(h.client.sendInput({ dx: 1, dy: 0 })).toBe(-1);
    h.server.snapshot(FakeSocket.last);
    expect(h.client.entityId).toBe(respawned.id);
    expect(h.client.local?.id).toBe(respawned.id);
    expect(h.client.get(h.player.id)?.local).toBe(false);
    expect(h.client.predicted).toEqual({ x: 500, y: 300 });
    h.client.sendInput({ dx: 1, dy: 0 });
    expect(h.client.predicted).toEqual({ x: 502, y: 300 });
  });
});

describe("update without sampling (clients that draw nothing, such as bots)", () => {
  it("update(now, { sample: false }) sends inputs, predicts and times the delay, but leaves render values as they were; update() then samples", () => {
    const h = start({ input: () => ({ dx: 1, dy: 0 }) }, { model, fields: ["x", "y"], decayMs: 100 });
    const player = h.server.store.spawn("dot", { x: 90, y: 10 });
    const mover = h.server.store.spawn("dot", { x: 100, y: 50 });
    h.server.welcome(FakeSocket.last, player.id);
    h.server.snapshot(FakeSocket.last);
    h.client.update();
    FakeSocket.last.sent.length = 0;
    const predictedX = h.client.predicted?.x ?? Number.NaN;
    const remote = asDot(h.client.get(mover.id));
    const local = asDot(h.client.local);
    const drawn = { remote: remote.render.x, local: local.render.x };
    for (let i = 0; i < 20; i++) {
      mover.x += 1;
      h.time.advance(TICK_MS);
      h.server.snapshot(FakeSocket.last);
      h.client.update(h.time.now(), { sample: false });
    }
    expect(FakeSocket.last.sentOf(MsgType.Input)).toHaveLength(20);
    expect(h.client.predicted?.x).toBe(predictedX + 20 * STEP);
    expect(h.client.stats.interpDelayMs).toBeGreaterThan(0);
    expect(remote.values.x).toBe(120);
    expect([remote.render.x, local.render.x]).toEqual([drawn.remote, drawn.local]);
    h.client.update();
    expect(remote.render.x).toBeGreaterThan(drawn.remote);
    expect(local.render.x).toBeGreaterThan(drawn.local);
  });

  it("with no interpolated field (bots), snapshots keep every entity's values, spawns and despawns current while nothing is drawn", () => {
    const h = start({ game: { schema, input, interpolation: { fields: { dot: {}, flag: {} } } } });
    const mover = h.server.store.spawn("dot", { x: 100, y: 50, name: "m" });
    const flag = h.server.store.spawn("flag", { team: "red" });
    h.server.welcome(FakeSocket.last, 99);
    h.server.snapshot(FakeSocket.last);
    const log: string[] = [];
    h.client.on("spawn", (e) => log.push(`spawn ${e.id}`));
    h.client.on("despawn", (e) => log.push(`despawn ${e.id}`));
    const remote = asDot(h.client.get(mover.id));
    for (let i = 0; i < 5; i++) {
      mover.x += 1;
      h.time.advance(TICK_MS);
      h.server.snapshot(FakeSocket.last);
      h.client.update(h.time.now());
    }
    h.server.store.despawn(flag);
    const late = h.server.store.spawn("dot", { x: 7 });
    h.server.snapshot(FakeSocket.last);
    h.client.update(h.time.now());
    expect(remote.values.x).toBe(105);
    expect(asDot(h.client.get(late.id)).values.x).toBe(7);
    expect(log).toEqual([`despawn ${flag.id}`, `spawn ${late.id}`]);
    expect(h.client.entities.map((e) => e.id).sort()).toEqual([mover.id, late.id].sort());
    expect(remote.fields).toEqual([]);
    expect(JSON.parse(JSON.stringify(remote.render))).toEqual({});
    expect(h.errors).toEqual([]);
  });

  it("an update listener added after snapshots began gets the next updates", () => {
    const h = start();
    const mover = h.server.store.spawn("dot", { x: 100 });
    h.server.welcome(FakeSocket.last, 99);
    h.server.snapshot(FakeSocket.last);
    mover.x = 101;
    h.server.snapshot(FakeSocket.last);
    const updates: number[] = [];
    const off = h.client.on("update", (e, mask) => updates.push(e.id, mask));
    mover.x = 102;
    h.server.snapshot(FakeSocket.last);
    off();
    mover.x = 103;
    h.server.snapshot(FakeSocket.last);
    expect(updates).toEqual([mover.id, 1]);
    expect(asDot(h.client.get(mover.id)).values.x).toBe(103);
  });
});
