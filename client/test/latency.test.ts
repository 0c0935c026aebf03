import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/client.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { type LagProxy, startLagProxy } from "./helpers/lag-proxy.js";
import { startServer, type TestServer } from "./helpers/server.js";
import {
  createTestGame,
  input,
  MOVER_SPEED,
  model,
  type Pos,
  QUANTUM,
  schema,
  type TestInput,
  type TestSchema,
} from "./helpers/test-game.js";
import { everyFrame, nextEvent, until } from "./helpers/wait.js";

/** 75 ms ± 15 ms each way: 150 ms RTT ± 30 ms, a transatlantic link with a busy Wi-Fi hop. */
const ONE_WAY_MS = 75;
const JITTER_MS = 15;
/** The render clock may run up to 5% slow (delay growing) and 1% fast (delay shrinking); 6% covers both plus timer noise. */
const RENDER_RATE_TOLERANCE = 1.06;

type Client = TickwireClient<TestSchema, TestInput, Pos>;

describe("through a 150 ms ± 30 ms RTT link", () => {
  let server: TestServer;
  let proxy: LagProxy;
  const clients: Client[] = [];
  const stops: (() => void)[] = [];

  function open(options: { input?: () => TestInput; frames?: boolean } = {}): Client {
    const client = connect<TestSchema, TestInput, Pos>(`ws://127.0.0.1:${proxy.port}/ws?world=main`, {
      name: `lag${clients.length}`,
      game: { schema, input, predict: { model, fields: ["x", "y"] } },
      input: options.input,
      runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
    });
    clients.push(client);
    if (options.frames !== false) stops.push(everyFrame(() => client.update(), 10));
    return client;
  }

  beforeAll(async () => {
    server = await startServer(createTestGame({ movers: 1 }).game);
    proxy = await startLagProxy({ targetPort: server.port, delayMs: ONE_WAY_MS, jitterMs: JITTER_MS, seed: 4 });
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it("the local player's prediction needs no correction larger than one quantum", async () => {
    const move: TestInput = { dx: 0, dy: 0 };
    const client = open({ input: () => move });
    await until(() => client.predicted !== undefined, "the local entity");
    // Four seconds of direction changes every half second, then stop.
    const pattern: [number, number][] = [
      [1, 0],
      [1, 1],
      [0, 1],
      [-1, 1],
      [-1, 0],
      [0, -1],
      [1, -1],
      [1, 0],
    ];
    for (const [dx, dy] of pattern) {
      move.dx = dx;
      move.dy = dy;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    move.dx = 0;
    move.dy = 0;
    // Standing still, the server catches up with the prediction once the last moves are acknowledged.
    const local = client.local!;
    await until(() => client.predicted!.x === local.values.x && client.predicted!.y === local.values.y, "the server to catch up", 3_000);
    expect(client.stats.largestCorrectionSize).toBeLessThanOrEqual(QUANTUM);
    expect(client.predicted).toEqual({ x: local.values.x, y: local.values.y });
    // The round trip really was about 150 ms.
    expect(client.clock.rtt).toBeGreaterThan(110);
    expect(client.clock.rtt).toBeLessThan(200);
  });

  it("a remote entity on a straight path, sampled every 16 ms, never moves back nor faster than its speed", async () => {
    const client = open({ frames: false });
    await until(() => client.entities.some((e) => e.type === "mover"), "the mover");
    const mover = client.entities.find((e) => e.type === "mover")!;
    const samples: { at: number; x: number; status: string }[] = [];
    await new Promise<void>((resolve) => {
      const stop = everyFrame(() => {
        const now = performance.now();
        client.update(now);
        samples.push({ at: now, x: mover.render.x, status: mover.status });
        if (samples.length === 250) {
          stop();
          resolve();
        }
      }, 16);
    });
    let largestStep = 0;
    for (let i = 1; i < samples.length; i++) {
      const moved = samples[i].x - samples[i - 1].x;
      const allowed = (MOVER_SPEED * (samples[i].at - samples[i - 1].at) * RENDER_RATE_TOLERANCE) / 1000;
      expect(moved, `sample ${i}`).toBeGreaterThanOrEqual(0);
      expect(moved, `sample ${i}`).toBeLessThanOrEqual(allowed + 1e-9);
      largestStep = Math.max(largestStep, moved);
    }
    // It did move: four seconds at MOVER_SPEED.
    expect(samples.at(-1)!.x - samples[0].x).toBeGreaterThan(MOVER_SPEED * 3);
    expect(largestStep).toBeGreaterThan(0);
  });

  it("the adaptive interpolation delay settles within 3 s of the first snapshot", async () => {
    const client = open();
    await nextEvent(client, "snapshot");
    const firstSnapshotAt = performance.now();
    await until(() => client.interpolationSettled, "the delay to settle", 3_000);
    expect(performance.now() - firstSnapshotAt).toBeLessThanOrEqual(3_000);
    // Settled on a delay that covers one snapshot interval plus the measured jitter.
    expect(client.interpolationDelayMs).toBeGreaterThanOrEqual(50);
    expect(client.interpolationDelayMs).toBeLessThan(250);
  });
});
