import { connect, type WebSocketConstructor } from "@tickwire/client";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type DotState, prediction } from "../src/shared/movement.js";
import { type DotsInput, input, schema, WORLD_HEIGHT, WORLD_WIDTH } from "../src/shared/schema.js";
import { createDotsGame, NPC_COUNT } from "../src/server/world.js";

type Dots = typeof schema;

describe("the dots world on a real server", () => {
  let server: TickwireServer;

  // One definition for both worlds: each must get its own NPCs and their headings.
  const game = createDotsGame();

  beforeAll(async () => {
    server = await createServer({
      host: "127.0.0.1",
      port: 0,
      worlds: [
        { id: "main", game },
        { id: "second", game },
      ],
      logger: silentLogger(),
      defaultMetrics: false,
    });
  });
  afterAll(() => server.close());

  function join(name: string, world = "main") {
    return connect<Dots, DotsInput, DotState>(`ws://127.0.0.1:${server.port}/ws?world=${world}`, {
      name,
      game: { schema, input, predict: prediction },
      runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
    });
  }

  it("a joining player gets a named dot and sees the wandering NPCs move, inside the world", async () => {
    const client = join("nia");
    await new Promise<void>((resolve) => client.on("snapshot", () => resolve()));
    const npcs = client.entities.filter((e) => e.type === "npc");
    expect(npcs).toHaveLength(NPC_COUNT);
    const local = client.local;
    expect(local?.type === "player" && local.values.name).toBe("nia");
    const before = npcs.map((npc) => [npc.values.x, npc.values.y]);
    // Half a second of ticks.
    await new Promise<void>((resolve) => {
      let snapshots = 0;
      client.on("snapshot", () => {
        if (++snapshots === 10) resolve();
      });
    });
    const after = npcs.map((npc) => [npc.values.x, npc.values.y]);
    expect(after.filter((pos, i) => pos[0] !== before[i][0] || pos[1] !== before[i][1]).length).toBe(NPC_COUNT);
    for (const [x, y] of after) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(WORLD_WIDTH);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(WORLD_HEIGHT);
    }
    client.close();
  });

  it("gives a second world built from the same definition its own NPCs, spawned at creation", async () => {
    const client = join("sam", "second");
    await new Promise<void>((resolve) => client.on("snapshot", () => resolve()));
    const npcs = client.entities.filter((e) => e.type === "npc");
    expect(npcs).toHaveLength(NPC_COUNT);
    const before = npcs.map((npc) => npc.values.x);
    await new Promise<void>((resolve) => {
      let snapshots = 0;
      client.on("snapshot", () => {
        if (++snapshots === 5) resolve();
      });
    });
    expect(npcs.filter((npc, i) => npc.values.x !== before[i]).length).toBe(NPC_COUNT);
    client.close();
  });

  it("announces players joining and leaving to the others with events, in order", async () => {
    const watcher = join("watcher");
    await new Promise<void>((resolve) => watcher.on("welcome", () => resolve()));
    const seen: string[] = [];
    const left = new Promise<void>((resolve) =>
      watcher.on("event", (event) => {
        seen.push(`${event.name} ${(event.data as { name: string }).name}`);
        if (event.name === "leave") resolve();
      }),
    );
    const visitor = join("visitor");
    await new Promise<void>((resolve) => visitor.on("welcome", () => resolve()));
    visitor.close();
    await left;
    expect(seen).toEqual(["join visitor", "leave visitor"]);
    watcher.close();
  });
});
