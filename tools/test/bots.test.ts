import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineInput, defineSchema, inputField, Rng, t } from "@tickwire/engine";
import { NO_INPUT_ACK, nextSeq, seqDiff } from "@tickwire/engine/wire";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackHost } from "../src/netsim/loopback.js";
import { AckTracker } from "../src/bots/ack-tracker.js";
import { mergeSamples, Timeline } from "../src/bots/aggregate.js";
import { type BotView, defineBehavior, idle, loadBehavior, WANDER_TURN_SECONDS, wander } from "../src/bots/behavior.js";
import { BOTS_EXIT, parseBotsArgs, parseSeconds, runBotsCli } from "../src/bots/cli.js";
import { ACK_WINDOW, MAX_REASON_KEYS } from "../src/bots/constants.js";
import { formatProgress, ProgressPrinter } from "../src/bots/format.js";
import { checkBotGame, DEFAULT_BOT_GAME, GameModuleError } from "../src/bots/game.js";
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  histogramBuckets,
  summarize,
  toMicros,
} from "../src/bots/histogram.js";
import { type GroupSample, OTHER_REASON, ReasonCounter } from "../src/bots/metrics.js";
import { resolveSwarmConfig, SwarmConfigError, type SwarmProgress } from "../src/bots/options.js";
import type { SwarmResult } from "../src/bots/result.js";
import { frameOverheadBytes } from "../src/bots/socket.js";
import { assertLoopbackUrl, type Lookup, resolveWorldUrl, sourceAddressFor, TargetError } from "../src/bots/target.js";
import { checkThresholds } from "../src/bots/thresholds.js";

const loopbackOnly: Lookup = async () => ["127.0.0.1", "::1"];

describe("AckTracker", () => {
  it("measures each input from its send to the first snapshot whose ackSeq reaches it; one ack can cover several", () => {
    const acks = new AckTracker();
    const latencies: number[] = [];
    acks.sent(10, 1000);
    acks.sent(11, 1050);
    acks.sent(12, 1100);
    acks.ack(11, 1120, (ms) => latencies.push(ms));
    expect(latencies).toEqual([120, 70]);
    acks.ack(11, 1170, (ms) => latencies.push(ms));
    expect(latencies).toEqual([120, 70]);
    acks.ack(12, 1180, (ms) => latencies.push(ms));
    expect(latencies).toEqual([120, 70, 80]);
    expect(acks.acked).toBe(3);
    expect(acks.pending).toBe(0);
  });

  it("is wrap-aware: seqs 65534, 65535, 0, 1 are acknowledged in order across the wrap", () => {
    const acks = new AckTracker();
    const latencies: number[] = [];
    for (const [i, seq] of [65534, 65535, 0, 1].entries()) acks.sent(seq, i * 50);
    acks.ack(65535, 200, (ms) => latencies.push(ms));
    expect(latencies).toEqual([200, 150]);
    acks.ack(0, 210, (ms) => latencies.push(ms));
    acks.ack(1, 220, (ms) => latencies.push(ms));
    expect(latencies).toEqual([200, 150, 110, 70]);
    expect(acks.pending).toBe(0);
  });

  it("ignores NO_INPUT_ACK, acks older than every pending input, and acks past the newest input sent", () => {
    const acks = new AckTracker();
    const latencies: number[] = [];
    acks.sent(100, 0);
    acks.ack(NO_INPUT_ACK, 10, (ms) => latencies.push(ms));
    acks.ack(99, 20, (ms) => latencies.push(ms));
    expect(latencies).toEqual([]);
    // An ack beyond the newest input (a stale ack before a wrap, say) covers only what was sent.
    acks.ack(5000, 30, (ms) => latencies.push(ms));
    expect(latencies).toEqual([30]);
    acks.sent(101, 40);
    acks.ack(101, 45, (ms) => latencies.push(ms));
    expect(latencies).toEqual([30, 5]);
  });

  it(`counts an input still unacknowledged ${ACK_WINDOW} inputs later as lost, and pending inputs as lost on reset`, () => {
    const acks = new AckTracker();
    for (let seq = 0; seq < ACK_WINDOW + 3; seq++) acks.sent(seq, seq);
    expect(acks.lost).toBe(3);
    expect(acks.pending).toBe(ACK_WINDOW);
    acks.reset();
    expect(acks.lost).toBe(3 + ACK_WINDOW);
    expect(acks.pending).toBe(0);
  });

  it("property: each ack measures exactly the pending inputs at or before its seq, once, against their own send times", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.record({ sends: fc.integer({ min: 0, max: 5 }), ackBack: fc.integer({ min: 0, max: 6 }) }), { maxLength: 120 }),
        (start, steps) => {
          const acks = new AckTracker();
          // Reference model: the inputs not yet acknowledged, oldest first.
          let pending: { seq: number; at: number }[] = [];
          let seq = start;
          let now = 0;
          let sent = 0;
          let newest = -1;
          for (const step of steps) {
            for (let i = 0; i < step.sends; i++) {
              now += 1;
              acks.sent(seq, now);
              pending.push({ seq, at: now });
              newest = seq;
              seq = nextSeq(seq);
              sent++;
            }
            if (newest < 0) continue;
            now += 1;
            const ackSeq = (newest - step.ackBack + 0x10000) & 0xffff;
            const measured: number[] = [];
            acks.ack(ackSeq, now, (ms) => measured.push(ms));
            const covered = pending.filter((input) => seqDiff(ackSeq, input.seq) >= 0);
            pending = pending.filter((input) => seqDiff(ackSeq, input.seq) < 0);
            expect(measured).toEqual(covered.map((input) => now - input.at));
          }
          expect(acks.pending).toBe(pending.length);
          expect(acks.acked + acks.lost + acks.pending).toBe(sent);
        },
      ),
    );
  });
});

