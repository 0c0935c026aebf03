import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { NETSIM_PRESETS, NetsimConfigError, NO_CONDITIONS } from "../src/netsim/conditions.js";
import { applyNetsimCommand, formatStatsLine, parseNetsimArgs, runNetsimCli } from "../src/netsim/cli.js";
import { createNetsim, type Netsim, type NetsimStats } from "../src/netsim/netsim.js";

const HOST = "127.0.0.1";
const BIN = fileURLToPath(new URL("../bin/tickwire-netsim.js", import.meta.url));

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startEchoServer(): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  server.listen(0, HOST);
  await once(server, "listening");
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

async function startNetsim(): Promise<Netsim> {
  const netsim = await createNetsim({ target: { host: HOST, port: await startEchoServer() } });
  cleanups.push(() => netsim.close());
  return netsim;
}

describe("parseNetsimArgs", () => {
  it("requires --target and defaults to listening on 127.0.0.1:9000 with no conditions", () => {
    expect(() => parseNetsimArgs([])).toThrow(/--target/);
    const options = parseNetsimArgs(["--target", "127.0.0.1:8080"]);
    expect(options.listen).toEqual({ host: "127.0.0.1", port: 9000 });
    expect(options.target).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(options.up).toEqual(NO_CONDITIONS);
    expect(options.down).toEqual(NO_CONDITIONS);
    expect(options.allowRemote).toBe(false);
  });

  it("starts from the preset, then applies both-direction flags, then per-direction flags whatever their order", () => {
    const options = parseNetsimArgs([
      "--target=127.0.0.1:8080",
      "--down-latency",
      "300",
      "--preset",
      "mobile-3g",
      "--latency",
      "100",
      "--bandwidth",
      "64kbit",
    ]);
    expect(options.up).toEqual({ ...NETSIM_PRESETS["mobile-3g"].up, latencyMs: 100, bandwidthBytesPerSec: 8_000 });
    expect(options.down).toEqual({ ...NETSIM_PRESETS["mobile-3g"].down, latencyMs: 300, bandwidthBytesPerSec: 8_000 });
  });

  it("reads stalls, drop windows, seed, stats interval, IPv6 listen addresses and --allow-remote", () => {
    const options = parseNetsimArgs([
      "--target",
      "10.0.0.5:80",
      "--listen",
      "[::1]:0",
      "--stall-every",
      "5s",
      "--up-stall-for",
      "250ms",
      "--stall-for",
      "100",
      "--drop-after",
      "5s-15s",
      "--seed",
      "42",
      "--stats-interval",
      "0",
      "--allow-remote",
    ]);
    expect(options.listen).toEqual({ host: "::1", port: 0 });
    expect(options.up).toMatchObject({ stallEveryMs: 5_000, stallForMs: 250, dropAfterMs: { minMs: 5_000, maxMs: 15_000 } });
    expect(options.down).toMatchObject({ stallEveryMs: 5_000, stallForMs: 100 });
    expect(options.seed).toBe(42);
    expect(options.statsIntervalMs).toBe(0);
    expect(options.allowRemote).toBe(true);
  });

  it.each([
    [["--target", "8080"], /HOST:PORT/],
    [["--target", "127.0.0.1:70000"], /HOST:PORT/],
    [["--target", "127.0.0.1:1", "--warp", "9"], /warp/],
    [["--target", "127.0.0.1:1", "--preset", "dial-up"], /unknown preset/],
    [["--target", "127.0.0.1:1", "--latency", "fast"], /bad duration/],
    [["--target", "127.0.0.1:1", "--seed", "1.5"], /--seed/],
    [["--target", "127.0.0.1:1", "--stall-every", "100", "--stall-for", "200"], /shorter than its period/],
  ])("refuses %j with a NetsimConfigError", (argv, message) => {
    expect(() => parseNetsimArgs(argv)).toThrow(NetsimConfigError);
    expect(() => parseNetsimArgs(argv)).toThrow(message);
  });

  it("accepts --help without a target", () => {
    expect(parseNetsimArgs(["-h"]).help).toBe(true);
  });
});

