import { type MergedSample, mergeSamples, Timeline } from "./aggregate.js";
import { type Behavior, checkBehavior, loadBehavior } from "./behavior.js";
import { SAMPLE_INTERVAL_MS } from "./constants.js";
import { type BotGame, checkBotGame, DEFAULT_BOT_GAME, loadBotGame } from "./game.js";
import { type GroupConfig, type GroupRuntime, threadRuntime } from "./group.js";
import type { GroupResult } from "./metrics.js";
import { resolveSwarmConfig, type SwarmConfig, type SwarmOptions } from "./options.js";
import { writeSwarmReport } from "./report.js";
import { buildSwarmResult, type SwarmResult } from "./result.js";
import { resolveWorldUrl } from "./target.js";
import { type GroupHandle, startInlineGroup, startWorkerGroup } from "./workers.js";

async function loadGame(config: SwarmConfig): Promise<BotGame> {
  if (config.game === null) return DEFAULT_BOT_GAME;
  if (typeof config.game === "string") return loadBotGame(config.game, config.cwd);
  return checkBotGame(config.game, "options.game");
}

async function loadSwarmBehavior(config: SwarmConfig, game: BotGame): Promise<Behavior> {
  if (typeof config.behavior !== "string") return checkBehavior(config.behavior, "options.behavior");
  return loadBehavior(config.behavior, { cwd: config.cwd, gameBehaviors: game.behaviors });
}

/** Starts every group; if one fails to start, the others are stopped and the error is thrown. */
async function startGroups(config: SwarmConfig, runtime: GroupRuntime): Promise<GroupHandle[]> {
  const groupConfig = (groupIndex: number): GroupConfig => ({
    groupIndex,
    groupCount: config.workers,
    bots: config.bots,
    rampPerSec: config.rampPerSec,
    url: config.url,
    allowRemote: config.allowRemote,
    seed: config.seed,
    light: config.light,
    inputTiming: config.inputTiming,
    behavior: typeof config.behavior === "string" ? config.behavior : config.behavior.name,
    game: typeof config.game === "string" ? config.game : null,
    netsim: config.netsim,
    cwd: config.cwd,
    namePrefix: config.namePrefix,
    spreadSources: config.spreadSources,
  });
  if (config.workers === 1) return [await startInlineGroup(groupConfig(0), runtime)];
  const started = await Promise.allSettled(Array.from({ length: config.workers }, (_, i) => startWorkerGroup(groupConfig(i))));
  const handles = started.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(handles.map((handle) => handle.dispose()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return handles;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, runtime: GroupRuntime, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      runtime.timers.clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = runtime.timers.setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs a bot swarm against a tickwire server and returns what it measured. Bots start on
 * the ramp, play their behaviour until the duration is over (or `signal` aborts), then
 * close cleanly; with `reportDir` it also writes report.json and report.html.
 *
 * Throws SwarmConfigError (bad options), TargetError (a non-loopback target without
 * allowRemote, or matchmaking that fails), GameModuleError / BehaviorError (a module that
 * does not load) and WorkerFailedError (a worker thread that dies).
 */
export async function runSwarm(options: SwarmOptions): Promise<SwarmResult> {
  const config = resolveSwarmConfig(options);
  const runtime: GroupRuntime = { ...threadRuntime(), ...options.runtime, lookup: options.lookup, fetch: options.fetch };
  const worldUrl = await resolveWorldUrl(config.url, { allowRemote: config.allowRemote, lookup: options.lookup, fetch: options.fetch });
  const game = await loadGame(config);
  const behavior = await loadSwarmBehavior(config, game);
  const light = config.light || game.schema === undefined;
  const handles = await startGroups({ ...config, light }, { ...runtime, game, behavior });

  const timeline = new Timeline();
  let lastSample: MergedSample | null = null;
  let peakConnected = 0;
  let measuredSec = 0;
  let groups: GroupResult[];
  const startedAt = new Date();
  const origin = runtime.now();
  const elapsed = () => (runtime.now() - origin) / 1000;
  try {
    for (const handle of handles) handle.start();
    for (let index = 1; ; index++) {
      const next = Math.min(index * SAMPLE_INTERVAL_MS, config.durationSec * 1000);
      await pause(origin + next - runtime.now(), runtime, options.signal);
      const sample = mergeSamples(await Promise.all(handles.map((handle) => handle.sample())));
      const progress = timeline.add(elapsed(), sample, config.bots);
      lastSample = sample;
      measuredSec = progress.elapsedSec;
      peakConnected = Math.max(peakConnected, sample.connected);
      options.onProgress?.(progress);
      if (options.signal?.aborted || next >= config.durationSec * 1000) break;
    }
    groups = await Promise.all(handles.map((handle) => handle.finish()));
  } finally {
    await Promise.all(handles.map((handle) => handle.dispose()));
  }
  const result = buildSwarmResult({
    config: {
      url: config.url,
      worldUrl,
      bots: config.bots,
      rampPerSec: config.rampPerSec,
      durationSec: config.durationSec,
      behavior: behavior.name,
      game: typeof config.game === "string" ? config.game : config.game === null ? null : "(object)",
      mode: light ? "light" : "full",
      prediction: !light && game.predict !== undefined,
      workers: config.workers,
      seed: config.seed,
      netsim: config.netsim,
    },
    startedAt,
    elapsedSec: measuredSec,
    stoppedEarly: options.signal?.aborted === true,
    groups,
    timeline: timeline.points,
    timelineStride: timeline.stride,
    lastSample,
    peakConnected,
  });
  if (config.reportDir !== null) await writeSwarmReport(config.reportDir, result);
  return result;
}
