import { type AnyGame, createServer, silentLogger, type TickwireServer } from "@tickwire/server";

export interface TestServer {
  server: TickwireServer;
  port: number;
  /** WebSocket URL of world `world` (default "main"). */
  wsUrl(world?: string, port?: number): string;
  close(): Promise<void>;
}

/** A real tickwire server on 127.0.0.1, a free port, silent. */
export async function startServer(
  game: AnyGame,
  options: { auth?: (token: string) => unknown } = {},
): Promise<TestServer> {
  const server = await createServer({
    host: "127.0.0.1",
    port: 0,
    worlds: [{ id: "main", game }],
    logger: silentLogger(),
    defaultMetrics: false,
    auth: options.auth,
  });
  let closed = false;
  return {
    server,
    port: server.port,
    wsUrl: (world = "main", port = server.port) => `ws://127.0.0.1:${port}/ws?world=${world}`,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}
