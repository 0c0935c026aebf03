import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { Rng } from "@tickwire/engine";
import {
  type Direction,
  type DirectionSelector,
  type DropWindow,
  type LinkConditions,
  mergeConditions,
  NetsimConfigError,
  NO_CONDITIONS,
} from "./conditions.js";
import { type DirectionStats, emptyDirectionStats, Link } from "./link.js";
import { isLoopbackHost } from "./loopback.js";
import { type DirectionConfig, LinkShaper } from "./shaper.js";

export interface HostPort {
  host: string;
  port: number;
}

export interface NetsimOptions {
  /** Where the simulator accepts connections; default 127.0.0.1 on a free port. */
  listen?: Partial<HostPort>;
  /** The server it forwards to; must be loopback unless `allowRemote`. */
  target: HostPort;
  up?: Partial<LinkConditions>;
  down?: Partial<LinkConditions>;
  /** Seed for jitter and drop times, so a run can be repeated. */
  seed?: number;
  allowRemote?: boolean;
  /** Bytes one direction of one connection may hold before its sender is paused. */
  maxHeldBytes?: number;
}

export interface NetsimStats {
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Connections the simulator dropped (scheduled or on command). */
  readonly drops: number;
  /** Accepted connections closed because the target could not be reached. */
  readonly targetFailures: number;
  /** Client → server. */
  readonly up: Readonly<DirectionStats>;
  /** Server → client. */
  readonly down: Readonly<DirectionStats>;
}

export interface Netsim {
  readonly host: string;
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  readonly stats: NetsimStats;
  /** The conditions each direction applies now. */
  readonly conditions: { readonly up: LinkConditions; readonly down: LinkConditions };
  /** Changes the conditions of one or both directions; applies to open connections at once. */
  set(direction: DirectionSelector, conditions: Partial<LinkConditions>): void;
  /** Drops (resets) every open connection; returns how many. */
  dropAll(): number;
  /** Stops listening, closes every connection and timer; resolves once all sockets closed. */
  close(): Promise<void>;
}

const DEFAULT_SEED = 1;
/**
 * 1 MiB per direction per connection: enough to carry 100 ms of latency at 10 MB/s
 * without throttling the sender, while a stalled link costs bounded memory.
 */
const DEFAULT_MAX_HELD_BYTES = 1024 * 1024;

/**
 * Starts a TCP proxy that adds latency, jitter, bandwidth caps, stalls and drops to
 * each direction. It forwards bytes and never parses them, so it is transparent to
 * WebSocket (and anything else on TCP). Refuses a non-loopback target unless
 * `allowRemote` is set.
 */
