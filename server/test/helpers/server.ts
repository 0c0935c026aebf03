import { type AnyGame, createServer, type ServerOptions, silentLogger, type TickwireServer } from "@tickwire/server";

export interface StartedServer extends TickwireServer {
  /** `ws://127.0.0.1:<port>/ws?world=<id>`, plus `&token=` when given. */
  wsUrl(world?: string, token?: string): string;
  /** `http://127.0.0.1:<port><path>`. */
  httpUrl(path: string): string;
}

/**
 * A real server on 127.0.0.1 and a free port, silent, without process metrics (tests run
 * several servers per process). Pass `worlds` or a single `game` (world "main").
 */
export async function startServer(
  options: Partial<ServerOptions> & { game?: AnyGame } = {},
): Promise<StartedServer> {
  const { game, ...rest } = options;
  const worlds = rest.worlds ?? (game === undefined ? [] : [{ id: "main", game }]);
  const server = await createServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger(),
    defaultMetrics: false,
    ...rest,
    worlds,
  });
  return Object.assign(server, {
    wsUrl(world = worlds[0]?.id ?? "main", token?: string): string {
      const query = `world=${encodeURIComponent(world)}${token === undefined ? "" : `&token=${encodeURIComponent(token)}`}`;
      return `ws://127.0.0.1:${server.port}/ws?${query}`;
    },
    httpUrl(path: string): string {
      return `http://127.0.0.1:${server.port}${path}`;
    },
  });
}
