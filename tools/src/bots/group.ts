import type { Timers } from "@tickwire/client";
import { createNetsim, type Netsim } from "../netsim/netsim.js";
import { netsimPreset } from "../netsim/conditions.js";
import { type Behavior, loadBehavior } from "./behavior.js";
import { Bot } from "./bot.js";
import { BOTS_PER_SOURCE_ADDRESS, CLOSE_GRACE_MS } from "./constants.js";
import { type BotGame, DEFAULT_BOT_GAME, loadBotGame } from "./game.js";
import { addTotals, emptyTotals, GroupRecorder, type GroupResult, type GroupSample } from "./metrics.js";
import { isIpv4Loopback, type Lookup, resolveWorldUrl, sourceAddressFor, systemLookup } from "./target.js";

/** What a group of bots runs: plain data, so it can be posted to a worker thread. */
export interface GroupConfig {
  /** This group runs the bots whose index ≡ groupIndex (mod groupCount). */
  groupIndex: number;
  groupCount: number;
  /** Bots in the whole swarm. */
  bots: number;
  /** Bots started per second across the swarm; bot i starts i / rampPerSec seconds in. */
  rampPerSec: number;
  /** World WebSocket URL or http(s) matchmaking endpoint (asked once per bot). */
  url: string;
  allowRemote: boolean;
  seed: number;
  light: boolean;
  inputTiming: "aligned" | "free";
  /** A behaviour name or module spec (`./file.js#name`). */
  behavior: string;
  /** A game module spec, or null for DEFAULT_BOT_GAME. */
  game: string | null;
  /** Netsim preset the bots connect through (one in-process proxy per target per group), or null. */
  netsim: string | null;
  /** Module specs resolve against this directory. */
  cwd: string;
  /** Bot i is named `${namePrefix}${i}`. */
  namePrefix: string;
  /** Spread bots over 127.1.0.0/16 source addresses when the target is an IPv4 loopback address. */
  spreadSources: boolean;
}

/** What the group needs from its thread: a clock and timers, DNS and HTTP; objects the main thread may pass directly. */
export interface GroupRuntime {
  now: () => number;
  timers: Timers;
  lookup?: Lookup;
  fetch?: typeof fetch;
  /** Used instead of loading `config.game` / `config.behavior` (main thread only: functions cannot cross threads). */
  game?: BotGame;
  behavior?: Behavior;
}

/** Caches lookups per host name: thousands of bots resolve the same name. */
function cachedLookup(lookup: Lookup): Lookup {
  const cache = new Map<string, Promise<string[]>>();
  return (hostname) => {
    let addresses = cache.get(hostname);
    if (addresses === undefined) {
      addresses = lookup(hostname);
      cache.set(hostname, addresses);
    }
    return addresses;
  };
}

/**
 * A share of the swarm in one thread: starts its bots on the ramp schedule, samples them
 * for the timeline, and at the end stops them cleanly and reports what they measured.
 */
export class BotGroup {
  readonly recorder = new GroupRecorder();
  private readonly bots: Bot[] = [];
  private readonly starting = new Set<Promise<void>>();
  private readonly netsims = new Map<string, Promise<Netsim>>();
  private readonly lookup: Lookup;
  private nextIndex: number;
  private startedAt = 0;
  private rampTimer: unknown = null;
  private stopped = false;
  private attempted = 0;

  private constructor(
    private readonly config: GroupConfig,
    private readonly runtime: GroupRuntime,
    private readonly game: BotGame,
    private readonly behavior: Behavior,
  ) {
    this.nextIndex = config.groupIndex;
    this.lookup = cachedLookup(runtime.lookup ?? systemLookup);
  }

  /** Loads the game and behaviour modules; throws (GameModuleError, BehaviorError) before any bot starts. */
  static async create(config: GroupConfig, runtime: GroupRuntime): Promise<BotGroup> {
    const game = runtime.game ?? (config.game === null ? DEFAULT_BOT_GAME : await loadBotGame(config.game, config.cwd));
    const behavior = runtime.behavior ?? (await loadBehavior(config.behavior, { cwd: config.cwd, gameBehaviors: game.behaviors }));
    if (config.netsim !== null) netsimPreset(config.netsim);
    return new BotGroup(config, runtime, game, behavior);
  }

  /** Starts the ramp: this group's bots at their scheduled times. */
  start(): void {
    this.startedAt = this.runtime.now();
    this.ramp();
  }

