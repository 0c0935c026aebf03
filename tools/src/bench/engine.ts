/**
 * Engine micro-benchmarks: delta encode/decode throughput, bytes on the wire in the field
 * scene against naive encodings measured in the same run, and interest-grid query cost.
 * Writes bench-results/engine.json.
 */
import { EntityStore, Rng } from "@tickwire/engine";
import {
  ByteWriter,
  createClientView,
  encodeDelta,
  SnapshotMirror,
  SpatialGrid,
  writeSnapshotMessage,
  writeUpdate,
} from "@tickwire/engine/wire";
import { DEFAULT_CELL_SIZE_PER_RADIUS } from "@tickwire/server";
import { pack } from "msgpackr";
import { FIELD, FieldSimulation, fieldSchema } from "./field-scene.js";
import { type BenchResult, compareResults, formatComparison, writeResultFile } from "../report/index.js";
import { median, progress } from "./harness.js";

const RUNS = 5;
const DT = 1 / FIELD.tickRate;
/** Client views encoded per tick in the throughput runs: a server encodes per client. */
const VIEWS_PER_TICK = 25;
const STREAM_TICKS = 40;

interface Stream {
  encodeRate: number;
  join: Uint8Array;
  joinTick: number;
  bodies: Uint8Array[];
}

/** One run: a world where `movingShare` of the mobs move each tick, encoded for clients seeing `viewSize` of them. */
function recordStream(worldSize: number, viewSize: number, movingShare: number): Stream {
  const store = new EntityStore(fieldSchema);
  const sim = new FieldSimulation(store, worldSize, 0, 7);
  store.commit();
  const visible = sim.mobs.slice(0, viewSize).map((mob) => mob.id);
  const inView = new Uint8Array(store.idCapacity + 1);
  for (const id of visible) inView[id] = 1;
  const writer = new ByteWriter(1 << 16);
  const views = Array.from({ length: VIEWS_PER_TICK }, () => createClientView());
  for (const view of views) encodeDelta(store, view, visible, writer.reset());
  const join = writer.copy();
  const joinTick = store.tick;
  const rng = new Rng(3);
  const bodies: Uint8Array[] = [];
  let updates = 0;
  let seconds = 0;
  for (let tick = 0; tick < STREAM_TICKS; tick++) {
    for (const mob of sim.mobs) {
      if (rng.next() >= movingShare) continue;
      const entity = store.get(mob.id)!;
      entity.x = Math.min(FIELD.size, Math.max(0, entity.x + rng.range(-3, 3)));
      entity.y = Math.min(FIELD.size, Math.max(0, entity.y + rng.range(-3, 3)));
    }
    store.commit();
    const changed = store.changedThisTick;
    for (let i = 0; i < changed.count; i++) updates += inView[changed.ids[i]] * VIEWS_PER_TICK;
    const start = performance.now();
    for (const view of views) encodeDelta(store, view, visible, writer.reset());
    seconds += (performance.now() - start) / 1000;
    bodies.push(writer.copy());
  }
  return { encodeRate: updates / seconds, join, joinTick, bodies };
}

function throughput(results: BenchResult[], worldSize: number, viewSize: number, movingShare: number): void {
  const params = { world: worldSize, view: viewSize, moving: movingShare };
  // The plain metric names are the typical client: a 50-entity view, everything moving.
  const variant = viewSize === 50 && movingShare === 1 ? "" : `.view${viewSize}_moving${movingShare * 100}`;
  const streams = Array.from({ length: RUNS }, () => recordStream(worldSize, viewSize, movingShare));
  results.push({
    metric: `delta.encode_updates_per_s${variant}`,
    value: median(streams.map((s) => s.encodeRate)),
    unit: "updates/s",
    params,
  });
  const { join, joinTick, bodies } = streams[0];
  const decodeRates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let updates = 0;
    let seconds = 0;
    for (let repeat = 0; repeat < VIEWS_PER_TICK; repeat++) {
      const mirror = new SnapshotMirror(fieldSchema);
      mirror.apply(join, joinTick);
      const start = performance.now();
      for (let i = 0; i < bodies.length; i++) {
        const result = mirror.apply(bodies[i], joinTick + 1 + i);
        if (!result.ok) throw new Error(`decode failed: ${result.message}`);
        updates += result.updatedIds.length;
      }
      seconds += (performance.now() - start) / 1000;
    }
    decodeRates.push(updates / seconds);
  }
  results.push({ metric: `delta.decode_updates_per_s${variant}`, value: median(decodeRates), unit: "updates/s", params });
}