describe("socket helpers", () => {
  it("frame overhead is 2, 4 or 10 header bytes by payload size, plus a 4-byte mask on client frames (edges 125/126, 65535/65536)", () => {
    expect(frameOverheadBytes(0, false)).toBe(2);
    expect(frameOverheadBytes(125, false)).toBe(2);
    expect(frameOverheadBytes(126, false)).toBe(4);
    expect(frameOverheadBytes(65_535, false)).toBe(4);
    expect(frameOverheadBytes(65_536, false)).toBe(10);
    expect(frameOverheadBytes(125, true)).toBe(6);
    expect(frameOverheadBytes(126, true)).toBe(8);
    expect(frameOverheadBytes(65_536, true)).toBe(14);
  });
});

function viewFor(tickRate: number): BotView {
  return { index: 0, name: "bot-0", entityId: 1, tickRate, light: true, client: undefined as never, memory: {} };
}

describe("behaviours", () => {
  it("idle sends nothing", () => {
    expect(idle.input(viewFor(20), 0, new Rng(1))).toBeNull();
  });

  it(`wander sends dx, dy in {-1, 0, 1} and turns about every ${WANDER_TURN_SECONDS} s on average`, () => {
    const tickRate = 20;
    let turns = 0;
    let ticks = 0;
    for (let bot = 0; bot < 50; bot++) {
      const view = viewFor(tickRate);
      const rng = new Rng(bot + 1);
      wander.onSpawn?.(view, rng);
      let previous: unknown = null;
      for (let tick = 0; tick < 600; tick++) {
        const move = wander.input(view, tick, rng) as { dx: number; dy: number };
        expect([-1, 0, 1]).toContain(move.dx);
        expect([-1, 0, 1]).toContain(move.dy);
        if (previous !== null && move !== previous) turns++;
        previous = move;
        ticks++;
      }
    }
    const secondsPerTurn = ticks / tickRate / turns;
    expect(secondsPerTurn).toBeGreaterThan(WANDER_TURN_SECONDS * 0.85);
    expect(secondsPerTurn).toBeLessThan(WANDER_TURN_SECONDS * 1.15);
  });

  it("wander repeats exactly for the same seed", () => {
    const run = () => {
      const view = viewFor(20);
      const rng = new Rng(7);
      wander.onSpawn?.(view, rng);
      return Array.from({ length: 200 }, (_, tick) => ({ ...(wander.input(view, tick, rng) as object) }));
    };
    expect(run()).toEqual(run());
  });

  it("defineBehavior refuses a behaviour without a name or an input function, or with a render flag that is not a boolean", () => {
    expect(() => defineBehavior({ name: "", input: () => null })).toThrow(/name/);
    expect(() => defineBehavior({ name: "x", input: 3 } as never)).toThrow(/input/);
    expect(() => defineBehavior({ name: "x", input: () => null, onEvent: "no" } as never)).toThrow(/onEvent/);
    expect(() => defineBehavior({ name: "x", input: () => null, render: "yes" } as never)).toThrow(/render must be a boolean/);
  });

  describe("loadBehavior", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "tickwire-bots-"));
      await writeFile(
        join(dir, "plugins.mjs"),
        [
          'export const fight = { name: "fight", input: () => ({ dx: 1, dy: 0 }) };',
          'export const behaviors = { chat: { name: "chat", input: () => null } };',
          'export default { name: "solo", input: () => ({ dx: 0, dy: 1 }) };',
        ].join("\n"),
      );
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("finds built-ins by name, then the game module's behaviours", async () => {
      expect(await loadBehavior("wander", { cwd: dir })).toBe(wander);
      const guard = defineBehavior({ name: "guard", input: () => null });
      expect(await loadBehavior("guard", { cwd: dir, gameBehaviors: [guard] })).toBe(guard);
      await expect(loadBehavior("dance", { cwd: dir, gameBehaviors: { guard } })).rejects.toThrow(/unknown behaviour "dance".*idle, wander, guard/);
    });

    it("loads a module export (./file#name), a name in its `behaviors`, or its default export, relative to cwd", async () => {
      expect((await loadBehavior("./plugins.mjs#fight", { cwd: dir })).name).toBe("fight");
      expect((await loadBehavior("./plugins.mjs#chat", { cwd: dir })).name).toBe("chat");
      expect((await loadBehavior(join(dir, "plugins.mjs"), { cwd: "/" })).name).toBe("solo");
      await expect(loadBehavior("./plugins.mjs#nothing", { cwd: dir })).rejects.toThrow(/no behaviour "nothing"/);
      await expect(loadBehavior("./missing.mjs#x", { cwd: dir })).rejects.toThrow(/cannot load behaviour module/);
    });
  });
});