describe("applyNetsimCommand", () => {
  it("changes both directions, or one when prefixed with up/down", async () => {
    const netsim = await startNetsim();

    expect(applyNetsimCommand(netsim, "latency 200").ok).toBe(true);
    expect(applyNetsimCommand(netsim, "up jitter 15").ok).toBe(true);
    expect(applyNetsimCommand(netsim, "down bandwidth 64kbit").ok).toBe(true);

    expect(netsim.conditions.up).toMatchObject({ latencyMs: 200, jitterMs: 15, bandwidthBytesPerSec: 0 });
    expect(netsim.conditions.down).toMatchObject({ latencyMs: 200, jitterMs: 0, bandwidthBytesPerSec: 8_000 });
  });

  it("switches to a preset, sets and clears stalls and drop windows", async () => {
    const netsim = await startNetsim();

    applyNetsimCommand(netsim, "preset bad-wifi");
    expect(netsim.conditions).toEqual({ up: NETSIM_PRESETS["bad-wifi"].up, down: NETSIM_PRESETS["bad-wifi"].down });
    applyNetsimCommand(netsim, "stall 2s 300");
    expect(netsim.conditions.down).toMatchObject({ stallEveryMs: 2_000, stallForMs: 300 });
    applyNetsimCommand(netsim, "stall off");
    expect(netsim.conditions.up).toMatchObject({ stallEveryMs: 0, stallForMs: 0 });
    applyNetsimCommand(netsim, "up drop-after 5s-10s");
    expect(netsim.conditions.up.dropAfterMs).toEqual({ minMs: 5_000, maxMs: 10_000 });
    applyNetsimCommand(netsim, "up drop-after off");
    expect(netsim.conditions.up.dropAfterMs).toBeNull();
  });

  it("drop resets the open connections and says how many", async () => {
    const netsim = await startNetsim();
    const client = connect({ host: HOST, port: netsim.port });
    client.on("error", () => {});
    cleanups.push(() => client.destroy());
    await once(client, "connect");
    await expect.poll(() => netsim.connections).toBe(1);

    const closed = new Promise((resolve) => client.once("close", resolve));

    expect(applyNetsimCommand(netsim, "drop")).toEqual({ ok: true, message: "dropped 1 connection(s)" });
    await closed;
  });

  it.each([
    ["latency", /usage: latency VALUE/],
    ["warp 9", /unknown command "warp"/],
    ["preset dial-up", /unknown preset/],
    ["stall 100 200", /shorter than its period/],
    ["bandwidth 64kbps", /bad bandwidth/],
  ])("answers %j with an error and leaves the conditions as they were", async (line, message) => {
    const netsim = await startNetsim();
    applyNetsimCommand(netsim, "latency 50");
    const before = netsim.conditions;

    const result = applyNetsimCommand(netsim, line);

    expect(result.ok).toBe(false);
    expect(result.message).toMatch(message);
    expect(netsim.conditions).toEqual(before);
  });

  it("help lists the commands and show describes both directions and the counters", async () => {
    const netsim = await startNetsim();
    expect(applyNetsimCommand(netsim, "help").message).toMatch(/preset NAME[\s\S]*drop[\s\S]*quit/);
    applyNetsimCommand(netsim, "up latency 75");
    const shown = applyNetsimCommand(netsim, "show").message;
    expect(shown).toMatch(/^up {3}\(client → server\): 75 ms, unlimited$/m);
    expect(shown).toMatch(/^down \(server → client\): 0 ms, unlimited$/m);
    expect(shown).toMatch(/connections: 0 open, 0 accepted, 0 dropped/);
  });
});

