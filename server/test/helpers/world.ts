import type { Schema } from "@tickwire/engine";
import { type AnyGame, resolveLimits, type ServerLimits, ServerMetrics, silentLogger, World } from "@tickwire/server";

/** A World driven by hand: a fake clock, no timer, no sockets (use FakeClient). */
export interface ManualWorld<S extends Schema> {
  readonly world: World<S>;
  readonly metrics: ServerMetrics;
  /** The fake clock's time in ms. */
  now: number;
  /** Advances the clock by one tick interval and runs a tick. */
  tick(count?: number): void;
}

export function manualWorld<S extends Schema>(game: AnyGame, limits: Partial<ServerLimits> = {}): ManualWorld<S> {
  const metrics = new ServerMetrics({ defaultMetrics: false });
  const state = { now: 0 };
  const world = new World<S>({
    id: "main",
    game,
    clock: () => state.now,
    logger: silentLogger(),
    metrics,
    limits: resolveLimits(limits),
  });
  return {
    world,
    metrics,
    get now() {
      return state.now;
    },
    set now(value: number) {
      state.now = value;
    },
    tick(count = 1) {
      for (let i = 0; i < count; i++) {
        state.now += world.tickMs;
        world.runTick();
      }
    },
  };
}
