import { connect, type WebSocketConstructor } from "@tickwire/client";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { game } from "../src/server/game.js";
import { input, type Move, prediction, schema } from "../src/shared/game.js";

/** Polls until `condition` holds: real sockets have no event for "the other client drew it". */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("__NAME__ on a real server", () => {
  let server: TickwireServer;
  beforeAll(async () => {
    server = await createServer({ host: "127.0.0.1", port: 0, worlds: [{ id: "main", game }], logger: silentLogger(), defaultMetrics: false });
  });
  afterAll(() => server.close());

  function join(name: string, move: Move) {
    const client = connect(`ws://127.0.0.1:${server.port}/ws?world=main`, {
      name,
      game: { schema, input, predict: prediction },
      input: () => move,
      runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
    });
    const frames = setInterval(() => client.update(), 10);
    const stop = () => {
      clearInterval(frames);
      client.leave();
    };
    return { client, stop };
  }

  it("two headless clients join; one walks as it predicted, and the other sees it walk", async () => {
    const walker = join("walker", { dx: 1, dy: 0 });
    const watcher = join("watcher", { dx: 0, dy: 0 });
    try {
      await until(() => walker.client.local !== undefined && watcher.client.get(walker.client.entityId) !== undefined, "both to see the walker");
      const seen = () => watcher.client.get(walker.client.entityId)!;
      const start = seen().values.x;
      await until(() => seen().values.x > start + 8, "the walker to move on the server");
      expect(walker.client.stats.corrections).toBe(0);
      await until(() => seen().render.x > start, "the watcher to draw it moving");
    } finally {
      walker.stop();
      watcher.stop();
    }
  });
});
