/** What the parts of a running server share: its resolved options, its worlds, and whether it is shutting down. */
import type { MessageBus } from "./bus/bus.js";
import type { Clock } from "./clock.js";
import type { Cluster } from "./cluster.js";
import type { AuthHook, IpCounter, RefusalLimiter } from "./handshake.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
import type { Outage } from "./outage.js";
import type { PlayerPersistence } from "./persistence/world-persistence.js";
import type { WorldRegistry } from "./registry/registry.js";
import type { World } from "./world.js";

export interface ServerContext {
  readonly limits: ServerLimits;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: ServerMetrics;
  readonly registry: WorldRegistry;
  readonly worlds: ReadonlyMap<string, World>;
  /** Loads and saves the players of games with `persist`; undefined when no game persists. */
  readonly persistence: PlayerPersistence | undefined;
  readonly ipCounter: IpCounter;
  readonly refusalLimiter: RefusalLimiter;
  readonly auth: AuthHook | undefined;
  readonly origins: readonly string[] | undefined;
  /** Base ws URL listed for this process's worlds; set at listen when a shared registry needs one. */
  publicUrl: string | undefined;
  /** Names this process in population reports, lease holders and the worlds it opens. */
  readonly processId: string;
  readonly bus: MessageBus;
  readonly cluster: Cluster;
  /** Heartbeats failing: the registry is unreachable (for /healthz). */
  readonly registryOutage: Outage;
  /** Admin API bearer token; undefined turns the API off. */
  readonly adminToken: string | undefined;
  /** Starts a drain (answering at once); set by createServer. */
  drain: () => Promise<void>;
  /** Set once close() or drain() starts: no upgrade, preflight or matchmaking succeeds after it. */
  shuttingDown: boolean;
}
