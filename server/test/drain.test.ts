/**
 * drain() in one process (the embedded default): matchmaking and new connections stop, the
 * listing goes, every player is saved and its lease released before its 4017 close.
 */
import { CloseCode } from "@tickwire/engine";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryPlayerStore, type PlayerRecord, type WriteOutcome } from "../src/persistence/index.js";
import { InMemoryRegistry } from "../src/registry/index.js";
import { CLUSTER_START, clusterGame } from "./helpers/cluster-game.js";
import { TestClient } from "./helpers/client.js";
import { testSchema } from "./helpers/games.js";
import { type StartedServer, startServer } from "./helpers/server.js";

/** A store whose saves take a while, so a close sent before the save landed would be seen first. */
const SAVE_DELAY_MS = 300;
class SlowStore extends InMemoryPlayerStore {
  override async save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    await new Promise((resolve) => setTimeout(resolve, SAVE_DELAY_MS));
    return super.save(key, holder, record);
  }
}

describe("drain in one process", () => {
  const servers: StartedServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it("removes the listing, saves every player and frees its lease, then closes each client with 4017; matchmaking answers 503", async () => {
    const store = new SlowStore();
    const registry = new InMemoryRegistry();
    const server = await startServer({ worlds: [{ id: "w", game: clusterGame(10) }], store, registry, auth: (token) => token });
    servers.push(server);
    const ann = await TestClient.join(server.wsUrl("w", "ann-token"), "ann", { schema: testSchema });
    ann.sendInput([1, 0]);
    await ann.nextSnapshot(() => (ann.mirror?.get(ann.entityId)?.values as { x: number }).x === CLUSTER_START.x + 10);
    let closeSeenWithRecord: unknown;
    const closed = ann.closed.then(async (info) => {
      closeSeenWithRecord = await store.load("cluster:ann-token");
      return info;
    });
    const drained = server.drain();
    const matchmake = await fetch(server.httpUrl("/matchmake?game=cluster"));
    expect(matchmake.status).toBe(503);
    expect(await matchmake.json()).toEqual({ error: "this server is restarting; ask another" });
    await drained;
    expect((await closed).code).toBe(CloseCode.ServerRestarting);
    // Saved before the close: another process loading the player at once gets this.
    expect(closeSeenWithRecord).toEqual({ x: CLUSTER_START.x + 10, y: CLUSTER_START.y });
    expect(await store.acquire("cluster:ann-token", "another process", 1_000)).toBe(true);
    expect(await registry.list()).toEqual([]);
  });
});
