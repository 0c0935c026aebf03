/**
 * Runs game code so that nothing it does stops a tick or another player: a throw, or the
 * rejection of a handler that returned a promise, is logged and counted
 * (`tickwire_handler_errors_total`), never propagated. Also what /healthz needs: whether
 * every tick lately had a handler fail.
 */
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

export class HandlerGuard {
  /** Failures counted for the tick in progress (while `inTick`). */
  inTick = false;
  tickFailures = 0;
  /** The handler that failed last during a tick. */
  failingHandler = "";

  constructor(
    private readonly worldId: string,
    private readonly metrics: ServerMetrics,
    private readonly logger: Logger,
  ) {}

  /** Runs game code; returns true when it threw. */
  invoke(handler: string, run: () => unknown): boolean {
    try {
      this.guardAsync(handler, run());
      return false;
    } catch (error) {
      this.threw(handler, error);
      return true;
    }
  }

  /** An async handler's rejection is a throw that came late: logged and counted like one. */
  guardAsync(handler: string, result: unknown): void {
    if (isThenable(result)) result.then(undefined, (error: unknown) => this.threw(handler, error));
  }

  threw(handler: string, error: unknown): void {
    if (this.inTick) {
      this.tickFailures++;
      this.failingHandler = handler;
    }
    this.metrics.handlerErrors.inc({ world: this.worldId, handler });
    this.logger.error({ err: error, handler }, "game handler threw");
  }
}
