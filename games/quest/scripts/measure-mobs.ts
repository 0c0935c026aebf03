/**
 * What mobs cost a Quest world's tick: the real world (`World` from @tickwire/server, the
 * real game, the real map with its mob areas scaled up to 1,000 mobs) run by hand on a
 * fake clock, with in-process sockets that only count bytes. Each scenario runs a warm-up,
 * then times `runTick` (inputs, game step, commit, snapshots for every client).
 *
 *   node --conditions=source --import tsx games/quest/scripts/measure-mobs.ts [players] [fighters]
 *
 * Scenarios: the world without mobs and with ~1,000, each with nobody in it and with
 * `players` players (default 150) walking about, `fighters` of them (default 50) standing
 * next to a mob and attacking it.
 */
import { Rng } from "@tickwire/engine";
import { encodeClientMessage, MsgType } from "@tickwire/engine/wire";
import { resolveLimits, ServerMetrics, type SocketLike, silentLogger, World } from "@tickwire/server";
import { type QuestMap, tileCentre, tileOf } from "../src/shared/map.js";
import { MOVE_DOWN, MOVE_LEFT, MOVE_NONE, MOVE_RIGHT, MOVE_UP } from "../src/shared/schema.js";
import { createQuestGame } from "../src/server/game.js";
import { loadWorldMap, withMobCount } from "../src/server/world-map.js";

const TARGET_MOBS = 1000;
const WARMUP_TICKS = 200;
const MEASURED_TICKS = 1200;
/** Rows below this are the cave and the rooms: players are spread over the overworld. */
const OVERWORLD_ROWS = 128;

const players = Number(process.argv[2] ?? 150);
const fighters = Math.min(players, Number(process.argv[3] ?? 50));
const base = loadWorldMap();

class CountingSocket implements SocketLike {
  bytes = 0;
  send(message: Uint8Array): number {
    this.bytes += message.byteLength;
    return 1;
  }
  getBufferedAmount(): number {
    return 0;
  }
  end(): void {}
  cork(cb: () => void): void {
    cb();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function run(map: QuestMap, playerCount: number, fighterCount: number) {
  const questGame = createQuestGame({ map, seed: 1 });
  // The game's own step timed apart from the rest of the tick (snapshots, inputs).
  let stepMs = 0;
  let timing = false;
  const game = {
    ...questGame,
    step: (ctx: Parameters<NonNullable<typeof questGame.step>>[0], dt: number) => {
      const started = performance.now();
      questGame.step?.(ctx, dt);
      if (timing) stepMs += performance.now() - started;
    },
  };
  let now = 0;
  const world = new World({
    id: "quest-1",
    game,
    clock: () => now,
    logger: silentLogger(),
    metrics: new ServerMetrics({ defaultMetrics: false }),
    limits: resolveLimits({ maxConnectionsPerIp: 10_000, maxUnjoinedPerIp: 10_000, maxWorldSharePerIp: 1 }),
  });
  const rng = new Rng(42);
  const clients = Array.from({ length: playerCount }, (_, i) => {
    const socket = new CountingSocket();
    world.reserve("127.0.0.1");
    const peer = world.connect(socket, { ip: "127.0.0.1", identity: undefined });
    world.receive(peer, Uint8Array.from(encodeClientMessage({ type: MsgType.Join, name: `p${i}` })).buffer, true);
    return { socket, peer, seq: 0, move: MOVE_NONE, target: -1 };
  });
  now += world.tickMs;
  world.runTick();

  // Spread the players over the overworld; fighters stand next to a mob of their own.
  const mobs: { id: number; tx: number; ty: number }[] = [];
  const playerEntities: { x: number; y: number }[] = [];
  for (let id = 0; id < world.store.idCapacity; id++) {
    const entity = world.store.get(id);
    if (entity?.type === "mob") mobs.push({ id, tx: tileOf(entity.x), ty: tileOf(entity.y) });
    if (entity?.type === "player") playerEntities.push(entity);
  }
  const overworldMobs = mobs.filter((m) => m.ty < OVERWORLD_ROWS);
  playerEntities.forEach((entity, i) => {
    let spot: { tx: number; ty: number } | null = null;
    if (i < fighterCount && overworldMobs.length > 0) {
      const mob = overworldMobs[(i * 7) % overworldMobs.length];
      if (!map.blocked(mob.tx, mob.ty + 1)) {
        spot = { tx: mob.tx, ty: mob.ty + 1 };
        clients[i].target = mob.id;
      }
    }
    while (!spot) {
      const tx = rng.int(0, map.width - 1);
      const ty = rng.int(0, OVERWORLD_ROWS - 1);
      if (!map.blocked(tx, ty) && !map.portalAt(tx, ty)) spot = { tx, ty };
    }
    entity.x = tileCentre(spot.tx);
    entity.y = tileCentre(spot.ty);
  });

  const durations: number[] = [];
  let bytesAtStart = 0;
  for (let t = 0; t < WARMUP_TICKS + MEASURED_TICKS; t++) {
    if (t === WARMUP_TICKS) {
      bytesAtStart = clients.reduce((sum, c) => sum + c.socket.bytes, 0);
      timing = true;
    }
    for (const client of clients) {
      if (client.target >= 0) {
        if (t % 20 === 0) {
          const message = { type: MsgType.Command, rid: t / 20 + 1, name: "attack", args: [client.target] } as const;
          world.receive(client.peer, Uint8Array.from(encodeClientMessage(message)).buffer, true);
        }
        continue;
      }
      if (rng.next() < 0.05) client.move = rng.pick([MOVE_NONE, MOVE_UP, MOVE_DOWN, MOVE_LEFT, MOVE_RIGHT]);
      client.seq = (client.seq + 1) & 0xffff;
      world.receive(client.peer, Uint8Array.from(encodeClientMessage({ type: MsgType.Input, seq: client.seq, tick: 0, input: [client.move] })).buffer, true);
    }
    now += world.tickMs;
    const started = performance.now();
    world.runTick();
    if (t >= WARMUP_TICKS) durations.push(performance.now() - started);
  }
  const bytes = clients.reduce((sum, c) => sum + c.socket.bytes, 0) - bytesAtStart;
  durations.sort((a, b) => a - b);
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  return {
    mobs: mobs.length,
    players: playerCount,
    fighters: fighterCount,
    meanMs: mean,
    stepMeanMs: stepMs / MEASURED_TICKS,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    bytesPerClientPerS: playerCount === 0 ? 0 : bytes / playerCount / ((MEASURED_TICKS * world.tickMs) / 1000),
  };
}

const rows = [];
for (const map of [withMobCount(base, 0), withMobCount(base, TARGET_MOBS)])
  for (const [p, f] of [
    [0, 0],
    [players, fighters],
  ])
    rows.push(run(map, p, f));
const fmt = (n: number) => n.toFixed(3);
console.log("mobs  players  fighters  tick mean ms  p50 ms  p99 ms  game step mean ms  bytes/client/s");
for (const r of rows)
  console.log(
    `${String(r.mobs).padStart(4)}  ${String(r.players).padStart(7)}  ${String(r.fighters).padStart(8)}  ${fmt(r.meanMs).padStart(12)}  ${fmt(r.p50Ms).padStart(6)}  ${fmt(r.p99Ms).padStart(6)}  ${fmt(r.stepMeanMs).padStart(17)}  ${Math.round(r.bytesPerClientPerS).toString().padStart(14)}`,
  );
