import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { Rng } from "@tickwire/engine";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createNetsim, type NetsimOptions } from "../src/netsim/index.js";

// Real sockets on loopback. Tolerances follow the brief: ±5 ms at the median for
// delay, 10% for bandwidth.
const HOST = "127.0.0.1";
const PING_BYTES = 8;
const DELAY_TOLERANCE_MS = 5;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await handlesReleased();
});

/** libuv frees closed handles in the close phase that follows their 'close' events. */
async function handlesReleased(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

interface TestServer {
  port: number;
  /** Sockets the server accepted that are not closed yet. */
  open: Set<Socket>;
  /** Resolves once every accepted socket has closed. */
  idle(): Promise<void>;
}

async function startTcpServer(onSocket: (socket: Socket) => void, allowHalfOpen = false): Promise<TestServer> {
  const open = new Set<Socket>();
  let wakeIdle: (() => void) | null = null;
  const server = createServer({ noDelay: true, allowHalfOpen }, (socket) => {
    open.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      open.delete(socket);
      if (open.size === 0) wakeIdle?.();
    });
    onSocket(socket);
  });
  server.listen(0, HOST);
  await once(server, "listening");
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    open,
    idle: () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (wakeIdle = resolve))),
  };
}

async function startNetsim(options: Omit<NetsimOptions, "target">, targetPort: number) {
  const netsim = await createNetsim({ ...options, target: { host: HOST, port: targetPort } });
  cleanups.push(() => netsim.close());
  return netsim;
}

/** Resolves when the socket closed, whether or not with an error. */
function closeOf(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once("close", () => resolve()));
}

async function connectTcp(port: number): Promise<Socket> {
  const socket = connect({ host: HOST, port, noDelay: true });
  socket.on("error", () => {});
  cleanups.push(() => {
    socket.destroy();
    return closeOf(socket);
  });
  await once(socket, "connect");
  return socket;
}

/** An echo server that records when each 8-byte ping arrived. */
async function startPingEcho() {
  const arrivals: number[] = [];
  const server = await startTcpServer((socket) => {
    let pending = 0;
    socket.on("data", (data) => {
      pending += data.length;
      while (pending >= PING_BYTES) {
        arrivals.push(performance.now());
        pending -= PING_BYTES;
      }
      socket.write(data);
    });
  });
  return { ...server, arrivals };
}

interface Timings {
  up: number[];
  down: number[];
  rtt: number[];
}

/** Sequential pings; the server runs in this process, so one-way times are measurable. */
async function tcpPings(port: number, serverArrivals: number[], count: number): Promise<Timings> {
  const socket = await connectTcp(port);
  const timings: Timings = { up: [], down: [], rtt: [] };
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    let received = 0;
    const echoed = new Promise<void>((resolve) => {
      const onData = (data: Buffer) => {
        received += data.length;
        if (received < PING_BYTES) return;
        socket.off("data", onData);
        resolve();
      };
      socket.on("data", onData);
    });
    const arrivalIndex = serverArrivals.length;
    socket.write(Buffer.alloc(PING_BYTES, i));
    await echoed;
    const backAt = performance.now();
    timings.up.push(serverArrivals[arrivalIndex] - sentAt);
    timings.down.push(backAt - serverArrivals[arrivalIndex]);
    timings.rtt.push(backAt - sentAt);
  }
  socket.destroy();
  return timings;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function expectAddedDelay(shaped: readonly number[], direct: readonly number[], addedMs: number): void {
  expect(Math.abs(median(shaped) - median(direct) - addedMs)).toBeLessThanOrEqual(DELAY_TOLERANCE_MS);
}

/** Bytes repeating with a prime period, so a lost, doubled or reordered slice shows. */
function patterned(bytes: number): Buffer {
  const PERIOD = 251;
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < PERIOD; i++) buffer[i] = i;
  for (let filled = PERIOD; filled < bytes; filled *= 2) buffer.copy(buffer, filled, 0, Math.min(filled, bytes - filled));
  return buffer;
}

