import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/client.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { type LagProxy, startLagProxy } from "./helpers/lag-proxy.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { createTestGame, input, model, PLAYER_SPEED, type Pos, schema, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { until } from "./helpers/wait.js";

// Remote motion under jitter, end to end: two real clients, each through its own
// order-preserving delay proxy at 300 ms ± 60 ms round trip (150 ± 30 ms each way), a real
// server. Player A walks steadily; player B records where it draws A on every frame.

type Client = TickwireClient<TestSchema, TestInput, Pos>;

const ONE_WAY_MS = 150;
const JITTER_MS = 30;
const WALK_MS = 9_000;
/** The first seconds settle the clock, the input lead and B's interpolation delay. */
const SETTLE_MS = 3_000;
const FRAME_MS = 16;

let server: TestServer;
const proxies: LagProxy[] = [];

beforeAll(async () => {
  server = await startServer(createTestGame().game);
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await server.close();
});

async function player(name: string, seed: number, walk: TestInput): Promise<Client> {
  const proxy = await startLagProxy({ targetPort: server.port, delayMs: ONE_WAY_MS, jitterMs: JITTER_MS, seed });
  proxies.push(proxy);
  return connect<TestSchema, TestInput, Pos>(`ws://127.0.0.1:${proxy.port}/ws?world=main`, {
    name,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    fetch: null,
    game: { schema, input, predict: { model, fields: ["x", "y"] } },
    input: () => walk,
  });
}

describe("remote motion under 300 ± 60 ms round-trip jitter", () => {
  it("B draws A walking steadily within 1.5x its speed on at least 99% of frames, never backwards", async () => {
    const a = await player("walker", 11, { dx: 1, dy: 0 });
    const b = await player("watcher", 12, { dx: 0, dy: 0 });
    const speeds: number[] = [];
    let backwards = 0;
    try {
      await until(() => a.state === "open" && b.state === "open" && b.get(a.playerId) !== undefined, "both players", 5_000);
      const start = performance.now();
      let lastX = Number.NaN;
      let lastAt = Number.NaN;
      await new Promise<void>((resolve) => {
        const frame = () => {
          const now = performance.now();
          a.update(now);
          b.update(now);
          const seen = b.get(a.playerId);
          if (seen !== undefined && now - start > SETTLE_MS) {
            const x = seen.render[0];
            if (!Number.isNaN(lastX) && now > lastAt) {
              speeds.push((x - lastX) / ((now - lastAt) / 1000));
              if (x < lastX) backwards++;
            }
            lastX = x;
            lastAt = now;
          }
          if (now - start < WALK_MS) setTimeout(frame, FRAME_MS);
          else resolve();
        };
        frame();
      });
    } finally {
      a.leave();
      b.leave();
    }
    const fast = speeds.filter((speed) => speed > 1.5 * PLAYER_SPEED).length;
    expect(speeds.length).toBeGreaterThan(200);
    expect(backwards).toBe(0);
    expect(fast / speeds.length).toBeLessThanOrEqual(0.01);
  }, 20_000);
});
