/**
 * Three server processes on one real Redis: global chat, the total population, announcements
 * and kicks cross processes over the bus; the admin API is behind its token; a drained
 * process sends every player elsewhere with their saved state.
 */
import { CloseCode } from "@tickwire/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisRegistry } from "../src/registry/index.js";
import { Cluster, type ClusterClient, eventOf, matchmakeAndJoin, poll, rejoin } from "./helpers/cluster.js";

const TOKEN = "admin-secret";
/** Drained players are back well within this (saves land before the 4017). */
const DRAIN_BACK_MS = 5_000;

describe("three processes on Redis: bus messages, admin API, drain", () => {
  let cluster: Cluster;
  const clients: ClusterClient[] = [];
  const admin = (index: number, path: string, body?: unknown, token = TOKEN) =>
    fetch(cluster.http(index, path), {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    cluster = await Cluster.start(3, { ADMIN_TOKEN: TOKEN, CAPACITY: "10", HANDLE_SIGNALS: "1" });
  });
  afterAll(async () => {
    for (const client of clients) client.drop();
    await cluster?.stop();
  });

  it("a global chat line said in a world of one process reaches a player in a world of another", async () => {
    const ann = await matchmakeAndJoin(cluster, 0, "ann", "ann-token", "p1-w1");
    const bob = await matchmakeAndJoin(cluster, 0, "bob", "bob-token", "p2-w1");
    clients.push(ann.client, bob.client);
    expect([ann.process, bob.process]).toEqual([0, 1]);
    ann.client.chat("/g hello from p1");
    const line = await eventOf(bob.client, "chat", (data) => data.global === true);
    expect(line).toEqual({ world: "p1-w1", from: "ann", text: "hello from p1", global: true });
  });

  it("ctx.totalPlayers counts the players of every process", async () => {
    const cat = await matchmakeAndJoin(cluster, 2, "cat", "cat-token", "p3-w1");
    clients.push(cat.client);
    const local = clients.length;
    await poll(async () => {
      cat.client.command("total");
      const event = await eventOf(cat.client, "total");
      cat.client.events.length = 0;
      return event.total === local;
    });
  });

  it("the admin API refuses a missing or wrong token (401, counted) and announces to every process", async () => {
    expect((await fetch(cluster.http(0, "/admin/worlds"))).status).toBe(401);
    expect((await admin(0, "/admin/worlds", undefined, "wrong")).status).toBe(401);
    const metrics = await cluster.processes[0]?.metrics();
    expect(metrics).toContain('tickwire_admin_requests_total{outcome="unauthorized"} 2');
    const worlds = (await (await admin(1, "/admin/worlds")).json()) as { process: string; worlds: { id: string }[] };
    expect(worlds).toMatchObject({ process: "p2", worlds: [{ id: "p2-w1" }] });
    const players = (await (await admin(0, "/admin/players")).json()) as { players: { name: string; playerKey: string }[] };
    expect(players.players).toMatchObject([{ name: "ann", playerKey: "ann-token" }]);
    expect((await admin(2, "/admin/announce", { text: "restart at noon" })).status).toBe(200);
    for (const client of clients) expect(await eventOf(client, "announce")).toEqual({ text: "restart at noon" });
    expect((await admin(2, "/admin/announce", { nope: 1 })).status).toBe(400);
  });

  it("a kick by name sent to one process closes the player on another with 4003 and the reason", async () => {
    const dan = await matchmakeAndJoin(cluster, 0, "dan", "dan-token", "p3-w1");
    expect(dan.process).toBe(2);
    expect((await admin(0, "/admin/kick", { name: "dan", reason: "cheating" })).status).toBe(200);
    expect(await dan.client.waitForClose()).toEqual({ code: CloseCode.Kicked, reason: "cheating" });
    const byKey = await matchmakeAndJoin(cluster, 0, "eve", "eve-token", "p3-w1");
    expect((await admin(1, "/admin/kick", { playerKey: "eve-token", reason: "by key" })).status).toBe(200);
    expect((await byKey.client.waitForClose()).code).toBe(CloseCode.Kicked);
  });

  it("drain: listings go first, every player of the process gets 4017 after its save, and is back on another process with its state", async () => {
    const registry = new RedisRegistry({ redis: cluster.redis.url, prefix: cluster.prefix });
    try {
      const movers = await Promise.all(
        ["m1", "m2", "m3", "m4"].map((name) => matchmakeAndJoin(cluster, 0, name, `${name}-token`, "p2-w1")),
      );
      for (const mover of movers) expect(mover.process).toBe(1);
      // Each moves a different distance right: its state is its own.
      movers.forEach((mover, i) => {
        for (let step = 0; step <= i; step++) mover.client.sendInput([1, 0]);
      });
      await poll(() => movers.every((mover, i) => moverX(mover.client) === 100 + 10 * (i + 1)));
      const closes = movers.map((mover) => mover.client.waitForClose(DRAIN_BACK_MS));
      expect((await admin(1, "/admin/drain", {})).status).toBe(202);
      const drainedAt = performance.now();
      for (const closed of await Promise.all(closes)) expect(closed.code).toBe(CloseCode.ServerRestarting);
      expect((await registry.list()).map((listing) => listing.id)).not.toContain("p2-w1");
      const back = await Promise.all(
        movers.map((_mover, i) => rejoin(cluster, [0, 2], `m${i + 1}`, `m${i + 1}-token`, "p2-w1", drainedAt + DRAIN_BACK_MS)),
      );
      back.forEach((placed, i) => {
        clients.push(placed.client);
        expect(placed.process).not.toBe(1);
        expect(placed.client.welcome?.data).toEqual({ x: 100 + 10 * (i + 1), y: 100 });
      });
    } finally {
      await registry.close();
    }
  });

  it("SIGTERM with a shared registry drains: the process's players get 4017 and it exits 0", async () => {
    const fay = await matchmakeAndJoin(cluster, 0, "fay", "fay-token", "p3-w1");
    expect(fay.process).toBe(2);
    const child = cluster.processes[2]?.process;
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    child?.kill("SIGTERM");
    expect((await fay.client.waitForClose()).code).toBe(CloseCode.ServerRestarting);
    expect(await exited).toBe(0);
  });
});

/** The x of the client's own entity in its mirror. */
function moverX(client: ClusterClient): number | undefined {
  return (client.mirror?.get(client.entityId)?.values as { x?: number } | undefined)?.x;
}