function payload(bytes: number, seed: number): Buffer {
  const rng = new Rng(seed);
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buffer[i] = rng.nextUint32() & 0xff;
  return buffer;
}

describe("netsim latency", () => {
  it("adds the configured delay to each direction within ±5 ms at the median (plain TCP echo)", async () => {
    const echo = await startPingEcho();
    const direct = await tcpPings(echo.port, echo.arrivals, 15);
    const netsim = await startNetsim({ up: { latencyMs: 30 }, down: { latencyMs: 20 } }, echo.port);

    const shaped = await tcpPings(netsim.port, echo.arrivals, 25);

    expectAddedDelay(shaped.up, direct.up, 30);
    expectAddedDelay(shaped.down, direct.down, 20);
    expectAddedDelay(shaped.rtt, direct.rtt, 50);
  });

  it("adds the configured delay within ±5 ms at the median through a WebSocket (ws) echo server", async () => {
    const arrivals: number[] = [];
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    await once(wss, "listening");
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    wss.on("connection", (ws) => {
      ws.on("message", (data, isBinary) => {
        arrivals.push(performance.now());
        ws.send(data, { binary: isBinary });
      });
    });
    const port = (wss.address() as { port: number }).port;
    const pings = async (targetPort: number, count: number): Promise<Timings> => {
      const ws = new WebSocket(`ws://${HOST}:${targetPort}`);
      cleanups.push(() => ws.terminate());
      await once(ws, "open");
      const timings: Timings = { up: [], down: [], rtt: [] };
      for (let i = 0; i < count; i++) {
        const arrivalIndex = arrivals.length;
        const sentAt = performance.now();
        ws.send(new Uint8Array([i]));
        await once(ws, "message");
        const backAt = performance.now();
        timings.up.push(arrivals[arrivalIndex] - sentAt);
        timings.down.push(backAt - arrivals[arrivalIndex]);
        timings.rtt.push(backAt - sentAt);
      }
      ws.close();
      return timings;
    };
    const direct = await pings(port, 15);
    const netsim = await startNetsim({ up: { latencyMs: 25 }, down: { latencyMs: 25 } }, port);

    const shaped = await pings(netsim.port, 25);

    expectAddedDelay(shaped.up, direct.up, 25);
    expectAddedDelay(shaped.down, direct.down, 25);
    expectAddedDelay(shaped.rtt, direct.rtt, 50);
  });

  it("set() changes the delay of connections that are already open", async () => {
    const echo = await startPingEcho();
    const netsim = await startNetsim({ up: { latencyMs: 5 }, down: { latencyMs: 5 } }, echo.port);
    const before = await tcpPings(netsim.port, echo.arrivals, 8);

    netsim.set("both", { latencyMs: 35 });
    const after = await tcpPings(netsim.port, echo.arrivals, 8);

    expectAddedDelay(after.rtt, before.rtt, 60);
    expect(netsim.conditions.up.latencyMs).toBe(35);
    expect(netsim.conditions.down.latencyMs).toBe(35);
  });
});

describe("netsim bandwidth", () => {
  const BYTES = 256 * 1024;
  const RATE = 512 * 1024;

  it("caps server → client throughput within 10% (256 KiB at 512 KiB/s) and delivers every byte", async () => {
    const data = payload(BYTES, 1);
    const server = await startTcpServer((socket) => socket.once("data", () => socket.write(data)));
    const netsim = await startNetsim({ down: { bandwidthBytesPerSec: RATE } }, server.port);
    const client = await connectTcp(netsim.port);
    const chunks: Buffer[] = [];
    let received = 0;
    const done = new Promise<void>((resolve) => {
      client.on("data", (chunk) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= BYTES) resolve();
      });
    });

    const startedAt = performance.now();
    client.write("g");
    await done;
    const seconds = (performance.now() - startedAt) / 1_000;

    expect(BYTES / seconds / RATE).toBeGreaterThan(0.9);
    expect(BYTES / seconds / RATE).toBeLessThan(1.1);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it("caps client → server throughput within 10% independently of the other direction", async () => {
    const data = payload(BYTES, 2);
    const chunks: Buffer[] = [];
    let received = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const server = await startTcpServer((socket) => {
      socket.on("data", (chunk) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= BYTES) resolveDone();
      });
    });
    const netsim = await startNetsim({ up: { bandwidthBytesPerSec: RATE }, down: { bandwidthBytesPerSec: RATE / 16 } }, server.port);
    const client = await connectTcp(netsim.port);

    const startedAt = performance.now();
    client.write(data);
    await done;
    const seconds = (performance.now() - startedAt) / 1_000;

    expect(BYTES / seconds / RATE).toBeGreaterThan(0.9);
    expect(BYTES / seconds / RATE).toBeLessThan(1.1);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});