  sample(): GroupSample {
    let connected = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    for (const bot of this.bots) {
      if (bot.connected) connected++;
      bytesIn += bot.totals.bytesIn;
      bytesOut += bot.totals.bytesOut;
    }
    const recorder = this.recorder;
    return {
      started: this.attempted,
      connected,
      bytesIn,
      bytesOut,
      disconnects: recorder.disconnects.total,
      connectFailures: recorder.connectFailures.total,
      errors: recorder.errors.total,
      ackInterval: recorder.takeAckInterval(),
    };
  }

  /** Stops the ramp and every bot (close 1000, waiting up to CLOSE_GRACE_MS), closes the netsims, and reports. */
  async finish(): Promise<GroupResult> {
    this.stopped = true;
    if (this.rampTimer !== null) this.runtime.timers.clearTimeout(this.rampTimer);
    this.rampTimer = null;
    await Promise.all(this.starting);
    let graceTimer: unknown = null;
    const grace = new Promise<void>((resolve) => {
      graceTimer = this.runtime.timers.setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.all(this.bots.map((bot) => bot.stop())), grace]);
    this.runtime.timers.clearTimeout(graceTimer);
    for (const netsim of this.netsims.values()) await (await netsim.catch(() => null))?.close();
    const totals = emptyTotals();
    for (const bot of this.bots) addTotals(totals, bot.syncTotals());
    const recorder = this.recorder;
    return {
      histograms: recorder.encodeHistograms(),
      totals,
      disconnects: recorder.disconnects.toJSON(),
      connectFailures: recorder.connectFailures.toJSON(),
      errors: recorder.errors.toJSON(),
      bots: this.bots.map((bot) => bot.summary()),
    };
  }

  private dueAt(index: number): number {
    return this.startedAt + (index * 1000) / this.config.rampPerSec;
  }

  private ramp(): void {
    this.rampTimer = null;
    if (this.stopped) return;
    const now = this.runtime.now();
    const { bots, groupCount } = this.config;
    while (this.nextIndex < bots && this.dueAt(this.nextIndex) <= now) {
      this.launch(this.nextIndex);
      this.nextIndex += groupCount;
    }
    if (this.nextIndex < bots) {
      this.rampTimer = this.runtime.timers.setTimeout(() => this.ramp(), Math.max(0, this.dueAt(this.nextIndex) - now));
    }
  }

  private launch(index: number): void {
    this.attempted++;
    const starting = this.startBot(index).catch((error: unknown) => {
      this.recorder.connectFailures.add(`not started: ${(error as Error).message}`);
    });
    this.starting.add(starting);
    starting.finally(() => this.starting.delete(starting));
  }

  private async startBot(index: number): Promise<void> {
    const { config, runtime } = this;
    let url = await resolveWorldUrl(config.url, { allowRemote: config.allowRemote, lookup: this.lookup, fetch: runtime.fetch });
    if (config.netsim !== null) url = await this.throughNetsim(url, config.netsim);
    if (this.stopped) return;
    const localAddress =
      config.spreadSources && config.netsim === null && isIpv4Loopback(url) ? sourceAddressFor(index, BOTS_PER_SOURCE_ADDRESS) : undefined;
    this.bots.push(
      new Bot({
        index,
        name: `${config.namePrefix}${index}`,
        url,
        game: this.game,
        behavior: this.behavior,
        light: config.light,
        inputTiming: config.inputTiming,
        seed: config.seed,
        localAddress,
        recorder: this.recorder,
        now: runtime.now,
        timers: runtime.timers,
      }),
    );
  }

  /** The same world URL, through this group's netsim for that server (started on first use). */
  private async throughNetsim(worldUrl: string, presetName: string): Promise<string> {
    const url = new URL(worldUrl);
    const port = Number(url.port || (url.protocol === "wss:" ? 443 : 80));
    const key = `${url.hostname}:${port}`;
    let netsim = this.netsims.get(key);
    if (netsim === undefined) {
      const preset = netsimPreset(presetName);
      netsim = createNetsim({
        target: { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port },
        up: preset.up,
        down: preset.down,
        seed: this.config.seed + this.config.groupIndex,
        allowRemote: this.config.allowRemote,
      });
      this.netsims.set(key, netsim);
    }
    const proxy = await netsim;
    url.hostname = proxy.host;
    url.port = String(proxy.port);
    return url.href;
  }
}

/** The current thread's clock and timers. */
export function threadRuntime(): GroupRuntime {
  return {
    now: () => performance.now(),
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  };
}
