import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/client.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { createTestGame, input, type Pos, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { nextEvent, until } from "./helpers/wait.js";

type Client = TickwireClient<TestSchema, TestInput, Pos>;

const INPUTS = 40;

/**
 * Sends INPUTS inputs when `nextInputTime` says, from a timer as a bot does, and returns each
 * one's input→ack latency (send until the first snapshot acknowledging it), in ms.
 */
async function ackLatencies(client: Client): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  client.on("snapshot", (snapshot, now) => {
    for (const [seq, at] of sentAt) {
      if (seq > snapshot.ackSeq) continue;
      latencies.push(now - at);
      sentAt.delete(seq);
    }
  });
  let sent = 0;
  await new Promise<void>((resolve) => {
    const step = () => {
      const now = performance.now();
      if (now >= client.nextInputTime(now) - 1) {
        const seq = client.sendInput({ dx: 1, dy: 0 });
        if (seq >= 0) {
          sentAt.set(seq, now);
          sent++;
        }
      }
      if (sent === INPUTS) resolve();
      else setTimeout(step, Math.max(0, client.nextInputTime() - performance.now()));
    };
    step();
  });
  await until(() => latencies.length === INPUTS, "every input acknowledged");
  return latencies.sort((a, b) => a - b);
}

describe("input timing, against a real server (20 Hz)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(createTestGame({ movers: 0 }).game);
  });
  afterAll(() => server.close());

  it("aligned (the default): inputs arrive just before their tick, so acks come well within half a tick", async () => {
    const client: Client = connect(server.wsUrl(), { name: "aligned", game: { input }, runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor } });
    try {
      await nextEvent(client, "welcome");
      await until(() => client.clock.sampleCount > 0, "a clock sync sample");
      const latencies = await ackLatencies(client);
      const median = latencies[latencies.length >> 1];
      // A free-running timer waits for the tick 25 ms on average; timed inputs wait the lead
      // (a few ms; the bound leaves room for a loaded machine's late timers).
      expect(median).toBeLessThan(20);
      expect(client.inputLeadMs).toBeGreaterThan(0);
      expect(client.inputLeadMs).toBeLessThanOrEqual(50);
    } finally {
      client.close();
    }
  });

  it("free: one input per tick on the client's own timer, whatever the server's phase", async () => {
    const client: Client = connect(server.wsUrl(), {
      name: "free",
      game: { input },
      runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
      tuning: { inputTiming: "free" },
    });
    try {
      await nextEvent(client, "welcome");
      const start = performance.now();
      const latencies = await ackLatencies(client);
      const elapsed = performance.now() - start;
      // 40 inputs a tick apart take about 39 ticks, and every one is acknowledged within a
      // couple of ticks (one to wait for, one of slack for a loaded machine).
      expect(elapsed).toBeGreaterThan(38 * 50 - 50);
      expect(latencies[latencies.length - 1]).toBeLessThan(120);
    } finally {
      client.close();
    }
  });
});
