import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { Rng } from "@tickwire/engine";

export interface LagProxyOptions {
  /** Where connections are forwarded. */
  targetPort: number;
  targetHost?: string;
  /** One-way delay per direction, ms. */
  delayMs: number;
  /** Each chunk's delay is delayMs ± a uniform jitter up to this, ms. */
  jitterMs: number;
  seed?: number;
}

export interface LagProxy {
  readonly port: number;
  /** Live connections (client side sockets). */
  readonly connections: ReadonlySet<Socket>;
  close(): Promise<void>;
}

/**
 * A small TCP proxy adding one-way delay with jitter in each direction, without reordering:
 * a chunk is released at max(previous release, arrival + delay ± jitter), as TCP would
 * deliver it. Enough for the client's latency tests; tools' netsim is the full simulator.
 */
export async function startLagProxy(options: LagProxyOptions): Promise<LagProxy> {
  const rng = new Rng(options.seed ?? 1);
  const connections = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function delayed(from: Socket, to: Socket): void {
    // One FIFO and one timer per direction: a timer per chunk could fire out of order, since
    // Node times each from the loop's cached clock (that reordered frames here).
    // A null chunk is the half-close, which travels after the data already in flight.
    const queue: { chunk: Buffer | null; release: number }[] = [];
    let lastRelease = 0;
    let pumpTimer: ReturnType<typeof setTimeout> | undefined;
    const pump = (): void => {
      if (pumpTimer !== undefined) timers.delete(pumpTimer);
      pumpTimer = undefined;
      const now = performance.now();
      for (let head = queue[0]; head !== undefined && head.release <= now; head = queue[0]) {
        queue.shift();
        if (to.destroyed) continue;
        if (head.chunk === null) to.end();
        else to.write(head.chunk);
      }
      if (queue[0] !== undefined) schedule(queue[0].release - now);
    };
    const schedule = (waitMs: number): void => {
      pumpTimer = setTimeout(pump, Math.max(1, Math.ceil(waitMs)));
      timers.add(pumpTimer);
    };
    const enqueue = (chunk: Buffer | null, release: number): void => {
      lastRelease = Math.max(lastRelease, release);
      queue.push({ chunk, release: lastRelease });
      if (pumpTimer === undefined) schedule(lastRelease - performance.now());
    };
    from.on("data", (chunk: Buffer) => {
      const jitter = (rng.next() * 2 - 1) * options.jitterMs;
      enqueue(chunk, performance.now() + options.delayMs + jitter);
    });
    from.on("end", () => enqueue(null, 0));
    from.on("error", () => to.destroy());
    from.on("close", () => {
      if (!from.readableEnded) to.destroy();
    });
  }

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = tcpConnect({ port: options.targetPort, host: options.targetHost ?? "127.0.0.1" });
    upstream.setNoDelay(true);
    connections.add(client);
    client.on("close", () => connections.delete(client));
    delayed(client, upstream);
    delayed(upstream, client);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("lag proxy: no TCP address");

  return {
    port: address.port,
    connections,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
