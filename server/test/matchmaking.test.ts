/**
 * /matchmake in one process (the embedded default: in-memory registry and bus): a slot is
 * reserved per answer and committed by the Join, given back when the connection ends
 * without one; a resuming player's own world comes first; full worlds make the process open
 * its own up to `openWorlds.max`; the admin API is off without a token; global chat, the
 * total population and announcements work between the worlds of one process.
 */
import { CloseCode } from "@tickwire/engine";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RESERVATION_TTL_MS, InMemoryRegistry } from "../src/registry/index.js";
import { clusterGame } from "./helpers/cluster-game.js";
import { eventOf, poll } from "./helpers/cluster.js";
import { expectRefused, TestClient } from "./helpers/client.js";
import { testGame, testSchema } from "./helpers/games.js";
import { type StartedServer, startServer } from "./helpers/server.js";

type Answer = { world: string; url: string };

describe("matchmaking in one process", () => {
  const servers: StartedServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.drop();
    for (const server of servers.splice(0)) await server.close();
  });
  const serve = async (options: Parameters<typeof startServer>[0]) => {
    const server = await startServer(options);
    servers.push(server);
    return server;
  };
  const matchmake = async (server: StartedServer, query: string): Promise<{ status: number; body: Answer & { error?: string } }> => {
    const response = await fetch(server.httpUrl(`/matchmake?${query}`));
    return { status: response.status, body: (await response.json()) as Answer & { error?: string } };
  };

  it("reserves a slot per answer: a world of 2 answers twice, then 503; the Join commits, a close without Join gives the slot back", async () => {
    const registry = new InMemoryRegistry();
    const server = await serve({ worlds: [{ id: "a", game: testGame({ capacity: 2 }) }], registry });
    const first = await matchmake(server, "game=test");
    const second = await matchmake(server, "game=test");
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await matchmake(server, "game=test")).toEqual({ status: 503, body: { error: "no world available" } });
    const ann = await TestClient.join(first.body.url, "ann");
    clients.push(ann);
    await poll(async () => (await registry.list())[0]?.population === 1);
    // Another address: one address may hold only a share of a world.
    const unused = await TestClient.connect(second.body.url, { localAddress: "127.0.0.2" });
    await unused.close();
    // Its slot is free at once, not after the reservation's TTL.
    await poll(async () => (await matchmake(server, "game=test")).status === 200, DEFAULT_RESERVATION_TTL_MS / 2);
    const metrics = await (await fetch(server.httpUrl("/metrics"))).text();
    expect(metrics).toContain('tickwire_reservations_total{outcome="committed"} 1');
    expect(metrics).toContain('tickwire_reservations_total{outcome="cancelled"} 1');
  });

  it("prefers the world a resuming player names when it has room, else fills in order", async () => {
    const server = await serve({
      worlds: [
        { id: "w1", game: testGame() },
        { id: "w2", game: testGame() },
      ],
    });
    expect((await matchmake(server, "game=test&world=w2")).body.world).toBe("w2");
    expect((await matchmake(server, "game=test&world=gone")).body.world).toBe("w1");
  });

  it("refuses an upgrade with a malformed reservation (400, counted)", async () => {
    const server = await serve({ game: testGame() });
    expect(await expectRefused(`${server.wsUrl()}&reservation=not%20an%20id`)).toEqual({
      status: 400,
      body: "malformed ?reservation= parameter",
    });
    expect(await (await fetch(server.httpUrl("/metrics"))).text()).toContain('tickwire_reservations_total{outcome="malformed"} 1');
  });

  it("opens worlds of its own named game-process-n when every listed one is full, up to openWorlds.max", async () => {
    const game = testGame({ capacity: 1 });
    const server = await serve({ worlds: [{ id: "first", game }], processId: "px", openWorlds: { game, max: 2 } });
    const answers = await Promise.all([1, 2, 3, 4].map(() => matchmake(server, "game=test")));
    expect(answers.map((a) => a.body.world ?? a.status).sort()).toEqual([503, "first", "test-px-1", "test-px-2"]);
    expect([...server.worlds.keys()]).toEqual(["first", "test-px-1", "test-px-2"]);
    const joined = await TestClient.join(answers.find((a) => a.body.world === "test-px-2")?.body.url as string, "ann");
    clients.push(joined);
    expect(joined.welcome?.world).toBe("test-px-2");
  });

  it("answers /admin/* with 404 when no admin token is configured", async () => {
    const server = await serve({ game: testGame() });
    expect((await fetch(server.httpUrl("/admin/worlds"))).status).toBe(404);
    expect((await fetch(server.httpUrl("/admin/drain"), { method: "POST" })).status).toBe(404);
  });

  it("global chat, the total population and announcements between the worlds of one process (in-process bus)", async () => {
    const game = clusterGame(10);
    const server = await serve({ worlds: [{ id: "a", game }, { id: "b", game }], auth: (token) => token, adminToken: "t" });
    const ann = await TestClient.join(server.wsUrl("a", "ann"), "ann", { schema: testSchema });
    const bob = await TestClient.join(server.wsUrl("b", "bob"), "bob", { schema: testSchema });
    clients.push(ann as unknown as TestClient, bob as unknown as TestClient);
    ann.chat("/g hi b");
    expect(await eventOf(bob, "chat", (data) => data.global === true)).toEqual({ world: "a", from: "ann", text: "hi b", global: true });
    bob.command("total");
    expect(await eventOf(bob, "total")).toEqual({ total: 2 });
    const announced = await fetch(server.httpUrl("/admin/announce"), {
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: JSON.stringify({ text: "hello all" }),
    });
    expect(announced.status).toBe(200);
    expect(await eventOf(ann, "announce")).toEqual({ text: "hello all" });
    const kicked = await fetch(server.httpUrl("/admin/kick"), {
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: JSON.stringify({ name: "bob", reason: "bye" }),
    });
    expect(kicked.status).toBe(200);
    expect(await bob.waitForClose()).toEqual({ code: CloseCode.Kicked, reason: "bye" });
  });
});
