/**
 * A client whose socket stops reading (its TCP socket paused) while others play: the
 * server's memory stays bounded, nobody else notices, and the client either converges to
 * the exact server state when it reads again or is closed as a stalled reader.
 */
import { CloseCode, type Schema } from "@tickwire/engine";
import { SpatialGrid } from "@tickwire/engine/wire";
import { afterEach, describe, expect, it } from "vitest";
import { ChildServer } from "./helpers/child.js";
import { TestClient } from "./helpers/client.js";
import { type TestSchema, testSchema, WORLD_SIZE } from "./helpers/games.js";
import { INTEREST } from "./fixtures/stall-scene.js";

const SCRIPT = new URL("./fixtures/stall-server.ts", import.meta.url);
const PAUSE_MS = 10_000;
const WARM_UP_MS = 3_000;
/** The bound on server memory growth while a reader is stalled. */
const MAX_RSS_GROWTH_BYTES = 4 * 1024 * 1024;
/** Histogram bucket of ticks that took at most 10 ms (the field target's p99). */
const FAST_TICKS = 'tickwire_tick_duration_seconds_bucket{le="0.01",world="main"}';

interface Dump {
  [key: string]: unknown;
  cmd: "dump";
  tick: number;
  entities: { id: number; type: string; values: Record<string, unknown> }[];
}

let server: ChildServer | undefined;
const clients: TestClient<Schema>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.drop();
  await server?.stop();
  server = undefined;
});

function wsUrl(child: ChildServer): string {
  return `ws://127.0.0.1:${child.port}/ws?world=main`;
}

async function joinAll(child: ChildServer): Promise<{ slow: TestClient<TestSchema>; others: TestClient<TestSchema>[] }> {
  const slow = await TestClient.join(wsUrl(child), "slow", { schema: testSchema });
  const others = await Promise.all(["a", "b", "c"].map((name) => TestClient.join(wsUrl(child), name, { schema: testSchema })));
  clients.push(slow as unknown as TestClient<Schema>, ...(others as unknown as TestClient<Schema>[]));
  // Warm up: every client has its scene.
  await Promise.all([slow, ...others].map((c) => c.nextSnapshot(() => (c.mirror?.size ?? 0) > 10)));
  return { slow, others };
}

function pause(client: TestClient<TestSchema>): void {
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}

function resume(client: TestClient<TestSchema>): void {
  (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** What `client` must hold for the dumped state: whole interest cells around its player. */
function expectedMirror(dump: Dump, entityId: number): Map<number, Record<string, unknown>> {
  const grid = new SpatialGrid({ width: WORLD_SIZE, height: WORLD_SIZE, cellSize: INTEREST.cellSize });
  const byId = new Map(dump.entities.map((e) => [e.id, e]));
  for (const entity of dump.entities) grid.insert(entity.id, entity.values.x as number, entity.values.y as number);
  const player = byId.get(entityId)!;
  const cells: number[] = [];
  const count = grid.cellsInRadius(player.values.x as number, player.values.y as number, INTEREST.radius, cells);
  const expected = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < count; i++) {
    for (const id of grid.entitiesInCell(cells[i])) expected.set(id, { type: byId.get(id)!.type, ...byId.get(id)!.values });
  }
  return expected;
}

describe("stalled reader", () => {
  it("costs bounded memory, disturbs nobody, and converges to the exact state once it reads again", async () => {
    server = await ChildServer.start(SCRIPT, { STALL_TIMEOUT_MS: "15000" }, ["--expose-gc"]);
    const { slow, others } = await joinAll(server);
    // The server's RSS grows for a couple of seconds after start (JIT, heap sizing), then holds.
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const rssBefore = (await server.request<{ cmd: "rss"; rss: number }>("rss")).rss;
    const skippedBefore = await server.metric("tickwire_snapshots_skipped_total");
    const ticksBefore = await server.metric('tickwire_tick_duration_seconds_count{world="main"}');
    const fastTicksBefore = await server.metric(FAST_TICKS);
    const arrivalsBefore = others.map((c) => c.snapshotArrivals.length);

    pause(slow);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const rssAfter = (await server.request<{ cmd: "rss"; rss: number }>("rss")).rss;
    const skipped = (await server.metric("tickwire_snapshots_skipped_total")) - skippedBefore;
    const overruns = await server.metric('tickwire_tick_overruns_total{world="main"}');
    const ticks = (await server.metric('tickwire_tick_duration_seconds_count{world="main"}')) - ticksBefore;
    const fastTicks = (await server.metric(FAST_TICKS)) - fastTicksBefore;

    console.info(
      `stalled reader, ${PAUSE_MS / 1000} s paused: server RSS ${((rssAfter - rssBefore) / 1024).toFixed(0)} KiB growth, ` +
        `${skipped} snapshots skipped, ${overruns} overruns, ${((fastTicks / ticks) * 100).toFixed(1)}% of ticks fast`,
    );
    // The outbox held the line: it skipped instead of buffering, and memory stayed flat.
    expect(skipped).toBeGreaterThan(20);
    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    // The server's own tick timing: no overrun, and ticks as fast as ever.
    expect(overruns).toBe(0);
    expect(fastTicks / ticks).toBeGreaterThanOrEqual(0.99);
    // Everyone else got every tick, on time.
    for (const [i, client] of others.entries()) {
      const ticks = client.snapshotTicks.slice(arrivalsBefore[i]);
      expect(ticks.length).toBeGreaterThan((PAUSE_MS / 50) * 0.9);
      for (let t = 1; t < ticks.length; t++) expect(ticks[t]).toBe(ticks[t - 1] + 1);
      const arrivals = client.snapshotArrivals.slice(arrivalsBefore[i]);
      const gaps = arrivals.slice(1).map((at, t) => at - arrivals[t]);
      // Generous: the test process shares two cores with other test files.
      expect(percentile(gaps, 99)).toBeLessThan(150);
      expect(client.mirrorErrors).toEqual([]);
    }
    expect(slow.closeCode).toBeUndefined();

    resume(slow);
    const frozen = await server.request<{ cmd: "freeze"; tick: number }>("freeze");
    // Once a snapshot of a tick after the freeze arrives, the mirror holds that frozen state.
    await slow.nextSnapshot((s) => s.tick > frozen.tick + 1, 15_000);
    const dump = await server.request<Dump>("dump");
    expect(slow.mirrorErrors).toEqual([]);
    const expected = expectedMirror(dump, slow.entityId);
    expect(expected.size).toBeGreaterThan(400);
    const actual = new Map([...slow.mirror!.values()].map((e) => [e.id, { type: e.type, ...e.values }]));
    expect(actual).toEqual(expected);
  }, 60_000);

  it("is closed as a stalled reader, with its reason, when it stays stalled past the limit", async () => {
    server = await ChildServer.start(SCRIPT, { STALL_TIMEOUT_MS: "2000" });
    const { slow, others } = await joinAll(server);
    pause(slow);
    const child = server;
    const deadline = Date.now() + 20_000;
    while ((await child.metric('tickwire_clients_closed_total{reason="stalled_reader"}')) === 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    resume(slow);
    const closed = await slow.waitForClose(10_000);
    expect(closed.code).toBe(CloseCode.StalledReader);
    expect(closed.reason).toMatch(/kept for resume/);
    // Its player is kept for resume; the others never noticed.
    const health = (await (await fetch(`http://127.0.0.1:${child.port}/healthz`)).json()) as {
      worlds: { population: number }[];
    };
    expect(health.worlds[0].population).toBe(4);
    for (const client of others) expect(client.closeCode).toBeUndefined();
  }, 60_000);
});