describe("netsim jitter and stalls", () => {
  it("jitter varies each chunk's delay but never reorders bytes (numbered stream, echoed back)", async () => {
    const MESSAGES = 250;
    const serverDelays: number[] = [];
    const sentAt: number[] = [];
    let serverBytes = 0;
    const server = await startTcpServer((socket) => {
      socket.on("data", (data) => {
        const now = performance.now();
        serverBytes += data.length;
        while (serverDelays.length < Math.floor(serverBytes / 4)) serverDelays.push(now - sentAt[serverDelays.length]);
        socket.write(data);
      });
    });
    const netsim = await startNetsim(
      { up: { latencyMs: 20, jitterMs: 15 }, down: { latencyMs: 20, jitterMs: 15 }, seed: 9 },
      server.port,
    );
    const client = await connectTcp(netsim.port);
    const echoed: Buffer[] = [];
    let echoedBytes = 0;
    const done = new Promise<void>((resolve) => {
      client.on("data", (data) => {
        echoed.push(data);
        echoedBytes += data.length;
        if (echoedBytes >= MESSAGES * 4) resolve();
      });
    });

    for (let i = 0; i < MESSAGES; i++) {
      const message = Buffer.alloc(4);
      message.writeUInt32BE(i);
      sentAt.push(performance.now());
      client.write(message);
      // Pace the writes so they reach the simulator as separate chunks.
      await delay(1);
    }
    await done;

    const stream = Buffer.concat(echoed);
    for (let i = 0; i < MESSAGES; i++) expect(stream.readUInt32BE(i * 4)).toBe(i);
    expect(netsim.stats.up.chunks).toBeGreaterThan(MESSAGES / 2);
    const spread = Math.max(...serverDelays) - Math.min(...serverDelays);
    expect(spread).toBeGreaterThan(15);
  });

  it("a stall pauses delivery for its duration, then releases what was held, in order", async () => {
    const STALL_EVERY = 500;
    const STALL_FOR = 200;
    const SEND_FOR = 1_100;
    let sending = true;
    const server = await startTcpServer((socket) => {
      socket.once("data", async () => {
        for (let i = 0; sending; i++) {
          const message = Buffer.alloc(4);
          message.writeUInt32BE(i);
          socket.write(message);
          await delay(5);
        }
      });
    });
    cleanups.push(() => {
      sending = false;
    });
    const netsim = await startNetsim({}, server.port);
    const client = await connectTcp(netsim.port);
    const arrivals: number[] = [];
    const received: Buffer[] = [];
    client.on("data", (data) => {
      received.push(data);
      arrivals.push(performance.now());
    });

    netsim.set("down", { stallEveryMs: STALL_EVERY, stallForMs: STALL_FOR });
    client.write("g");
    await delay(SEND_FOR);
    sending = false;
    await delay(50);

    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
    const stalls = gaps.filter((gap) => gap > STALL_FOR * 0.75);
    // Stalls run from 300-500 ms and 800-1000 ms after set(), both inside the 1.1 s of
    // sending; the sender writes every 5 ms, so no other gap comes near a stall's length.
    expect(stalls).toHaveLength(2);
    for (const stall of stalls) expect(stall).toBeLessThan(STALL_FOR + 40);
    const stream = Buffer.concat(received);
    for (let i = 0; i < stream.length / 4; i++) expect(stream.readUInt32BE(i * 4)).toBe(i);
  });
  it("lifting a stall at run time releases what it held at once, not when the old stall would have ended", async () => {
    const echo = await startPingEcho();
    const netsim = await startNetsim({}, echo.port);
    const client = await connectTcp(netsim.port);
    // Stalled from 1 ms after the change, for almost 10 s.
    netsim.set("down", { stallEveryMs: 10_000, stallForMs: 9_999 });
    await delay(5);
    const echoed = once(client, "data");
    client.write(Buffer.alloc(PING_BYTES));
    await expect.poll(() => netsim.stats.down.heldBytes).toBe(PING_BYTES);

    const liftedAt = performance.now();
    netsim.set("down", { stallEveryMs: 0, stallForMs: 0 });
    await echoed;

    expect(performance.now() - liftedAt).toBeLessThan(50);
  });
});

