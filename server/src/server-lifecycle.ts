/**
 * A running server's lifecycle: the registry heartbeat that announces its worlds (and the
 * population report on the bus), the graceful close (stop accepting, close every client
 * with 1001, flush, cut what is left at the deadline), the drain of a deploy (listings
 * gone, players saved and their leases released, then every client closed with 4017 so it
 * matchmakes elsewhere), and the optional SIGTERM/SIGINT handling around them.
 */
import { CloseCode } from "@tickwire/engine";
import uWS from "uWebSockets.js";
import type { WorldListing } from "./registry/registry.js";
import type { ServerContext } from "./server-context.js";
import type { World } from "./world.js";

/** After closing every socket, the time uWS gets to write their close frames before close() resolves. */
const SHUTDOWN_FLUSH_MS = 100;

/** A world as the registry lists it now. */
export function listingOf(server: ServerContext, world: World): WorldListing {
  return {
    id: world.id,
    game: world.gameName,
    population: world.sessions.size,
    capacity: world.capacity,
    address: server.publicUrl ?? "",
    updatedAt: server.clock(),
  };
}

/**
 * Announces every world to the registry and this process's population on the bus, now and
 * every `registryHeartbeatMs`; returns the stop function. A failing registry is one outage
 * (logged once, named by /healthz), retried at every beat; the tick never waits for it.
 */
export function startHeartbeat(server: ServerContext): () => void {
  const { worlds, registry, clock, refusalLimiter, registryOutage } = server;
  let inFlight = false;
  let stopped = false;
  const beat = (): void => {
    refusalLimiter.sweep(clock());
    server.cluster.reportPopulation();
    // A registry that hangs (commands time out) must not pile beats up.
    if (inFlight) return;
    inFlight = true;
    // Listings are built now, in one go: a commit sent after this beat lands after it in Redis.
    const upserts = [...worlds.values()].map((world) => registry.upsert(listingOf(server, world)));
    Promise.all(upserts).then(
      () => {
        inFlight = false;
        if (!stopped) registryOutage.succeeded();
      },
      (error: unknown) => {
        inFlight = false;
        if (!stopped) registryOutage.failed(error);
      },
    );
  };
  beat();
  const timer = setInterval(beat, server.limits.registryHeartbeatMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
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
    this.closed ??= this.run(CloseCode.GoingAway);
    return this.closed;
  };

  /** Idempotent (and a no-op once close() started); resolves within twice the shutdown timeout. */
  readonly drain = (): Promise<void> => {
    this.closed ??= this.runDrain();
    return this.closed;
  };

  private async runDrain(): Promise<void> {
    const { server, running } = this;
    const { worlds, registry, limits, logger, persistence } = server;
    logger.info({ process: server.processId, players: server.cluster.localPlayers() }, "draining: players move to other processes");
    server.shuttingDown = true;
    running.stopHeartbeat();
    // First nobody is sent here any more; then the worlds stop changing, so what is saved is final.
    await Promise.all([...worlds.keys()].map((id) => registry.remove(id).catch(() => undefined)));
    for (const world of worlds.values()) world.freeze();
    // ── persistence hook: saved and released before the close, so another process can take each player at once ──
    if (persistence !== undefined) await persistence.handOff(limits.shutdownTimeoutMs);
    await this.run(CloseCode.ServerRestarting);
  }

  private async run(code: CloseCode): Promise<void> {
    const { server, running } = this;
    const { worlds, registry, limits, clock, logger } = server;
    server.shuttingDown = true;
    running.stopHeartbeat();
    this.removeSignalHandlers();
    uWS.us_listen_socket_close(running.listenSocket);
    for (const world of worlds.values()) world.shutdown(code);
    // ── persistence hook: every player left above; their saves are flushed, then the store closes ──
    const persisted = server.persistence?.close(limits.shutdownTimeoutMs);
    await Promise.all([...worlds.keys()].map((id) => registry.remove(id).catch(() => undefined)));
    // uWS writes the close frames from its event loop; give it a moment, then cut what is left.
    await delay(Math.min(SHUTDOWN_FLUSH_MS, limits.shutdownTimeoutMs));
    const deadline = clock() + limits.shutdownTimeoutMs;
    while (running.sockets.size > 0 && clock() < deadline) await delay(SHUTDOWN_FLUSH_MS);
    for (const ws of [...running.sockets]) ws.close();
    await persisted;
    server.cluster.close();
    logger.info("tickwire server closed");
  }

  /**
   * Closes gracefully and exits 0 on SIGTERM/SIGINT (until close() runs). With `drainOnTerm`
   * (a shared registry: other processes can take the players) SIGTERM drains instead.
   */
  handleSignals(drainOnTerm = false): void {
    const { logger, limits } = this.server;
    const onSignal = (signal: NodeJS.Signals): void => {
      const draining = drainOnTerm && signal === "SIGTERM";
      logger.info({ signal }, draining ? "draining" : "shutting down");
      // The deadline holds even if a close frame never gets out (a drain saves first: twice the time).
      const deadline = limits.shutdownTimeoutMs * (draining ? 2 : 1) + SHUTDOWN_FLUSH_MS * 5;
      setTimeout(() => process.exit(0), deadline).unref();
      (draining ? this.drain() : this.close()).then(
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
