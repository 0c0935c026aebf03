/**
 * A running server's lifecycle: the registry heartbeat that announces its worlds, the
 * graceful close (stop accepting, close every client with 1001, flush, cut what is left
 * at the deadline), and the optional SIGTERM/SIGINT handling around it.
 */
import { CloseCode } from "@tickwire/engine";
import uWS from "uWebSockets.js";
import type { ServerContext } from "./server-context.js";

/** After closing every socket, the time uWS gets to write their close frames before close() resolves. */
const SHUTDOWN_FLUSH_MS = 100;

/** Announces every world to the registry now and every `registryHeartbeatMs`; returns the stop function. */
export function startHeartbeat(server: ServerContext): () => void {
  const { worlds, registry, clock, logger, refusalLimiter } = server;
  const heartbeat = async (): Promise<void> => {
    for (const world of worlds.values()) {
      await registry.upsert({
        id: world.id,
        game: world.gameName,
        population: world.sessions.size,
        capacity: world.capacity,
        address: server.publicUrl ?? "",
        updatedAt: clock(),
      });
    }
  };
  const beat = (): void => {
    refusalLimiter.sweep(clock());
    heartbeat().catch((error: unknown) => logger.error({ err: error }, "registry heartbeat failed"));
  };
  beat();
  const timer = setInterval(beat, server.limits.registryHeartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What close() stops besides the worlds. */
export interface Running {
  readonly listenSocket: uWS.us_listen_socket;
  /** Open sockets, cut at the deadline. */
  readonly sockets: ReadonlySet<{ close(): void }>;
  readonly stopHeartbeat: () => void;
}

/** The server's close(), and the signals that call it. */
export class Shutdown {
  private closed: Promise<void> | undefined;
  private removeSignalHandlers = (): void => {};

  constructor(
    private readonly server: ServerContext,
    private readonly running: Running,
  ) {}

  /** Idempotent; resolves within the shutdown timeout. */
  readonly close = (): Promise<void> => {
    this.closed ??= this.run();
    return this.closed;
  };

  private async run(): Promise<void> {
    const { server, running } = this;
    const { worlds, registry, limits, clock, logger } = server;
    server.shuttingDown = true;
    running.stopHeartbeat();
    this.removeSignalHandlers();
    uWS.us_listen_socket_close(running.listenSocket);
    for (const world of worlds.values()) world.shutdown(CloseCode.GoingAway);
    // ── persistence hook: every player left above; their saves are flushed, then the store closes ──
    const persisted = server.persistence?.close(limits.shutdownTimeoutMs);
    await Promise.all([...worlds.keys()].map((id) => registry.remove(id).catch(() => undefined)));
    // uWS writes the close frames from its event loop; give it a moment, then cut what is left.
    await delay(Math.min(SHUTDOWN_FLUSH_MS, limits.shutdownTimeoutMs));
    const deadline = clock() + limits.shutdownTimeoutMs;
    while (running.sockets.size > 0 && clock() < deadline) await delay(SHUTDOWN_FLUSH_MS);
    for (const ws of [...running.sockets]) ws.close();
    await persisted;
    logger.info("tickwire server closed");
  }

  /** Closes gracefully and exits 0 on SIGTERM/SIGINT (until close() runs). */
  handleSignals(): void {
    const { logger, limits } = this.server;
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "shutting down");
      // The deadline holds even if a close frame never gets out.
      setTimeout(() => process.exit(0), limits.shutdownTimeoutMs + SHUTDOWN_FLUSH_MS * 5).unref();
      this.close().then(
        () => process.exit(0),
        () => process.exit(0),
      );
    };
    this.removeSignalHandlers = () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
