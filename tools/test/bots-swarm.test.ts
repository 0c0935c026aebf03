import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import type { Browser } from "playwright-core";
import { launchChromium } from "./helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOTS_EXIT, runBotsCli } from "../src/bots/cli.js";
import type { SwarmResult } from "../src/bots/result.js";
import { runSwarm } from "../src/bots/swarm.js";
import { createBotsTestGame, input, predict, schema, WORLD_SIZE } from "./bots-game.js";

// The swarm against a real tickwire server on 127.0.0.1: every figure the bots report
// that the server also counts must agree with its /metrics.
const ARTIFACTS = fileURLToPath(new URL("../test-results/artifacts/", import.meta.url));
const REPORT_DIR = join(ARTIFACTS, "bots-report");
const BIN = fileURLToPath(new URL("../bin/tickwire-bots.js", import.meta.url));
/** The test game's module, given to the swarm as `--game` would. */
const GAME_MODULE = fileURLToPath(new URL("./bots-game.ts", import.meta.url));
/** Server and bots count the same payload bytes; in-flight messages at the end are the only difference. */
const BYTES_TOLERANCE = 0.03;
/** The world flushes its send counters into /metrics once per tick (50 ms); wait a few ticks after the bots close. */
const METRICS_SETTLE_MS = 200;

async function startGameServer(): Promise<TickwireServer> {
  return createServer({
    host: "127.0.0.1",
    port: 0,
    worlds: [{ id: "main", game: createBotsTestGame() }],
    logger: silentLogger(),
    defaultMetrics: false,
  });
}

const worldUrl = (server: TickwireServer) => `ws://127.0.0.1:${server.port}/ws?world=main`;

/** One sample of /metrics, as the Prometheus text the server serves. */
async function scrape(server: TickwireServer): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match !== null) values.set(match[1], Number(match[2]));
  }
  return values;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } },
  };
}