describe("netsim drops", () => {
  it("dropAll() resets every open connection at both ends and counts the drops", async () => {
    const server = await startTcpServer(() => {});
    const netsim = await startNetsim({}, server.port);
    const clients = [await connectTcp(netsim.port), await connectTcp(netsim.port)];
    await expect.poll(() => server.open.size).toBe(2);

    const errors = clients.map((client) => once(client, "error"));
    expect(netsim.dropAll()).toBe(2);

    for (const error of await Promise.all(errors)) expect((error[0] as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    await server.idle();
    await expect.poll(() => netsim.connections).toBe(0);
    expect(netsim.stats.drops).toBe(2);
  });

  it("a dropped WebSocket client sees an abnormal close (1006), as on a real network failure", async () => {
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    await once(wss, "listening");
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    const netsim = await startNetsim({ down: { latencyMs: 10 } }, (wss.address() as { port: number }).port);
    const ws = new WebSocket(`ws://${HOST}:${netsim.port}`);
    ws.on("error", () => {});
    cleanups.push(() => ws.terminate());
    await once(ws, "open");

    const closed = once(ws, "close");
    netsim.dropAll();

    const [code] = await closed;
    expect(code).toBe(1006);
  });

  it("dropAfterMs drops each connection at a random moment within its window", async () => {
    const server = await startTcpServer(() => {});
    const netsim = await startNetsim({ up: { dropAfterMs: { minMs: 100, maxMs: 250 } } }, server.port);
    const lifetimes = await Promise.all(
      [0, 1, 2].map(async () => {
        const client = await connectTcp(netsim.port);
        const openedAt = performance.now();
        await closeOf(client);
        return performance.now() - openedAt;
      }),
    );

    for (const lifetime of lifetimes) {
      expect(lifetime).toBeGreaterThanOrEqual(95);
      expect(lifetime).toBeLessThan(290);
    }
    expect(new Set(lifetimes.map(Math.round)).size).toBeGreaterThan(1);
    expect(netsim.stats.drops).toBe(3);
  });

  it("a drop window set at run time applies to connections already open, and off cancels it", async () => {
    const server = await startTcpServer(() => {});
    const netsim = await startNetsim({}, server.port);
    const doomed = await connectTcp(netsim.port);
    const closed = closeOf(doomed);

    netsim.set("down", { dropAfterMs: { minMs: 50, maxMs: 50 } });
    await closed;
    const spared = await connectTcp(netsim.port);
    netsim.set("down", { dropAfterMs: null });
    await delay(120);

    expect(spared.destroyed).toBe(false);
    expect(netsim.stats.drops).toBe(1);
  });
});

describe("netsim safety and cleanup", () => {
  it.each(["192.0.2.1", "10.1.2.3", "example.com"])("refuses the non-loopback target %s unless allowRemote", async (host) => {
    await expect(createNetsim({ target: { host, port: 80 } })).rejects.toThrow(/non-loopback.*--allow-remote/);
    const allowed = await createNetsim({ target: { host, port: 80 }, allowRemote: true });
    await allowed.close();
  });

  it("closes the client side when the target refuses the connection, and counts it", async () => {
    const netsim = await startNetsim({}, await unusedPort());
    const client = connect({ host: HOST, port: netsim.port });
    client.on("error", () => {});

    await closeOf(client);

    expect(netsim.stats.targetFailures).toBe(1);
    expect(netsim.connections).toBe(0);
  });

  it("passes a half-close on: bytes sent before the client's end arrive before the server sees it", async () => {
    const server = await startTcpServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on("data", (data) => chunks.push(data));
      socket.on("end", () => socket.end(Buffer.concat([Buffer.from("got:"), ...chunks])));
    }, true);
    const netsim = await startNetsim({ up: { latencyMs: 20 }, down: { latencyMs: 20 } }, server.port);
    const client = await connectTcp(netsim.port);
    const reply: Buffer[] = [];
    client.on("data", (data) => reply.push(data));

    client.end("hello");
    await once(client, "end");

    expect(Buffer.concat(reply).toString()).toBe("got:hello");
  });

  it("a reader that stops reading costs bounded memory: the sender is paused, then everything arrives in order", async () => {
    const MAX_HELD = 128 * 1024;
    // Far more than the kernel buffers on both sides of the simulator can absorb.
    const TOTAL = 48 * 1024 * 1024;
    const data = patterned(TOTAL);
    let serverSocket: Socket | null = null;
    let receivedBytes = 0;
    let intact = true;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const server = await startTcpServer((socket) => {
      serverSocket = socket;
      socket.pause();
      socket.on("data", (chunk) => {
        intact &&= chunk.equals(data.subarray(receivedBytes, receivedBytes + chunk.length));
        receivedBytes += chunk.length;
        if (receivedBytes >= TOTAL) resolveDone();
      });
    });
    const netsim = await startNetsim({ maxHeldBytes: MAX_HELD }, server.port);
    const client = await connectTcp(netsim.port);

    client.write(data);
    await expect.poll(() => netsim.stats.up.sourcePauses).toBeGreaterThan(0);
    await delay(100);

    // Held by the simulator: at most the limit plus one socket read (64 KiB); the rest waits in the sender.
    expect(netsim.stats.up.heldBytes).toBeLessThanOrEqual(MAX_HELD + 64 * 1024);
    expect(netsim.stats.up.bytesIn).toBeLessThan(TOTAL / 2);
    expect(client.writableLength).toBeGreaterThan(0);
    serverSocket!.resume();
    await done;
    expect(intact).toBe(true);
    expect(netsim.stats.up.heldBytes).toBe(0);
  });

  it("close() closes open connections, clears every timer and leaves no open handles", async () => {
    const server = await startTcpServer(() => {});
    const handlesBefore = countHandles();
    const netsim = await createNetsim({
      target: { host: HOST, port: server.port },
      // Held data, a pending delivery timer, a stall and a far-away drop timer at close time.
      up: { latencyMs: 10_000, stallEveryMs: 1_000, stallForMs: 500, dropAfterMs: { minMs: 60_000, maxMs: 60_000 } },
    });
    const client = await connectTcp(netsim.port);
    client.write("held for ten seconds");
    await expect.poll(() => netsim.stats.up.heldBytes).toBeGreaterThan(0);
    const clientClosed = closeOf(client);

    await netsim.close();
    await clientClosed;
    await server.idle();
    await handlesReleased();

    expect(countHandles()).toEqual(handlesBefore);
    expect(netsim.connections).toBe(0);
    expect(netsim.stats.up.heldBytes).toBe(0);
  });
});

/** A port nothing listens on: bound, read, released. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Open sockets, servers and timers of this process, by kind. */
function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === "TCPSocketWrap" || kind === "TCPServerWrap" || kind === "Timeout") counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
