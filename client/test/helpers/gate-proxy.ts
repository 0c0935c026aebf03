import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy whose link the test controls, for outages as a player meets them:
 * - `stall(dir)`: bytes in that direction are held, not forwarded (a frozen link);
 * - `cut()`: every connection is reset and the bytes held are lost (they left the sender,
 *   never reached the receiver); while `refusing`, new connections are reset at once;
 * - `restore()`: new connections go through again.
 */
export interface GateProxy {
  readonly port: number;
  /** Connections open now. */
  readonly open: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  stall(direction: "up" | "down" | "both"): void;
  /** Lets held bytes go and forwards again. */
  resume(): void;
  /** Resets every connection, losing held bytes; with `refuse`, later connections are reset too until `restore()`. */
  cut(refuse?: boolean): void;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  held: { up: Buffer[]; down: Buffer[] };
}

export async function startGateProxy(targetPort: number): Promise<GateProxy> {
  const pairs = new Set<Pair>();
  let refusing = false;
  let stalled = { up: false, down: false };
  let accepted = 0;

  function forward(pair: Pair, direction: "up" | "down", from: Socket, to: Socket): void {
    from.on("data", (chunk: Buffer) => {
      if (stalled[direction]) pair.held[direction].push(chunk);
      else if (!to.destroyed) to.write(chunk);
    });
    from.on("error", () => to.destroy());
    from.on("close", () => {
      pairs.delete(pair);
      to.destroy();
    });
  }

  function flush(pair: Pair): void {
    for (const direction of ["up", "down"] as const) {
      const to = direction === "up" ? pair.upstream : pair.client;
      for (const chunk of pair.held[direction].splice(0)) if (!to.destroyed) to.write(chunk);
    }
  }

  const server: Server = createServer({ noDelay: true }, (client) => {
    accepted++;
    client.on("error", () => {});
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect({ port: targetPort, host: "127.0.0.1", noDelay: true });
    upstream.on("error", () => {});
    const pair: Pair = { client, upstream, held: { up: [], down: [] } };
    pairs.add(pair);
    forward(pair, "up", client, upstream);
    forward(pair, "down", upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("gate proxy: no TCP address");

  return {
    port: address.port,
    get open() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    stall(direction) {
      stalled = { up: direction !== "down" || stalled.up, down: direction !== "up" || stalled.down };
    },
    resume() {
      stalled = { up: false, down: false };
      for (const pair of pairs) flush(pair);
    },
    cut(refuse = false) {
      refusing = refuse;
      for (const pair of [...pairs]) {
        pair.held.up.length = 0;
        pair.held.down.length = 0;
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    restore() {
      refusing = false;
      stalled = { up: false, down: false };
    },
    async close() {
      refusing = true;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