describe("bot swarm against a real server", () => {
  let server: TickwireServer;
  let reported: SwarmResult;

  beforeAll(async () => {
    server = await startGameServer();
    await rm(REPORT_DIR, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reports clients and bytes that agree with the server's /metrics (payload bytes; frame headers on top, counted apart)", async () => {
    const bots = 12;
    let duringRun: Promise<Map<string, number>> | null = null;
    const result = await runSwarm({
      url: worldUrl(server),
      bots,
      rampPerSec: 60,
      durationSec: 3,
      game: { schema, input, predict },
      reportDir: REPORT_DIR,
      onProgress: (progress) => {
        if (progress.connected === bots && duringRun === null) duringRun = scrape(server);
      },
    });
    await sleep(METRICS_SETTLE_MS);
    const during = await (duringRun as Promise<Map<string, number>> | null);
    const after = await scrape(server);
    reported = result;

    // Clients: what the server saw connected while the swarm ran, and what it accepted in all.
    expect(during?.get("tickwire_connections")).toBe(bots);
    expect(during?.get('tickwire_world_population{world="main"}')).toBe(bots);
    expect(after.get("tickwire_connections_opened_total")).toBe(bots);
    expect(result.bots).toEqual({ target: bots, started: bots, connectedAtEnd: bots, peakConnected: bots, everConnected: bots });
    expect(result.disconnects.total).toBe(0);
    expect(result.connectFailures.total).toBe(0);

    // Bytes: server → bots and bots → server, payload against payload.
    const serverOut = after.get("tickwire_bytes_out_total")!;
    const serverIn = after.get("tickwire_bytes_in_total")!;
    const { totals } = result;
    expect(Math.abs(1 - totals.bytesIn / serverOut)).toBeLessThan(BYTES_TOLERANCE);
    expect(totals.bytesIn).toBeLessThanOrEqual(serverOut);
    expect(Math.abs(1 - totals.bytesOut / serverIn)).toBeLessThan(BYTES_TOLERANCE);
    expect(Math.abs(1 - totals.framesIn / after.get("tickwire_messages_out_total")!)).toBeLessThan(BYTES_TOLERANCE);
    // Framing: every server frame adds 2 (≤ 125 B) or 4 header bytes; every bot frame 6 or 8 with its mask.
    expect(totals.wireBytesIn - totals.bytesIn).toBeGreaterThanOrEqual(2 * totals.framesIn);
    expect(totals.wireBytesIn - totals.bytesIn).toBeLessThanOrEqual(4 * totals.framesIn);
    expect(totals.wireBytesOut - totals.bytesOut).toBeGreaterThanOrEqual(6 * totals.framesOut);
    expect(totals.wireBytesOut - totals.bytesOut).toBeLessThanOrEqual(8 * totals.framesOut);

    // Full mode with the game's prediction: snapshots applied, inputs acknowledged at the tick rate.
    expect(result.config).toMatchObject({ mode: "full", prediction: true, behavior: "wander", workers: 1 });
    expect(totals.snapshots).toBeGreaterThan(bots * 40);
    expect(totals.skippedSnapshots).toBe(0);
    expect(totals.inputsAcked).toBeGreaterThan(bots * 30);
    expect(result.latency.ack.count).toBe(totals.inputsAcked);
    expect(result.latency.ack.p50).toBeGreaterThan(0);
    expect(result.latency.ack.p99).toBeLessThan(150);
    expect(result.latency.interArrival.p50).toBeGreaterThan(40);
    expect(result.latency.interArrival.p50).toBeLessThan(60);
    expect(result.latency.connect.count).toBe(bots);
    expect(result.latency.rtt.count).toBeGreaterThanOrEqual(bots * 6);
    expect(result.perBot.map((bot) => bot.name)).toEqual(Array.from({ length: bots }, (_, i) => `bot-${i}`));
    expect(result.perBot.reduce((sum, bot) => sum + bot.bytesIn, 0)).toBe(totals.bytesIn);
    expect(result.timeline.at(-1)).toMatchObject({ t: result.elapsedSec, connected: bots, started: bots });

    // report.json is the result, as JSON.
    const json = JSON.parse(await readFile(join(REPORT_DIR, "report.json"), "utf8"));
    expect(json).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it("the HTML report opens from disk in headless chromium and draws every plot", { timeout: 60_000 }, async () => {
    expect(reported, "needs the report of the previous test").toBeDefined();
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => errors.push(error.message));
      const href = pathToFileURL(join(REPORT_DIR, "report.html")).href;
      await page.goto(href, { waitUntil: "load" });
      const figures = await page.$$eval("figure", (all) =>
        all.map((figure) => {
          const svg = figure.querySelector("svg")!;
          const box = svg.getBoundingClientRect();
          return {
            caption: figure.querySelector("figcaption")!.textContent,
            width: box.width,
            lines: svg.querySelectorAll("path.series").length,
            bars: svg.querySelectorAll("rect.bar").length,
            markers: svg.querySelectorAll("g.marker line").length,
            noData: (svg.textContent ?? "").includes("no data"),
          };
        }),
      );
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "bots-report.png"), fullPage: true });

      expect(requests).toEqual([href]);
      expect(errors).toEqual([]);
      expect(figures.map((figure) => figure.caption)).toEqual([
        "Input→ack latency over time",
        "Input→ack latency",
        "Bandwidth per bot over time",
        "Connected bots over time",
        "RTT (clock-sync pings)",
      ]);
      for (const figure of figures) {
        expect(figure.width).toBeGreaterThan(300);
        expect(figure.noData).toBe(false);
      }
      const [overTime, histogram, bandwidth, connected, rtt] = figures;
      expect(overTime.lines).toBe(3);
      expect(histogram.bars).toBeGreaterThan(3);
      expect(histogram.markers).toBe(3);
      expect(bandwidth.lines).toBe(2);
      expect(connected.lines).toBe(2);
      expect(rtt.bars).toBeGreaterThan(0);
    } finally {
      await browser?.close();
    }
  });

  it("exits 1 when a threshold is exceeded and 0 when the run is within its thresholds (JSON summary on stdout)", async () => {
    const failing = captureIo();
    const failCode = await runBotsCli(["--url", worldUrl(server), "--bots", "4", "--duration", "2", "--max-p99-ms", "0.001", "--json"], failing.io);
    expect(failCode).toBe(BOTS_EXIT.thresholds);
    const failed = JSON.parse(failing.out.join(""));
    expect(failed.thresholds.passed).toBe(false);
    expect(failed.thresholds.failures[0]).toMatch(/input→ack p99 .* > 0.001 ms/);
    expect(failing.err.join("")).toMatch(/thresholds {3}FAILED/);

    // The same load through the matchmaking endpoint, with generous limits.
    const passing = captureIo();
    const passCode = await runBotsCli(
      ["--url", `http://127.0.0.1:${server.port}/matchmake`, "--bots", "4", "--duration", "2", "--max-p99-ms", "10000", "--max-disconnects", "0"],
      passing.io,
    );
    expect(passCode).toBe(BOTS_EXIT.ok);
    expect(passing.out.join("")).toMatch(/thresholds {3}passed/);
    expect(passing.out.join("")).toContain(`target ${worldUrl(server)}`);
  });

  it("counts disconnects by close code and reason, and --max-disconnects fails the run", async () => {
    const doomed = await startGameServer();
    const capture = captureIo();
    const shutdown = sleep(1_000).then(() => doomed.close());
    const code = await runBotsCli(["--url", worldUrl(doomed), "--bots", "3", "--duration", "2.5", "--max-disconnects", "0", "--json"], capture.io);
    await shutdown;
    expect(code).toBe(BOTS_EXIT.thresholds);
    const summary = JSON.parse(capture.out.join(""));
    expect(summary.disconnects).toEqual({ total: 3, byReason: { "1001 server shutting down": 3 } });
    // The clients keep trying to resume against a server that is gone.
    expect(summary.connectFailures.total).toBeGreaterThan(0);
    expect(Object.keys(summary.connectFailures.byReason).join()).toMatch(/1006 .*ECONNREFUSED/);
    expect(summary.thresholds.failures[0]).toMatch(/disconnects \d+ \(3 dropped/);
  });

  it("--workers 2 runs the bots in two threads and merges their histograms: every count adds up", async () => {
    const bots = 8;
    const result = await runSwarm({ url: worldUrl(server), bots, workers: 2, durationSec: 2.5, rampPerSec: 80 });
    expect(result.config).toMatchObject({ workers: 2, mode: "light" });
    expect(result.perBot.map((bot) => bot.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.bots.connectedAtEnd).toBe(bots);
    const sum = (pick: (bot: SwarmResult["perBot"][number]) => number) => result.perBot.reduce((total, bot) => total + pick(bot), 0);
    expect(result.latency.ack.count).toBeGreaterThan(bots * 20);
    expect(result.latency.ack.count).toBe(sum((bot) => bot.inputsAcked));
    expect(result.totals.inputsAcked).toBe(result.latency.ack.count);
    expect(result.totals.bytesIn).toBe(sum((bot) => bot.bytesIn));
    expect(result.latency.connect.count).toBe(sum((bot) => bot.welcomes));
    // Interval histograms from both workers make up the timeline; acks that land between the
    // last sample and the bots' stop (a tick or two each) are in the totals but in no interval.
    const timelineAcks = result.timeline.reduce((total, point) => total + point.ackCount, 0);
    expect(timelineAcks).toBeLessThanOrEqual(result.latency.ack.count);
    expect(timelineAcks).toBeGreaterThanOrEqual(result.latency.ack.count - bots * 2);
  });

  it("plays a behaviour plugin from a module path, with the game's input schema from --game", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-bots-"));
    const seen: string[] = [];
    (globalThis as { botsTestEvents?: string[] }).botsTestEvents = seen;
    await writeFile(
      join(dir, "plugins.mjs"),
      [
        "export const east = {",
        '  name: "east",',
        "  onSpawn: (bot) => { bot.memory.spawned = true; },",
        '  onEvent: (bot, event) => { globalThis.botsTestEvents.push(bot.name + ":" + event.name); },',
        "  input: (bot) => (bot.memory.spawned ? { dx: 1, dy: 0 } : null),",
        "};",
      ].join("\n"),
    );
    const bots = 3;
    const world = server.worlds.get("main")!;
    const positions = () => {
      const xs = new Map<string, number>();
      for (const entity of world.store.values()) if (entity.type === "player") xs.set(String(entity.name), Number(entity.x));
      return xs;
    };
    let first: Map<string, number> | null = null;
    let last = new Map<string, number>();
    try {
      const result = await runSwarm({
        url: worldUrl(server),
        bots,
        durationSec: 2,
        game: GAME_MODULE,
        behavior: "./plugins.mjs#east",
        cwd: dir,
        onProgress: (progress) => {
          if (progress.connected === bots) {
            first ??= positions();
            last = positions();
          }
        },
      });
      expect(result.config).toMatchObject({ behavior: "east", game: GAME_MODULE, mode: "full", prediction: true });
      expect(result.totals.inputsAcked).toBeGreaterThan(bots * 10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(first).not.toBeNull();
    for (let i = 0; i < bots; i++) {
      const name = `bot-${i}`;
      const before = first!.get(name)!;
      // Eastward at 160 units/s for at least a second (players spawn far enough from the wall).
      expect(last.get(name)!).toBeGreaterThanOrEqual(Math.min(WORLD_SIZE, before + 100));
    }
    // Game events reach the behaviour: the first bot hears every later bot join.
    expect(seen.filter((event) => event === "bot-0:join")).toHaveLength(bots - 1);
  });

  it("a behaviour with render: true sees mobs' render values move; one without gets no interpolation, only values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-bots-"));
    const seen: { watcher: number[]; blind: number[]; blindValues: number[] } = { watcher: [], blind: [], blindValues: [] };
    (globalThis as { botsTestRender?: typeof seen }).botsTestRender = seen;
    await writeFile(
      join(dir, "plugins.mjs"),
      [
        "const mob = (bot) => bot.client.entities.find((e) => e.type === 'mob');",
        "export const watcher = { name: 'watcher', render: true, input: (bot) => {",
        "  const m = mob(bot); if (m && m.fields.length > 0) globalThis.botsTestRender.watcher.push(m.render.x); return null; } };",
        "export const blind = { name: 'blind', input: (bot) => {",
        "  const m = mob(bot); if (m) { globalThis.botsTestRender.blind.push(m.fields.length); globalThis.botsTestRender.blindValues.push(m.values.x); } return null; } };",
      ].join("\n"),
    );
    try {
      for (const behavior of ["watcher", "blind"]) {
        await runSwarm({ url: worldUrl(server), bots: 1, durationSec: 1.5, game: GAME_MODULE, behavior: `./plugins.mjs#${behavior}`, cwd: dir });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Sampled every input tick: a wandering mob is drawn at many positions.
    expect(new Set(seen.watcher).size).toBeGreaterThan(5);
    expect(seen.blind.length).toBeGreaterThan(5);
    expect(new Set(seen.blind)).toEqual(new Set([0]));
    expect(new Set(seen.blindValues).size).toBeGreaterThan(1);
  });

  it("through the netsim 'good' preset every round trip gains its 28 ms", async () => {
    const result = await runSwarm({ url: worldUrl(server), bots: 3, durationSec: 2.5, netsim: "good", behavior: "idle" });
    expect(result.config.netsim).toBe("good");
    expect(result.bots.connectedAtEnd).toBe(3);
    // Loopback alone is well under a millisecond; the preset adds 14 ms each way ± 1 ms.
    expect(result.latency.rtt.p50).toBeGreaterThan(26);
    expect(result.latency.rtt.p50).toBeLessThan(40);
    expect(result.latency.ack.count).toBe(0);
  });
});

describe("loopback only", () => {
  it("refuses a non-loopback target without --allow-remote (exit 2), also through the bin script", async () => {
    const capture = captureIo();
    expect(await runBotsCli(["--url", "ws://192.0.2.10:8080/ws?world=main", "--bots", "1"], capture.io)).toBe(BOTS_EXIT.usage);
    expect(capture.err.join("")).toMatch(/refusing 192\.0\.2\.10:8080: not a loopback address; pass --allow-remote/);

    const child = spawn(process.execPath, [BIN, "--url", "ws://10.1.2.3:9/ws?world=main", "--bots", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const [exitCode] = await once(child, "exit");
    expect(exitCode).toBe(BOTS_EXIT.usage);
    expect(stderr).toMatch(/refusing 10\.1\.2\.3:9.*--allow-remote/);
  });
});
