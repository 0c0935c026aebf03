import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import {
  type Direction,
  type DirectionSelector,
  describeConditions,
  formatBytes,
  type LinkConditions,
  mergeConditions,
  NetsimConfigError,
  NO_CONDITIONS,
  netsimPreset,
  parseBandwidth,
  parseDropWindow,
  parseDuration,
  presetNames,
} from "./conditions.js";
import { createNetsim, type HostPort, type Netsim, type NetsimStats } from "./netsim.js";

export interface NetsimCliOptions {
  listen: HostPort;
  target: HostPort;
  up: LinkConditions;
  down: LinkConditions;
  seed: number;
  allowRemote: boolean;
  /** How often the stats line is refreshed; 0 = never. */
  statsIntervalMs: number;
  help: boolean;
}

/** One flag per condition; each also exists as --up-<flag> and --down-<flag>. */
const CONDITION_FLAGS: Readonly<Record<string, (value: string) => Partial<LinkConditions>>> = {
  latency: (value) => ({ latencyMs: parseDuration(value) }),
  jitter: (value) => ({ jitterMs: parseDuration(value) }),
  bandwidth: (value) => ({ bandwidthBytesPerSec: parseBandwidth(value) }),
  "stall-every": (value) => ({ stallEveryMs: parseDuration(value) }),
  "stall-for": (value) => ({ stallForMs: parseDuration(value) }),
  "drop-after": (value) => ({ dropAfterMs: parseDropWindow(value) }),
};
const DEFAULT_LISTEN: HostPort = { host: "127.0.0.1", port: 9000 };
const DEFAULT_STATS_INTERVAL_MS = 1_000;

export const NETSIM_USAGE = `Usage: tickwire-netsim --target HOST:PORT [options]

A TCP proxy (transparent to WebSocket) that adds latency, jitter, bandwidth caps,
stalls and drops between a game client and its server.

  --listen HOST:PORT      where to accept connections (default 127.0.0.1:9000)
  --target HOST:PORT      the server to forward to (loopback only unless --allow-remote)
  --preset NAME           start from a preset: ${presetNames().join(", ")}
  --latency MS            one-way delay added to each direction (e.g. 100, 100ms, 0.1s)
  --jitter MS             ± variation of that delay; never reorders bytes
  --bandwidth RATE        cap per direction per connection: 64kbit, 1.6mbit, 512KiB, off
  --stall-every MS        freeze the link periodically ...
  --stall-for MS          ... for this long (must be shorter than --stall-every)
  --drop-after MS[-MS]    reset each connection this long after it opens (random in a range)
  --up-<flag>, --down-<flag>   any of the six above for one direction only
                          (up = client → server, down = server → client)
  --seed N                seed for jitter and drop times (default 1)
  --stats-interval MS     refresh of the stats line (default 1000, 0 = off)
  --allow-remote          allow a target that is not this machine
  -h, --help              this text

On a terminal, type commands while it runs (\`help\` lists them).`;

export const NETSIM_COMMANDS_HELP = `Commands (prefix with "up" or "down" to change one direction only):
  preset NAME             switch both directions to a preset (${presetNames().join(", ")})
  latency MS | jitter MS | bandwidth RATE
  stall EVERY FOR | stall off
  drop-after MS[-MS] | drop-after off
  drop                    drop every open connection now
  show                    current conditions and counters
  quit                    close everything and exit`;