/**
 * The field scene (E mobs, C players, aoi: every entity within 600 units, as the server sends) for a sample of
 * clients over simulated seconds: tickwire's snapshot messages against two naive encodings of
 * the same information — full JSON state, and msgpack of plain objects with float positions
 * carrying only what changed (entered entities whole, moved ones as {id, x, y}, left ids).
 */
function fieldBytes(results: BenchResult[], mobs: number, players: number): void {
  const store = new EntityStore(fieldSchema);
  const sim = new FieldSimulation(store, mobs, players, 11);
  const grid = new SpatialGrid({ width: FIELD.size, height: FIELD.size, cellSize: FIELD.interestRadius * DEFAULT_CELL_SIZE_PER_RADIUS });
  for (const entity of store) grid.insert(entity.id, entity.x, entity.y);
  store.commit();

  const clients = sim.players.slice(0, 50).map((player) => ({
    entityId: player.id,
    view: createClientView(),
    naiveKnown: new Set<number>(),
  }));
  const message = new ByteWriter(1 << 16);
  const body = new ByteWriter(1 << 16);
  const update = new ByteWriter(64);
  const visible: number[] = [];
  const changedMask = new Map<number, number>();
  const warmupTicks = FIELD.tickRate * 2;
  const measuredTicks = FIELD.tickRate * 10;
  let tickwireBytes = 0;
  let jsonBytes = 0;
  let msgpackBytes = 0;
  let updateBytes = 0;
  let updateCount = 0;

  for (let tick = 0; tick < warmupTicks + measuredTicks; tick++) {
    sim.step(DT);
    store.commit();
    const changed = store.changedThisTick;
    changedMask.clear();
    for (let i = 0; i < changed.count; i++) {
      const entity = store.get(changed.ids[i])!;
      grid.move(entity.id, entity.x, entity.y);
      changedMask.set(entity.id, changed.masks[i]);
    }
    const measuring = tick >= warmupTicks;

    for (const client of clients) {
      const me = store.get(client.entityId)!;
      visible.length = grid.queryRadius(me.x, me.y, FIELD.interestRadius, visible);
      const relative = client.view.baseline === store.tick - 1;
      encodeDelta(store, client.view, visible, body.reset());
      writeSnapshotMessage(message.reset(), store.tick, tick & 0xffff, [body.view()], null);
      const now = new Set(visible);
      if (measuring) {
        tickwireBytes += message.length;
        const entered: object[] = [];
        const moved: object[] = [];
        const full: object[] = [];
        for (const id of visible) {
          const entity = store.get(id)!;
          const mover = sim.byId[id];
          const whole = { id, type: entity.type, x: mover.x, y: mover.y, hp: entity.hp, kind: entity.kind };
          full.push(whole);
          if (!client.naiveKnown.has(id)) entered.push(whole);
          else if (changedMask.has(id)) moved.push({ id, x: mover.x, y: mover.y });
        }
        const left = [...client.naiveKnown].filter((id) => !now.has(id));
        jsonBytes += JSON.stringify({ tick: store.tick, entities: full }).length;
        msgpackBytes += pack({ tick: store.tick, entered, moved, left }).length;
        if (relative) {
          // As in a message: entries by increasing id, each head an id gap.
          const moved = visible.filter((id) => changedMask.has(id) && client.naiveKnown.has(id)).sort((a, b) => a - b);
          let previousId = 0;
          for (const id of moved) {
            writeUpdate(update.reset(), store.get(id)!, changedMask.get(id)!, true, previousId);
            previousId = id;
            updateBytes += update.length;
            updateCount++;
          }
        }
      }
      client.naiveKnown = now;
    }
  }

  const clientSeconds = (clients.length * measuredTicks) / FIELD.tickRate;
  const params = { E: mobs, C: players, variant: "aoi" };
  results.push(
    { metric: "delta.bytes_per_moving_entity", value: updateBytes / updateCount, unit: "bytes", params },
    { metric: "delta.bytes_per_client_s", value: tickwireBytes / clientSeconds, unit: "bytes/s", params },
    { metric: "naive.json_full_bytes_per_client_s", value: jsonBytes / clientSeconds, unit: "bytes/s", params },
    { metric: "naive.msgpack_objects_bytes_per_client_s", value: msgpackBytes / clientSeconds, unit: "bytes/s", params },
    { metric: "delta.ratio_vs_msgpack_objects", value: msgpackBytes / tickwireBytes, unit: "x", params },
    { metric: "delta.ratio_vs_json_full", value: jsonBytes / tickwireBytes, unit: "x", params },
  );
}

