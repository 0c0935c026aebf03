/**
 * Three server processes on one real Redis: their worlds are listed and expire after a
 * kill -9; 300 players matchmaking at once are spread with no world over capacity and none
 * refused (reservations are atomic in Redis; full worlds make a process open its own); a
 * killed process's players are back elsewhere with their last saved state within 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LISTING_TTL_MS, RedisRegistry } from "../src/registry/index.js";
import { RedisPlayerStore } from "../src/persistence/index.js";
import { Cluster, type ClusterClient, matchmakeAndJoin, poll, rejoin } from "./helpers/cluster.js";

const CAPACITY = 25;
/**
 * Worlds each process may open beyond its first: enough for one process alone to hold every
 * player (1 + 11 worlds of 25), since a process at its own limit answers 503 even while
 * another could still open a world, and which process answers is the racing requests' luck.
 */
const OPEN_WORLDS = 11;
const PLAYERS = 300;
/** The bound for a crashed process's players to play again elsewhere. */
const CRASH_BACK_MS = 10_000;

interface Health {
  worlds: { id: string; population: number; capacity: number }[];
}

describe("three processes on Redis: registry, matchmaking, crash", () => {
  let cluster: Cluster;
  let registry: RedisRegistry;
  const clients: ClusterClient[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start(3, { CAPACITY: String(CAPACITY), OPEN_WORLDS: String(OPEN_WORLDS), SAVE_INTERVAL_MS: "100" });
    registry = new RedisRegistry({ redis: cluster.redis.url, prefix: cluster.prefix });
  });
  afterAll(async () => {
    for (const client of clients) client.drop();
    await registry?.close();
    await cluster?.stop();
  });

  it("each process's worlds are listed in the registry with the URL of their process", async () => {
    const listings = await poll(async () => {
      const found = await registry.list("cluster");
      return found.length === 3 && found;
    });
    expect(listings.map((listing) => [listing.id, listing.address])).toEqual(
      cluster.processes.map((process, i) => [`p${i + 1}-w1`, `ws://127.0.0.1:${process.port}`]),
    );
  });

  it(`${PLAYERS} concurrent matchmake+join through every process: all admitted, no world over capacity, spread over the processes`, async () => {
    const placed = await Promise.all(
      Array.from({ length: PLAYERS }, (_, i) => matchmakeAndJoin(cluster, i % 3, `n${i}`, `t${i}`)),
    );
    for (const { client } of placed) clients.push(client);
    const worlds = (
      await Promise.all(cluster.processes.map(async (_, i) => ((await (await fetch(cluster.http(i, "/healthz"))).json()) as Health).worlds))
    ).flat();
    for (const world of worlds) expect(world.population, world.id).toBeLessThanOrEqual(world.capacity);
    expect(worlds.reduce((sum, world) => sum + world.population, 0)).toBe(PLAYERS);
    expect(new Set(placed.map((p) => p.process))).toEqual(new Set([0, 1, 2]));
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it("kill -9 of a process: its listings expire within the TTL and its players play again elsewhere with their last saved state within 10 s", async () => {
    const store = new RedisPlayerStore({ redis: cluster.redis.url, prefix: cluster.prefix });
    try {
      // The players of the previous test left; the next heartbeat shows the room.
      await poll(async () => (await registry.list()).find((listing) => listing.id === "p3-w1")?.population === 0);
      const victims = await Promise.all(["k1", "k2", "k3"].map((name) => matchmakeAndJoin(cluster, 0, name, `${name}-token`, "p3-w1")));
      for (const victim of victims) expect(victim.process).toBe(2);
      victims.forEach((victim, i) => {
        for (let step = 0; step <= i; step++) victim.client.sendInput([0, 1]);
      });
      // Saved every 100 ms: wait until each moved position is in Redis.
      await poll(async () => {
        const records = await Promise.all(["k1", "k2", "k3"].map((name) => store.load(`cluster:${name}-token`)));
        return records.every((record, i) => record?.y === 100 + 10 * (i + 1));
      });
      const killedAt = performance.now();
      cluster.processes[2]?.process.kill("SIGKILL");
      const killedAddress = `ws://127.0.0.1:${cluster.processes[2]?.port}`;
      // Its listings (first world and the ones it opened) carry its address.
      const listingsGone = poll(async () => {
        const addresses = (await registry.list()).map((listing) => listing.address);
        return !addresses.includes(killedAddress) && performance.now() - killedAt;
      }, DEFAULT_LISTING_TTL_MS + 2_000);
      await Promise.all(victims.map((victim) => victim.client.closed));
      const back = await Promise.all(
        victims.map((_, i) => rejoin(cluster, [0, 1], `k${i + 1}`, `k${i + 1}-token`, "p3-w1", killedAt + CRASH_BACK_MS)),
      );
      const backAfterMs = performance.now() - killedAt;
      back.forEach((placed, i) => {
        clients.push(placed.client);
        expect(placed.process).not.toBe(2);
        expect(placed.client.welcome?.data).toEqual({ x: 100, y: 100 + 10 * (i + 1) });
      });
      expect(backAfterMs).toBeLessThan(CRASH_BACK_MS);
      // A listing expires TTL after its last heartbeat (at most one heartbeat before the kill).
      expect(await listingsGone).toBeLessThan(DEFAULT_LISTING_TTL_MS + 500);
    } finally {
      await store.close();
    }
  });
});