function parseHostPort(text: string, flag: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new NetsimConfigError(`--${flag} needs HOST:PORT, got "${text}"`);
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

/** Parses the command line; throws NetsimConfigError on anything it does not understand. */
export function parseNetsimArgs(argv: readonly string[]): NetsimCliOptions {
  const conditionOptions: Record<string, { type: "string" }> = {};
  for (const flag of Object.keys(CONDITION_FLAGS)) {
    for (const prefix of ["", "up-", "down-"]) conditionOptions[prefix + flag] = { type: "string" };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...conditionOptions,
        listen: { type: "string" },
        target: { type: "string" },
        preset: { type: "string" },
        seed: { type: "string" },
        "stats-interval": { type: "string" },
        "allow-remote": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new NetsimConfigError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => values[name] as string | undefined;
  const help = values.help === true;
  const targetText = text("target");
  if (targetText === undefined && !help) throw new NetsimConfigError("--target HOST:PORT is required");

  const preset = text("preset") === undefined ? null : netsimPreset(text("preset")!);
  let up = preset?.up ?? NO_CONDITIONS;
  let down = preset?.down ?? NO_CONDITIONS;
  // Both-direction flags first, so --up-x / --down-x override them whatever their order.
  for (const prefix of ["", "up-", "down-"]) {
    for (const [flag, parse] of Object.entries(CONDITION_FLAGS)) {
      const value = text(prefix + flag);
      if (value === undefined) continue;
      const change = parse(value);
      if (prefix !== "down-") up = { ...up, ...change };
      if (prefix !== "up-") down = { ...down, ...change };
    }
  }
  const seed = Number(text("seed") ?? 1);
  if (!Number.isInteger(seed)) throw new NetsimConfigError(`--seed needs an integer, got "${text("seed")}"`);
  const statsText = text("stats-interval");
  return {
    listen: text("listen") === undefined ? DEFAULT_LISTEN : parseHostPort(text("listen")!, "listen"),
    target: targetText === undefined ? { host: "", port: 0 } : parseHostPort(targetText, "target"),
    up: mergeConditions(NO_CONDITIONS, up),
    down: mergeConditions(NO_CONDITIONS, down),
    seed,
    allowRemote: values["allow-remote"] === true,
    statsIntervalMs: statsText === undefined ? DEFAULT_STATS_INTERVAL_MS : parseDuration(statsText),
    help,
  };
}

export interface CommandResult {
  ok: boolean;
  message: string;
}

/** Conditions of both directions and the counters, as lines for a terminal. */
export function describeNetsim(netsim: Netsim): string {
  const { up, down } = netsim.conditions;
  const stats = netsim.stats;
  return [
    `up   (client → server): ${describeConditions(up)}`,
    `down (server → client): ${describeConditions(down)}`,
    `connections: ${stats.open} open, ${stats.accepted} accepted, ${stats.drops} dropped, ${stats.targetFailures} target failures`,
    `bytes: up ${formatBytes(stats.up.bytesOut)}, down ${formatBytes(stats.down.bytesOut)}`,
  ].join("\n");
}

/**
 * Runs one stdin command against a running simulator. Bad input is answered with
 * ok=false and a message; it never throws.
 */
export function applyNetsimCommand(netsim: Netsim, line: string): CommandResult {
  const words = line.trim().split(/\s+/).filter(Boolean);
  let direction: DirectionSelector = "both";
  if (words[0] === "up" || words[0] === "down") direction = words.shift() as Direction;
  const [command = "", ...args] = words;
  const arg = (index: number, usage: string) => {
    const value = args[index];
    if (value === undefined) throw new NetsimConfigError(`usage: ${usage}`);
    return value;
  };
  try {
    switch (command) {
      case "":
        return { ok: true, message: "" };
      case "help":
        return { ok: true, message: NETSIM_COMMANDS_HELP };
      case "show":
        return { ok: true, message: describeNetsim(netsim) };
      case "drop":
        return { ok: true, message: `dropped ${netsim.dropAll()} connection(s)` };
      case "preset": {
        const preset = netsimPreset(arg(0, "preset NAME"));
        if (direction !== "down") netsim.set("up", preset.up);
        if (direction !== "up") netsim.set("down", preset.down);
        return { ok: true, message: describeNetsim(netsim) };
      }
      case "stall": {
        const every = arg(0, "stall EVERY FOR | stall off");
        const stallFor = every === "off" ? 0 : parseDuration(arg(1, "stall EVERY FOR"));
        netsim.set(direction, { stallEveryMs: every === "off" ? 0 : parseDuration(every), stallForMs: stallFor });
        return { ok: true, message: describeNetsim(netsim) };
      }
      default: {
        const parse = CONDITION_FLAGS[command];
        if (parse === undefined) {
          throw new NetsimConfigError(`unknown command "${command}" (type help)`);
        }
        netsim.set(direction, parse(arg(0, `${command} VALUE`)));
        return { ok: true, message: describeNetsim(netsim) };
      }
    }
  } catch (error) {
    if (error instanceof NetsimConfigError) return { ok: false, message: error.message };
    throw error;
  }
}

/** The one-line live view: connections and per-direction throughput since the last line. */
export function formatStatsLine(current: NetsimStats, previous: NetsimStats, elapsedMs: number): string {
  const rate = (now: number, before: number) => `${formatBytes(((now - before) * 1_000) / Math.max(1, elapsedMs))}/s`;
  return [
    `conns ${current.open} open / ${current.accepted} total / ${current.drops} dropped`,
    `up ${rate(current.up.bytesOut, previous.up.bytesOut)} held ${formatBytes(current.up.heldBytes)}`,
    `down ${rate(current.down.bytesOut, previous.down.bytesOut)} held ${formatBytes(current.down.heldBytes)}`,
  ].join(" │ ");
}

export interface CliIo {
  /** Commands are read from it only when it and stdout are terminals. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopRequested: Promise<unknown>;
}

/** ANSI: move up a line, clear it; save/restore the cursor around it. */
const SAVE_CURSOR = "\x1b7";
const RESTORE_CURSOR = "\x1b8";
const UP_AND_CLEAR = "\x1b[1A\r\x1b[2K";

/** Runs the simulator until stopped; returns the process exit code. */
export async function runNetsimCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: NetsimCliOptions;
  try {
    options = parseNetsimArgs(argv);
  } catch (error) {
    if (!(error instanceof NetsimConfigError)) throw error;
    io.stderr.write(`tickwire-netsim: ${error.message}\n\n${NETSIM_USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${NETSIM_USAGE}\n`);
    return 0;
  }
  let netsim: Netsim;
  try {
    netsim = await createNetsim(options);
  } catch (error) {
    io.stderr.write(`tickwire-netsim: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`tickwire-netsim: ${netsim.host}:${netsim.port} → ${options.target.host}:${options.target.port}\n`);
  io.stdout.write(`${describeNetsim(netsim)}\n`);

  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;
  let previous = netsim.stats;
  let previousAt = performance.now();
  const nextStatsLine = () => {
    const current = netsim.stats;
    const now = performance.now();
    const line = formatStatsLine(current, previous, now - previousAt);
    previous = current;
    previousAt = now;
    return line;
  };

  let quit: () => void = () => {};
  const quitRequested = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const prompt = interactive ? createInterface({ input: io.stdin, output: io.stdout, prompt: "netsim> " }) : null;
  if (prompt) {
    io.stdout.write(`${NETSIM_COMMANDS_HELP}\n${nextStatsLine()}\n`);
    prompt.prompt();
    prompt.on("line", (line) => {
      if (/^\s*(quit|exit)\s*$/.test(line)) {
        quit();
        return;
      }
      const result = applyNetsimCommand(netsim, line);
      if (result.message) io.stdout.write(`${result.ok ? "" : "error: "}${result.message}\n`);
      io.stdout.write(`${nextStatsLine()}\n`);
      prompt.prompt();
    });
    // Without a listener readline would only pause on Ctrl-C.
    prompt.on("SIGINT", () => quit());
    prompt.on("close", () => quit());
  }
  const statsTimer =
    options.statsIntervalMs > 0
      ? setInterval(() => {
          // Interactive: rewrite the stats line that sits just above the prompt.
          if (prompt) io.stdout.write(`${SAVE_CURSOR}${UP_AND_CLEAR}${nextStatsLine()}${RESTORE_CURSOR}`);
          else io.stdout.write(`${nextStatsLine()}\n`);
        }, options.statsIntervalMs)
      : null;

  await Promise.race([quitRequested, io.stopRequested]);
  if (statsTimer) clearInterval(statsTimer);
  prompt?.close();
  await netsim.close();
  io.stdout.write(`\n${describeNetsim(netsim)}\n`);
  return 0;
}