export async function createNetsim(options: NetsimOptions): Promise<Netsim> {
  const { target } = options;
  if (!options.allowRemote && !isLoopbackHost(target.host)) {
    throw new NetsimConfigError(
      `refusing non-loopback target ${target.host}:${target.port} (pass allowRemote / --allow-remote to proxy to another machine)`,
    );
  }
  const now = () => performance.now();
  const configs: Record<Direction, DirectionConfig> = {
    up: { conditions: mergeConditions(NO_CONDITIONS, options.up ?? {}), stallEpochMs: now() },
    down: { conditions: mergeConditions(NO_CONDITIONS, options.down ?? {}), stallEpochMs: now() },
  };
  const context: ConnectionContext = {
    target,
    configs,
    rng: new Rng(options.seed ?? DEFAULT_SEED),
    now,
    maxHeldBytes: options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES,
    counters: { accepted: 0, drops: 0, targetFailures: 0 },
    up: emptyDirectionStats(),
    down: emptyDirectionStats(),
    open: new Set(),
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => {
    new ProxiedConnection(client, context);
  });
  server.listen(options.listen?.port ?? 0, options.listen?.host ?? "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("netsim: server has no TCP address");

  let closing: Promise<void> | null = null;
  return {
    host: address.address,
    port: address.port,
    get connections() {
      return context.open.size;
    },
    get stats() {
      return {
        ...context.counters,
        open: context.open.size,
        up: { ...context.up },
        down: { ...context.down },
      };
    },
    get conditions() {
      return { up: configs.up.conditions, down: configs.down.conditions };
    },
    set(direction, change) {
      const directions: Direction[] = direction === "both" ? ["up", "down"] : [direction];
      // Validate both before applying either, so a bad change leaves nothing half-set.
      const merged = directions.map((d) => mergeConditions(configs[d].conditions, change));
      directions.forEach((d, i) => {
        const config = configs[d];
        const before = config.conditions;
        config.conditions = merged[i];
        if (before.stallEveryMs !== merged[i].stallEveryMs || before.stallForMs !== merged[i].stallForMs) {
          config.stallEpochMs = now();
        }
      });
      for (const connection of context.open) connection.conditionsChanged();
    },
    dropAll() {
      const dropped = [...context.open];
      for (const connection of dropped) connection.drop();
      return dropped.length;
    },
    close() {
      closing ??= closeAll(server, context);
      return closing;
    },
  };
}

async function closeAll(server: Server, context: ConnectionContext): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  const connections = [...context.open];
  for (const connection of connections) connection.destroy();
  await Promise.all([serverClosed, ...connections.map((c) => c.closed)]);
  // libuv frees closed handles in the loop's close phase, after 'close' events have
  // fired; two check-phase turns put that phase behind us, so nothing is left open.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

interface ConnectionContext {
  readonly target: HostPort;
  readonly configs: Record<Direction, DirectionConfig>;
  readonly rng: Rng;
  readonly now: () => number;
  readonly maxHeldBytes: number;
  readonly counters: { accepted: number; drops: number; targetFailures: number };
  readonly up: DirectionStats;
  readonly down: DirectionStats;
  readonly open: Set<ProxiedConnection>;
}

/** The earlier-starting of the two directions' drop windows: a drop takes the whole connection. */
function effectiveDropWindow(configs: Record<Direction, DirectionConfig>): DropWindow | null {
  const up = configs.up.conditions.dropAfterMs;
  const down = configs.down.conditions.dropAfterMs;
  if (up === null || down === null) return up ?? down;
  return up.minMs <= down.minMs ? up : down;
}

function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

/** A client socket, its socket to the target, and the two links between them. */
class ProxiedConnection {
  readonly closed: Promise<void>;
  private readonly target: Socket;
  private links: Link[] = [];
  private dropTimer: NodeJS.Timeout | null = null;
  private dropWindow: DropWindow | null = null;
  private connected = false;
  private destroyed = false;

  constructor(
    private readonly client: Socket,
    private readonly context: ConnectionContext,
  ) {
    context.counters.accepted++;
    context.open.add(this);
    this.target = connect({ ...context.target, allowHalfOpen: true, noDelay: true });
    this.closed = Promise.all([closeOf(client), closeOf(this.target)]).then(() => {
      context.open.delete(this);
    });
    for (const socket of [client, this.target]) {
      // Errors are how resets and refusals arrive; either side failing ends both.
      socket.on("error", () => this.destroy());
      // A socket closes cleanly once its peer ended and we ended our side; any other
      // close is an abort and takes the other socket with it.
      socket.on("close", (hadError) => {
        if (hadError || !socket.readableEnded || !socket.writableFinished) this.destroy();
      });
    }
    this.target.once("error", () => {
      if (!this.connected) context.counters.targetFailures++;
    });
    this.target.once("connect", () => this.start());
  }

  conditionsChanged(): void {
    this.scheduleDrop();
    for (const link of this.links) link.wake();
  }

  /** Arms, re-arms or cancels the drop timer after a change of the drop window. */
  private scheduleDrop(): void {
    if (!this.connected || this.destroyed) return;
    const window = effectiveDropWindow(this.context.configs);
    if (window?.minMs === this.dropWindow?.minMs && window?.maxMs === this.dropWindow?.maxMs) return;
    this.dropWindow = window;
    this.clearDropTimer();
    if (window === null) return;
    const afterMs = this.context.rng.range(window.minMs, window.maxMs);
    this.dropTimer = setTimeout(() => this.drop(), afterMs);
  }

  /** Resets both sockets, as a network failure would look to each end. */
  drop(): void {
    if (this.destroyed) return;
    this.context.counters.drops++;
    this.teardown();
    for (const socket of [this.client, this.target]) {
      if (socket.destroyed) continue;
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.teardown();
    this.client.destroy();
    this.target.destroy();
  }

  private start(): void {
    if (this.destroyed) return;
    this.connected = true;
    const { configs, rng, now, maxHeldBytes } = this.context;
    const startedAt = now();
    this.links = [
      new Link(this.client, this.target, new LinkShaper(configs.up, rng, startedAt), this.context.up, now, maxHeldBytes),
      new Link(this.target, this.client, new LinkShaper(configs.down, rng, startedAt), this.context.down, now, maxHeldBytes),
    ];
    this.client.resume();
    this.scheduleDrop();
  }

  private teardown(): void {
    this.destroyed = true;
    this.clearDropTimer();
    for (const link of this.links) link.close();
  }

  private clearDropTimer(): void {
    if (this.dropTimer !== null) {
      clearTimeout(this.dropTimer);
      this.dropTimer = null;
    }
  }
}