describe("formatStatsLine", () => {
  it("shows connections, per-direction throughput over the interval and held bytes", () => {
    const direction = { bytesIn: 0, bytesOut: 0, chunks: 0, delayedChunks: 0, heldBytes: 0, sourcePauses: 0 };
    const previous: NetsimStats = { accepted: 1, open: 1, drops: 0, targetFailures: 0, up: direction, down: direction };
    const current: NetsimStats = {
      ...previous,
      accepted: 3,
      open: 2,
      drops: 1,
      up: { ...direction, bytesOut: 1_024 },
      down: { ...direction, bytesOut: 4 * 1_024, heldBytes: 2_048 },
    };
    expect(formatStatsLine(current, previous, 500)).toBe(
      "conns 2 open / 3 total / 1 dropped │ up 2.0 KiB/s held 0 B │ down 8.0 KiB/s held 2.0 KiB",
    );
  });
});

/** Stream pair standing in for a terminal. */
function fakeTerminal() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  const stderr = new PassThrough();
  let output = "";
  stdout.on("data", (chunk) => (output += chunk));
  stderr.on("data", (chunk) => (output += chunk));
  return { stdin, stdout, stderr, output: () => output };
}

describe("runNetsimCli", () => {
  it("on a terminal, reads commands from stdin until quit, then closes and exits 0", async () => {
    const echoPort = await startEchoServer();
    const terminal = fakeTerminal();
    const exitCode = runNetsimCli(["--target", `${HOST}:${echoPort}`, "--listen", `${HOST}:0`, "--stats-interval", "0"], {
      ...terminal,
      stopRequested: new Promise(() => {}),
    });
    await expect.poll(() => terminal.output()).toMatch(/netsim> /);

    terminal.stdin.write("up latency 120\n");
    await expect.poll(() => terminal.output()).toMatch(/up {3}\(client → server\): 120 ms/);
    terminal.stdin.write("warp 9\n");
    await expect.poll(() => terminal.output()).toMatch(/error: unknown command "warp"/);
    terminal.stdin.write("quit\n");

    expect(await exitCode).toBe(0);
  });

  it("exits 2 with the usage on bad arguments and 1 on a refused target", async () => {
    const terminal = fakeTerminal();
    const io = { ...terminal, stopRequested: new Promise(() => {}) };
    expect(await runNetsimCli(["--latency", "5"], io)).toBe(2);
    expect(terminal.output()).toMatch(/--target HOST:PORT is required[\s\S]*Usage: tickwire-netsim/);
    expect(await runNetsimCli(["--target", "192.0.2.1:80", "--listen", `${HOST}:0`], io)).toBe(1);
    expect(terminal.output()).toMatch(/refusing non-loopback target 192\.0\.2\.1:80/);
  });
});

describe("the tickwire-netsim bin", () => {
  it("proxies with the given conditions, prints stats lines, and exits 0 on SIGTERM", async () => {
    const echoPort = await startEchoServer();
    const child = spawn(
      process.execPath,
      [BIN, "--target", `${HOST}:${echoPort}`, "--listen", `${HOST}:0`, "--latency", "20", "--stats-interval", "100"],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    await expect.poll(() => output, { timeout: 15_000 }).toMatch(/tickwire-netsim: 127\.0\.0\.1:(\d+) →/);
    const port = Number(/127\.0\.0\.1:(\d+) →/.exec(output)![1]);

    const client = connect({ host: HOST, port });
    cleanups.push(() => client.destroy());
    await once(client, "connect");
    const sentAt = performance.now();
    client.write("ping");
    await once(client, "data");
    const roundTrip = performance.now() - sentAt;
    client.destroy();
    await expect.poll(() => output).toMatch(/conns \d+ open \/ 1 total/);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");

    expect(roundTrip).toBeGreaterThanOrEqual(40);
    expect(output).toMatch(/up {3}\(client → server\): 20 ms, unlimited/);
    expect(output).not.toMatch(/netsim> /);
    expect(code).toBe(0);
  });
});
