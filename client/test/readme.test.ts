/** The README's Node example, run: a client with `runtime.WebSocket` plays a real server's game. */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/index.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { type TestServer, startServer } from "./helpers/server.js";
import { createTestGame, input, model, type Pos, PLAYER_SPEED, type TestInput, type TestSchema, schema } from "./helpers/test-game.js";
import { everyFrame, until } from "./helpers/wait.js";

type Client = TickwireClient<TestSchema, TestInput, Pos>;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function join(server: TestServer, name: string, move: TestInput): Client {
  const client = connect<TestSchema, TestInput, Pos>(server.wsUrl(), {
    name,
    game: { schema, input, predict: { model, fields: ["x", "y"] } },
    input: () => move,
    tuning: { reconnect: false },
    runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor, fetch: null },
  });
  const stop = everyFrame(() => client.update(), 10);
  cleanups.push(() => {
    stop();
    client.leave();
  });
  return client;
}

describe("client README example (Node)", () => {
  it("a client given runtime.WebSocket joins, predicts its dot and reads where to draw it by name; another sees it move", async () => {
    const server = await startServer(createTestGame().game);
    cleanups.push(() => server.close());
    const still = join(server, "still", { dx: 0, dy: 0 });
    const mover = join(server, "mover", { dx: 1, dy: 0 });
    await until(() => mover.local !== undefined && still.get(mover.entityId) !== undefined, "both to see the mover");
    const start = still.get(mover.entityId)!.render.x;
    await until(() => mover.predicted !== undefined && mover.predicted.x >= start + 4 * PLAYER_SPEED / 20, "the mover to walk");
    // Its own dot is drawn from prediction, by field name.
    expect(mover.local!.render.x).toBeGreaterThan(start);
    // The other client draws it moving too, interpolated.
    await until(() => still.get(mover.entityId)!.render.x > start, "the other client to draw it moving");
    expect(mover.entityId).toBe(mover.welcome!.entityId);
  });
});
