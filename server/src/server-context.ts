/** What the parts of a running server share: its resolved options, its worlds, and whether it is shutting down. */
import type { Clock } from "./clock.js";
import type { AuthHook, IpCounter, RefusalLimiter } from "./handshake.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
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
  readonly publicUrl: string | undefined;
  /** Set once close() starts: no upgrade, preflight or matchmaking succeeds after it. */
  shuttingDown: boolean;
}