describe("game modules", () => {
  const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
  const schema = defineSchema({ dot: { x: t.fixed(1 / 16, { min: 0, max: 100 }) } });

  it("accepts input alone, input with schema, and prediction only with a schema", () => {
    expect(checkBotGame({ input }, "m").schema).toBeUndefined();
    expect(checkBotGame({ input, schema }, "m").schema).toBe(schema);
    const predict = { model: { step() {}, copy() {}, create: () => ({}), error: () => 0 }, fields: ["x"] };
    expect(checkBotGame({ input, schema, predict }, "m").predict).toBe(predict);
    expect(() => checkBotGame({ input, predict }, "m")).toThrow(/predict.*needs.*schema/);
    expect(() => checkBotGame({ schema }, "m")).toThrow(GameModuleError);
    expect(() => checkBotGame({ input, schema: {} }, "m")).toThrow(/schema/);
  });

  it("the default game's input is dx, dy in {-1, 0, 1} and refuses anything else", () => {
    expect(DEFAULT_BOT_GAME.input.encode({ dx: -1, dy: 1 })).toEqual([-1, 1]);
    expect(() => DEFAULT_BOT_GAME.input.encode({ dx: 2, dy: 0 })).toThrow(RangeError);
  });
});

describe("loopback targets", () => {
  it("accepts loopback IP literals and refuses any other address without allowRemote", async () => {
    await expect(assertLoopbackUrl(new URL("ws://127.0.0.1:1/ws"), { allowRemote: false })).resolves.toBeUndefined();
    await expect(assertLoopbackUrl(new URL("ws://127.9.8.7:1/ws"), { allowRemote: false })).resolves.toBeUndefined();
    await expect(assertLoopbackUrl(new URL("ws://[::1]:1/ws"), { allowRemote: false })).resolves.toBeUndefined();
    await expect(assertLoopbackUrl(new URL("ws://10.0.0.1:1/ws"), { allowRemote: false })).rejects.toThrow(/--allow-remote/);
    await expect(assertLoopbackUrl(new URL("ws://[2001:db8::1]:1/ws"), { allowRemote: false })).rejects.toThrow(TargetError);
    await expect(assertLoopbackUrl(new URL("ws://10.0.0.1:1/ws"), { allowRemote: true })).resolves.toBeUndefined();
  });

  it("resolves names (localhost included) and refuses one that resolves to any non-loopback address or not at all", async () => {
    const names: Record<string, string[]> = { localhost: ["127.0.0.1", "::1"], mixed: ["127.0.0.1", "192.0.2.7"] };
    const asked: string[] = [];
    const lookup: Lookup = async (host) => {
      asked.push(host);
      if (!(host in names)) throw new Error("ENOTFOUND");
      return names[host];
    };
    await expect(assertLoopbackUrl(new URL("ws://localhost:1/"), { allowRemote: false, lookup })).resolves.toBeUndefined();
    await expect(assertLoopbackUrl(new URL("ws://mixed:1/"), { allowRemote: false, lookup })).rejects.toThrow(/192\.0\.2\.7/);
    await expect(assertLoopbackUrl(new URL("ws://nowhere:1/"), { allowRemote: false, lookup })).rejects.toThrow(/cannot resolve/);
    expect(asked).toEqual(["localhost", "mixed", "nowhere"]);
  });

  it("asks a matchmaking endpoint for the world URL and checks the URL it hands out too", async () => {
    const answer = (body: unknown, status = 200): typeof fetch =>
      (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;
    const options = { allowRemote: false, lookup: loopbackOnly };
    await expect(
      resolveWorldUrl("http://127.0.0.1:8080/matchmake", { ...options, fetch: answer({ world: "main", url: "ws://127.0.0.1:8080/ws?world=main" }) }),
    ).resolves.toBe("ws://127.0.0.1:8080/ws?world=main");
    await expect(
      resolveWorldUrl("http://127.0.0.1:8080/matchmake", { ...options, fetch: answer({ url: "ws://203.0.113.9:8080/ws?world=main" }) }),
    ).rejects.toThrow(/refusing 203\.0\.113\.9/);
    const unreachable = resolveWorldUrl("http://127.0.0.1:8080/matchmake", { ...options, fetch: answer({ error: "no world" }, 503) });
    await expect(unreachable).rejects.toMatchObject({ kind: "unreachable" });
    await expect(resolveWorldUrl("ftp://127.0.0.1/", options)).rejects.toMatchObject({ kind: "refused" });
  });

  it("spreads bots over loopback source addresses, 50 per address", () => {
    const addresses = Array.from({ length: 2_000 }, (_, i) => sourceAddressFor(i, 50));
    expect(new Set(addresses).size).toBe(40);
    expect(addresses[0]).toBe(addresses[49]);
    expect(addresses[49]).not.toBe(addresses[50]);
    for (const address of addresses) expect(isLoopbackHost(address)).toBe(true);
    expect(addresses).not.toContain("127.0.0.1");
  });
});

describe("histograms", () => {
  it("summaries are in ms and exact to 0.1% at 3 significant digits", () => {
    const histogram = createHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.recordValue(toMicros(ms));
    const summary = summarize(histogram);
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBeCloseTo(500, -0.3);
    expect(Math.abs(summary.p99 - 990) / 990).toBeLessThan(0.001);
    expect(Math.abs(summary.max - 1000) / 1000).toBeLessThan(0.001);
    expect(summary.min).toBe(1);
  });

  it("survive encode/decode, and merged histograms add their counts", () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 0; i < 300; i++) a.recordValue(toMicros(10 + i / 10));
    for (let i = 0; i < 700; i++) b.recordValue(toMicros(40 + i / 10));
    const merged = createHistogram();
    merged.add(decodeHistogram(encodeHistogram(a)));
    merged.add(decodeHistogram(encodeHistogram(b)));
    expect(merged.totalCount).toBe(1000);
    // Merging keeps HDR's resolution: within 0.1% of the true maximum, 109.9 ms.
    expect(Math.abs(summarize(merged).max - 109.9) / 109.9).toBeLessThan(0.001);
    expect(summarize(merged).min).toBeCloseTo(10, 2);
  });

  it("buckets hold every recorded count, from the smallest to the largest value", () => {
    const histogram = createHistogram();
    const rng = new Rng(3);
    for (let i = 0; i < 5_000; i++) histogram.recordValue(toMicros(20 + rng.range(0, 30)));
    const buckets = histogramBuckets(histogram, 40);
    expect(buckets).toHaveLength(40);
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5_000);
    expect(buckets[0].from).toBeGreaterThanOrEqual(19.9);
    expect(buckets[39].to).toBeLessThanOrEqual(50.1);
    expect(histogramBuckets(createHistogram(), 40)).toEqual([]);
  });

  it("a negative or absurd latency is clamped into the histogram's range", () => {
    expect(toMicros(-5)).toBe(0);
    expect(toMicros(Number.NaN)).toBe(0);
    expect(toMicros(10 * 60_000)).toBe(60_000_000);
  });
});