/** AOI cost: E entities moving in the field, V viewers each querying radius 600 per tick. */
function aoiQueries(results: BenchResult[], entityCount: number, viewerCount: number): void {
  const rng = new Rng(5);
  const grid = new SpatialGrid({ width: FIELD.size, height: FIELD.size, cellSize: FIELD.interestRadius * DEFAULT_CELL_SIZE_PER_RADIUS });
  const xs = new Float64Array(entityCount + 1);
  const ys = new Float64Array(entityCount + 1);
  for (let id = 1; id <= entityCount; id++) {
    xs[id] = rng.range(0, FIELD.size);
    ys[id] = rng.range(0, FIELD.size);
    grid.insert(id, xs[id], ys[id]);
  }
  const viewers = Array.from({ length: viewerCount }, () => rng.int(1, entityCount));
  const out: number[] = [];
  const perViewer: number[] = [];
  const perMove: number[] = [];
  let found = 0;
  for (let tick = 0; tick < RUNS * 8; tick++) {
    const moveStart = performance.now();
    for (let id = 1; id <= entityCount; id++) {
      xs[id] = Math.min(FIELD.size, Math.max(0, xs[id] + rng.range(-6, 6)));
      ys[id] = Math.min(FIELD.size, Math.max(0, ys[id] + rng.range(-6, 6)));
      grid.move(id, xs[id], ys[id]);
    }
    const queryStart = performance.now();
    for (const viewer of viewers) found += grid.queryRadius(xs[viewer], ys[viewer], FIELD.interestRadius, out);
    const end = performance.now();
    perMove.push(((queryStart - moveStart) * 1000) / entityCount);
    perViewer.push(((end - queryStart) * 1000) / viewerCount);
  }
  const params = { entities: entityCount, viewers: viewerCount, radius: FIELD.interestRadius };
  results.push(
    { metric: "aoi.query_us_per_viewer", value: median(perViewer), unit: "us", params },
    { metric: "aoi.move_us_per_entity", value: median(perMove), unit: "us", params },
    { metric: "aoi.visible_per_viewer", value: found / (viewerCount * RUNS * 8), unit: "entities", params },
  );
}

const results: BenchResult[] = [];
for (const [world, view] of [
  [1000, 50],
  [1000, 1000],
] as const) {
  for (const moving of [1, 0.1]) {
    progress(`delta throughput: world ${world}, view ${view}, ${moving * 100}% moving`);
    throughput(results, world, view, moving);
  }
}
progress("field scene bytes: E=500, C=200, aoi");
fieldBytes(results, 500, 200);
progress("aoi queries: 2000 entities, 1000 viewers");
aoiQueries(results, 2000, 1000);
const { path, file, previous } = await writeResultFile("engine", results);
console.log(formatComparison(compareResults(previous, file)));
console.log(`written to ${path}`);