describe("ReasonCounter", () => {
  it(`keeps at most ${MAX_REASON_KEYS} labels, the rest under "${OTHER_REASON}", and the total of all`, () => {
    const counter = new ReasonCounter();
    for (let i = 0; i < 40; i++) counter.add(`reason ${i}`, 2);
    counter.add("reason 0");
    const counts = counter.toJSON();
    expect(Object.keys(counts)).toHaveLength(MAX_REASON_KEYS);
    expect(counts[OTHER_REASON]).toBe(2 * (40 - (MAX_REASON_KEYS - 1)));
    expect(counts["reason 0"]).toBe(3);
    expect(counter.total).toBe(81);
  });
});

function sample(started: number, connected: number, bytesIn: number, latenciesMs: number[]): GroupSample {
  const histogram = createHistogram();
  for (const ms of latenciesMs) histogram.recordValue(toMicros(ms));
  return { started, connected, bytesIn, bytesOut: bytesIn / 10, disconnects: 0, connectFailures: 0, errors: 0, ackInterval: encodeHistogram(histogram) };
}

describe("Timeline", () => {
  it("adds the groups' samples together and makes a point per sample with rates per connected bot", () => {
    const timeline = new Timeline();
    const merged = mergeSamples([sample(5, 4, 4_000, [10, 20]), sample(5, 6, 6_000, [30, 40, 50])]);
    const progress = timeline.add(1, merged, 10);
    expect(progress).toMatchObject({ target: 10, started: 10, connected: 10, bytesInPerSec: 10_000, bytesOutPerSec: 1_000 });
    expect(timeline.points).toHaveLength(2);
    expect(timeline.points[0]).toMatchObject({ t: 0, connected: 0, ackCount: 0 });
    expect(timeline.points[1]).toMatchObject({ t: 1, connected: 10, ackCount: 5, bytesInPerBotPerSec: 1_000 });
    expect(timeline.points[1].ackP50Ms).toBeCloseTo(30, 1);
  });

  it("stays bounded: past its limit it keeps every other point and widens the window of new ones", () => {
    const timeline = new Timeline(8);
    for (let second = 1; second <= 40; second++) timeline.add(second, mergeSamples([sample(1, 1, second * 1000, [second])]), 1);
    expect(timeline.points.length).toBeLessThanOrEqual(8);
    expect(timeline.stride).toBeGreaterThan(1);
    const times = timeline.points.map((point) => point.t);
    expect(times[0]).toBe(0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const last = timeline.points.at(-1)!;
    // A point of several samples holds all of their acks, and its rate covers its whole window.
    expect(last.ackCount).toBe(timeline.stride);
    expect(last.bytesInPerSec).toBeCloseTo(1000, 6);
  });
});

function resultWith(ack: Partial<SwarmResult["latency"]["ack"]>, disconnects: number, failures: number): SwarmResult {
  return {
    latency: { ack: { count: 100, p99: 40, ...ack } },
    disconnects: { total: disconnects, byReason: {} },
    connectFailures: { total: failures, byReason: {} },
  } as unknown as SwarmResult;
}

describe("thresholds", () => {
  it("pass when p99 and disconnects are within their limits, and name each one exceeded", () => {
    expect(checkThresholds(resultWith({}, 0, 0), { maxP99Ms: 40, maxDisconnects: 0 })).toEqual({ passed: true, failures: [] });
    const verdict = checkThresholds(resultWith({ p99: 40.5 }, 1, 2), { maxP99Ms: 40, maxDisconnects: 2 });
    expect(verdict.passed).toBe(false);
    expect(verdict.failures).toHaveLength(2);
    expect(verdict.failures[0]).toMatch(/p99 40.5 ms > 40 ms/);
    expect(verdict.failures[1]).toMatch(/disconnects 3 \(1 dropped, 2 failed to connect\) > 2/);
  });

  it("a latency limit fails when no input was acknowledged at all", () => {
    expect(checkThresholds(resultWith({ count: 0, p99: 0 }, 0, 0), { maxP99Ms: 1000 }).passed).toBe(false);
    expect(checkThresholds(resultWith({ count: 0, p99: 0 }, 0, 0), {}).passed).toBe(true);
  });
});

describe("command line", () => {
  it("parses every flag, with rates like 50/s and durations like 2m", () => {
    const options = parseBotsArgs([
      "--url=ws://127.0.0.1:8080/ws?world=main",
      "--bots",
      "200",
      "--ramp",
      "50/s",
      "--duration",
      "2m",
      "--behavior",
      "./b.js#fight",
      "--game",
      "./shared.ts",
      "--workers",
      "2",
      "--seed",
      "9",
      "--netsim",
      "mobile-3g",
      "--report",
      "out",
      "--json",
      "--max-p99-ms",
      "55.5",
      "--max-disconnects",
      "0",
      "--allow-remote",
      "--light",
      "--input-timing",
      "free",
    ]);
    expect(options.swarm).toMatchObject({
      url: "ws://127.0.0.1:8080/ws?world=main",
      bots: 200,
      rampPerSec: 50,
      durationSec: 120,
      behavior: "./b.js#fight",
      game: "./shared.ts",
      workers: 2,
      seed: 9,
      netsim: "mobile-3g",
      allowRemote: true,
      light: true,
      inputTiming: "free",
    });
    expect(options).toMatchObject({ reportDir: "out", json: true, thresholds: { maxP99Ms: 55.5, maxDisconnects: 0 } });
  });

  it("refuses a missing --url, unknown flags and malformed numbers", () => {
    expect(() => parseBotsArgs([])).toThrow(/--url/);
    expect(() => parseBotsArgs(["--url", "ws://127.0.0.1/", "--frobnicate"])).toThrow(SwarmConfigError);
    expect(() => parseBotsArgs(["--url", "ws://127.0.0.1/", "--bots", "ten"])).toThrow(/--bots/);
    expect(() => parseBotsArgs(["--url", "ws://127.0.0.1/", "--bots", "2.5"])).toThrow(/--bots/);
    expect(() => parseSeconds("soon", "duration")).toThrow(/--duration/);
    expect(parseSeconds("500ms", "duration")).toBe(0.5);
    expect(parseSeconds("1h", "duration")).toBe(3600);
  });

  it("checks the numbers and refuses behaviour objects with several workers", () => {
    expect(resolveSwarmConfig({ url: "ws://127.0.0.1/" })).toMatchObject({ bots: 10, workers: 1, behavior: "wander", light: false, inputTiming: "aligned" });
    expect(() => resolveSwarmConfig({ url: "ws://127.0.0.1/", inputTiming: "early" as never })).toThrow(/inputTiming/);
    expect(() => resolveSwarmConfig({ url: "ws://127.0.0.1/", bots: 0 })).toThrow(/bots/);
    expect(() => resolveSwarmConfig({ url: "ws://127.0.0.1/", durationSec: 0 })).toThrow(/durationSec/);
    expect(() => resolveSwarmConfig({ url: "ws://127.0.0.1/", netsim: "dial-up" })).toThrow(/unknown netsim preset/);
    expect(() => resolveSwarmConfig({ url: "ws://127.0.0.1/", workers: 2, bots: 4, behavior: idle })).toThrow(/module specs/);
    // More workers than bots would leave threads idle.
    expect(resolveSwarmConfig({ url: "ws://127.0.0.1/", workers: 8, bots: 3 }).workers).toBe(3);
  });

  it("exits 2 with the usage on bad arguments and 0 with --help", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
    expect(await runBotsCli(["--bots", "3"], io)).toBe(BOTS_EXIT.usage);
    expect(err.join("")).toMatch(/--url is required[\s\S]*Usage: tickwire-bots/);
    expect(await runBotsCli(["--help"], io)).toBe(BOTS_EXIT.ok);
    expect(out.join("")).toMatch(/--max-p99-ms/);
  });
});

describe("progress", () => {
  const progress: SwarmProgress = {
    elapsedSec: 12,
    target: 200,
    started: 150,
    connected: 149,
    ackP50Ms: 31.24,
    ackP99Ms: 52.01,
    bytesInPerSec: 820 * 1024,
    bytesOutPerSec: 512,
    disconnects: 1,
    connectFailures: 2,
    errors: 3,
  };

  it("one line shows connected/target, ack p50/p99, bytes/s and errors", () => {
    expect(formatProgress(progress)).toBe(
      "12.0s  bots 149/200 (150 started)  ack p50 31.2 ms p99 52.0 ms  in 820.0 KiB/s  out 512 B/s  disc 1  fail 2  err 3",
    );
  });

  it("updates a single line on a terminal and writes a line per update otherwise", () => {
    const tty: string[] = [];
    const terminal = new ProgressPrinter({ isTTY: true, write: (text: string) => tty.push(text) });
    terminal.update(progress);
    terminal.update(progress);
    terminal.done();
    expect(tty.join("").split("\n")).toHaveLength(2);
    expect(tty[1].startsWith("\r\x1b[2K")).toBe(true);
    const plain: string[] = [];
    const pipe = new ProgressPrinter({ write: (text: string) => plain.push(text) });
    pipe.update(progress);
    pipe.update(progress);
    pipe.done();
    expect(plain).toEqual([`${formatProgress(progress)}\n`, `${formatProgress(progress)}\n`]);
  });
});
