import { CloseCode, defineInput, defineSchema, ErrorCode, inputField, t } from "@tickwire/engine";
import { MsgType, SUBPROTOCOL } from "@tickwire/engine/wire";
import { beforeEach, describe, expect, it } from "vitest";
import { type ConnectOptions, connect, type TickwireClient } from "../src/client.js";
import type { ClientError, CloseInfo, ConnectionState, DisconnectInfo } from "../src/connection.js";
import { FakeNodeSocket, FakeSocket } from "./helpers/fake-socket.js";
import { FakeTime } from "./helpers/fake-time.js";

const schema = defineSchema({ dot: { x: t.fixed(1 / 16, { min: 0, max: 1000 }), y: t.fixed(1 / 16, { min: 0, max: 1000 }) } });
const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
type Input = { dx: number; dy: number };

interface Harness {
  client: TickwireClient<typeof schema, Input>;
  time: FakeTime;
  states: ConnectionState[];
  errors: ClientError[];
  closes: CloseInfo[];
}

function start(options: Partial<ConnectOptions<typeof schema, Input>> = {}): Harness {
  const time = new FakeTime();
  const client = connect<typeof schema, Input>("ws://game.test/ws?world=main", {
    name: "ada",
    game: { schema, input },
    ...options,
    runtime: {
      WebSocket: FakeSocket,
      // The fake transport has no server to ask why an attempt failed.
      fetch: null,
      now: time.now,
      timers: time,
      random: () => 0.5,
      ...options.runtime,
    },
    tuning: { reconnect: { baseMs: 100, maxMs: 1_000, maxAttempts: 4 }, ...options.tuning },
  });
  const states: ConnectionState[] = [];
  const errors: ClientError[] = [];
  const closes: CloseInfo[] = [];
  client.on("state", (state) => states.push(state));
  client.on("error", (error) => errors.push(error));
  client.on("close", (info) => closes.push(info));
  return { client, time, states, errors, closes };
}

/** Connects and completes the handshake. */
function startOpen(options: Partial<ConnectOptions<typeof schema, Input>> = {}): Harness {
  const harness = start(options);
  FakeSocket.last.open();
  FakeSocket.last.welcome();
  return harness;
}

beforeEach(() => FakeSocket.reset());

describe("connecting", () => {
  it("opens a binary socket offering the engine's subprotocol, with the token in the query", () => {
    start({ token: "secret token" });
    const socket = FakeSocket.last;
    expect(socket.protocols).toBe(SUBPROTOCOL);
    expect(socket.binaryType).toBe("arraybuffer");
    const url = new URL(socket.url);
    expect(url.searchParams.get("world")).toBe("main");
    expect(url.searchParams.get("token")).toBe("secret token");
  });

  it("starts 'connecting', sends Join with the name on open, and is 'open' after Welcome", () => {
    const { client, states } = start();
    const welcomes: number[] = [];
    client.on("welcome", (welcome) => welcomes.push(welcome.entityId));
    expect(client.state).toBe("connecting");
    FakeSocket.last.open();
    expect(FakeSocket.last.sent).toEqual([{ type: MsgType.Join, name: "ada" }]);
    expect(client.state).toBe("connecting");
    FakeSocket.last.welcome({ entityId: 42 });
    expect(client.state).toBe("open");
    expect(states).toEqual(["open"]);
    expect(welcomes).toEqual([42]);
    expect(client.entityId).toBe(42);
  });

  it("retries when the socket opens but no Welcome comes within the timeout", () => {
    const { time } = start({ tuning: { welcomeTimeoutMs: 2_000 } });
    FakeSocket.last.open();
    time.advance(1_999);
    expect(FakeSocket.instances).toHaveLength(1);
    time.advance(1);
    expect(FakeSocket.instances[0].closedByClient).not.toBeNull();
    time.advance(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("retries a first connection that fails at the network level, as 'connecting'", () => {
    const { time, client } = start();
    FakeSocket.last.drop(1006);
    expect(client.state).toBe("connecting");
    time.advance(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.open();
    expect(FakeSocket.last.sentOf(MsgType.Join)).toHaveLength(1);
  });

  it("a message before Welcome other than Error is a protocol error: reconnect", () => {
    const { time, errors } = start();
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: MsgType.Pong, clientTime: 1, serverTime: 2, lastReliableId: 0, inputMarginMs: null });
    expect(errors.map((e) => e.kind)).toEqual(["protocol"]);
    time.advance(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe("refusals of the upgrade (HTTP status, as Node's ws reports them)", () => {
  it("401 bad token: a 'refused' error with the server's text, closed, no retry", () => {
    const { client, time, errors, closes } = start({ runtime: { WebSocket: FakeNodeSocket } });
    (FakeSocket.last as FakeNodeSocket).refuse(401, "invalid or missing token\n");
    expect(errors).toEqual([{ kind: "refused", status: 401, message: "invalid or missing token", retrying: false }]);
    expect(client.state).toBe("closed");
    expect(closes[0].reason).toBe("invalid or missing token");
    time.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("400 version mismatch and 404 unknown world are not retried either", () => {
    for (const status of [400, 403, 404]) {
      FakeSocket.reset();
      const { client, errors } = start({ runtime: { WebSocket: FakeNodeSocket } });
      (FakeSocket.last as FakeNodeSocket).refuse(status, "no");
      expect(errors[0]).toMatchObject({ kind: "refused", status, retrying: false });
      expect(client.state).toBe("closed");
    }
  });

  it("503 world full is retried with backoff, and reported each time", () => {
    const { client, time, errors } = start({ runtime: { WebSocket: FakeNodeSocket } });
    (FakeSocket.last as FakeNodeSocket).refuse(503, "world is full");
    expect(errors).toEqual([{ kind: "refused", status: 503, message: "world is full", retrying: true }]);
    expect(client.state).toBe("connecting");
    time.advance(time.nextDelay);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.open();
    FakeSocket.last.welcome();
    expect(client.state).toBe("open");
  });

  it("503 with reconnect: false ends the session", () => {
    const { client, errors } = start({ runtime: { WebSocket: FakeNodeSocket }, tuning: { reconnect: false } });
    (FakeSocket.last as FakeNodeSocket).refuse(503, "world is full");
    expect(errors[0].retrying).toBe(false);
    expect(client.state).toBe("closed");
  });

  it("a browser-like failure without a status is retried like a network loss", () => {
    const { client, errors } = start();
    FakeSocket.last.drop(1006);
    expect(errors).toEqual([]);
    expect(client.state).toBe("connecting");
  });
});

describe("reconnect and resume", () => {
  it("after a connection loss, is 'resuming' and sends Resume with the Welcome's token", () => {
    const { client, time, states } = startOpen();
    FakeSocket.last.drop(1006);
    expect(client.state).toBe("resuming");
    // random() = 0.5 → a resume retry halfway between 250 and 500 ms, whatever the backoff.
    time.advance(374);
    expect(FakeSocket.instances).toHaveLength(1);
    time.advance(1);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toEqual({ type: MsgType.Resume, token: "token-1", lastEventSeq: 0 });
    FakeSocket.last.welcome({ resumed: true, resumeToken: "token-2" });
    expect(client.state).toBe("open");
    expect(states).toEqual(["open", "resuming", "open"]);
    expect(client.stats.reconnects).toBe(1);
    // The next resume uses the newest token.
    FakeSocket.last.drop(1006);
    time.advance(1_000);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toEqual({ type: MsgType.Resume, token: "token-2", lastEventSeq: 0 });
  });

  it("retries a resume at most 500 ms apart for the resume window, then joins as a new player with a 'resume-failed' error", () => {
    const { client, time, errors } = startOpen({ runtime: { random: () => 0.99 }, tuning: { resumeWindowMs: 5_000 } });
    FakeSocket.last.drop(1006);
    const delays: number[] = [];
    while (client.state === "resuming") {
      delays.push(time.nextDelay);
      time.advance(time.nextDelay);
      FakeSocket.last.drop(1006);
    }
    expect(delays.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delays)).toBeLessThanOrEqual(500);
    expect(client.state).toBe("connecting");
    expect(errors.at(-1)).toMatchObject({ kind: "resume-failed", retrying: true });
    expect(errors.at(-1)?.message).toMatch(/could not resume within 5 s.*joining as a new player/);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toMatchObject({ type: MsgType.Join });
  });

  it("waits uniform(0, min(cap, base·2^n)) before attempt n: 50, 100, 200, 400 ms with random 0.5", () => {
    const { time } = start({ tuning: { reconnect: { baseMs: 100, maxMs: 800, maxAttempts: 10 } } });
    FakeSocket.last.drop(1006);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      delays.push(time.nextDelay);
      time.advance(time.nextDelay);
      FakeSocket.last.drop(1006);
    }
    expect(delays).toEqual([50, 100, 200, 400, 400]);
  });

  it("gives up after maxAttempts failed attempts: 'gave-up' error, closed, no timers left", () => {
    const { client, time, errors, closes } = start();
    FakeSocket.last.drop(1006, "");
    for (let attempt = 0; attempt < 4; attempt++) {
      time.advance(time.nextDelay);
      FakeSocket.last.drop(1006);
    }
    expect(FakeSocket.instances).toHaveLength(5);
    expect(client.state).toBe("closed");
    expect(errors.at(-1)?.kind).toBe("gave-up");
    expect(errors.at(-1)?.message).toMatch(/gave up after 4 attempts/);
    expect(closes).toHaveLength(1);
    expect(time.timerCount).toBe(0);
    time.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(5);
  });

  it("a successful resume resets the attempt count", () => {
    const { client, time } = startOpen();
    for (let round = 0; round < 3; round++) {
      FakeSocket.last.drop(1006);
      time.advance(time.nextDelay);
      FakeSocket.last.drop(1006);
      time.advance(time.nextDelay);
      FakeSocket.last.open();
      FakeSocket.last.welcome({ resumed: true });
    }
    expect(client.state).toBe("open");
  });

  it("does not reconnect after a close code retrying cannot fix (kicked): error with the server's reason", () => {
    const { client, time, errors, closes } = startOpen();
    FakeSocket.last.drop(CloseCode.Kicked, "kicked for spamming");
    expect(client.state).toBe("closed");
    expect(errors).toEqual([expect.objectContaining({ kind: "closed", code: CloseCode.Kicked, message: "kicked for spamming", retrying: false })]);
    expect(closes).toEqual([{ code: CloseCode.Kicked, reason: "kicked for spamming", byClient: false }]);
    time.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("falls back to the engine's close reason when the server gave none", () => {
    const { errors } = startOpen();
    FakeSocket.last.drop(CloseCode.SessionReplaced, "");
    expect(errors[0].message).toMatch(/session replaced/);
  });

  it("reconnects after the server shuts down (1001 going away) as a new player: that server let the player go", () => {
    const { client, time } = startOpen();
    FakeSocket.last.drop(CloseCode.GoingAway, "server shutting down");
    expect(client.state).toBe("connecting");
    time.advance(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toMatchObject({ type: MsgType.Join });
  });

  it("when the resume is refused (ResumeFailed), joins again as a new player", () => {
    const { client, time, errors } = startOpen();
    FakeSocket.last.drop(1006);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.drop(CloseCode.ResumeFailed, "");
    expect(errors.at(-1)?.kind).toBe("resume-failed");
    expect(client.state).toBe("connecting");
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toEqual({ type: MsgType.Join, name: "ada" });
    FakeSocket.last.welcome({ entityId: 9, resumed: false });
    expect(client.entityId).toBe(9);
  });

  it("does not reconnect at all with reconnect: false", () => {
    const { client, time, errors } = startOpen({ tuning: { reconnect: false } });
    FakeSocket.last.drop(1006);
    expect(client.state).toBe("closed");
    expect(errors.at(-1)?.retrying).toBe(false);
    time.advance(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("detects a silent (half-open) connection and resumes", () => {
    const { client, time } = startOpen({ tuning: { silenceTimeoutMs: 3_000, pingIntervalMs: 1_000 } });
    time.advance(2_900);
    expect(client.state).toBe("open");
    time.advance(1_200);
    expect(client.state).toBe("resuming");
    expect(FakeSocket.instances[0].closedByClient).not.toBeNull();
  });

  it("a socket the client gives up on (silence, no Welcome) is a disconnect with code 1006 and the client's reason", () => {
    const { client, time } = startOpen({ tuning: { silenceTimeoutMs: 3_000, pingIntervalMs: 1_000, welcomeTimeoutMs: 2_000 } });
    const disconnects: DisconnectInfo[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    time.advance(4_100);
    expect(disconnects).toEqual([
      { code: CloseCode.Abnormal, reason: "no message from the server for 3000 ms", willRetry: true, welcomed: true, status: 0 },
    ]);
    time.advance(1_000);
    FakeSocket.last.open();
    time.advance(2_000);
    expect(disconnects[1]).toEqual({
      code: CloseCode.Abnormal,
      reason: "no Welcome within 2000 ms",
      willRetry: true,
      welcomed: false,
      status: 0,
    });
  });

  it("a 'disconnect' listener that closes the client stops the retry", () => {
    const { client, time } = startOpen();
    client.on("disconnect", () => client.close());
    FakeSocket.last.drop(1006);
    time.advance(10_000);
    expect(client.state).toBe("closed");
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("ignores events of a socket it has abandoned", () => {
    const { client, time } = startOpen({ tuning: { silenceTimeoutMs: 3_000 } });
    const old = FakeSocket.last;
    time.advance(4_000);
    expect(client.state).toBe("resuming");
    old.welcome({ entityId: 77 });
    old.drop(CloseCode.Kicked);
    expect(client.state).toBe("resuming");
    expect(client.entityId).toBe(1);
  });
});

describe("close()", () => {
  it("closes the socket with 1000, ends 'closed' with byClient, and never reconnects", () => {
    const { client, time, closes } = startOpen();
    const socket = FakeSocket.last;
    client.close();
    expect(socket.closedByClient?.code).toBe(1000);
    expect(client.state).toBe("closed");
    expect(closes).toEqual([{ code: 1000, reason: "left", byClient: true }]);
    expect(time.timerCount).toBe(0);
    time.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("while waiting to reconnect cancels the pending attempt", () => {
    const { client, time } = startOpen();
    FakeSocket.last.drop(1006);
    client.close();
    time.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.state).toBe("closed");
  });
});

describe("inputs", () => {
  it("are sent with increasing seq while open, and not at all (not queued) while resuming", () => {
    const { client, time } = startOpen();
    expect(client.sendInput({ dx: 1, dy: 0 })).toBe(0);
    expect(client.sendInput({ dx: 1, dy: 0 })).toBe(1);
    FakeSocket.last.drop(1006);
    expect(client.sendInput({ dx: 0, dy: 1 })).toBe(-1);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: true });
    expect(client.sendInput({ dx: -1, dy: 0 })).toBe(2);
    expect(FakeSocket.instances[0].sentOf(MsgType.Input).map((m) => m.seq)).toEqual([0, 1]);
    expect(FakeSocket.last.sentOf(MsgType.Input)).toEqual([{ type: MsgType.Input, seq: 2, tick: 0, input: [-1, 0] }]);
  });

  it("are coalesced above the bufferedAmount threshold: the latest is sent when the socket drains", () => {
    const { client } = startOpen({ tuning: { inputBufferedThreshold: 1_000 } });
    const socket = FakeSocket.last;
    client.sendInput({ dx: 1, dy: 0 });
    socket.bufferedAmount = 5_000;
    client.sendInput({ dx: 0, dy: 1 });
    client.sendInput({ dx: -1, dy: 0 });
    client.sendInput({ dx: 0, dy: -1 });
    client.update();
    expect(socket.sentOf(MsgType.Input).map((m) => m.seq)).toEqual([0]);
    socket.bufferedAmount = 0;
    client.update();
    client.update();
    expect(socket.sentOf(MsgType.Input)).toEqual([
      { type: MsgType.Input, seq: 0, tick: 0, input: [1, 0] },
      { type: MsgType.Input, seq: 3, tick: 0, input: [0, -1] },
    ]);
    expect(client.stats.coalescedInputs).toBe(2);
    client.sendInput({ dx: 1, dy: 1 });
    expect(socket.sentOf(MsgType.Input).at(-1)?.seq).toBe(4);
  });

  it("light mode (no schema) numbers, coalesces and counts pending inputs as full mode does", () => {
    const { client } = startOpen({ game: { input }, tuning: { inputBufferedThreshold: 1_000 } });
    const socket = FakeSocket.last;
    expect(client.scene).toBeNull();
    expect([client.sendInput({ dx: 1, dy: 0 }), client.sendInput({ dx: 0, dy: 1 })]).toEqual([0, 1]);
    socket.bufferedAmount = 5_000;
    client.sendInput({ dx: -1, dy: 0 });
    client.sendInput({ dx: 0, dy: -1 });
    socket.bufferedAmount = 0;
    client.update();
    expect(socket.sentOf(MsgType.Input).map((m) => m.seq)).toEqual([0, 1, 3]);
    expect(client.stats.coalescedInputs).toBe(1);
    expect(client.pendingInputs).toBe(4);
  });

  it("seq wraps from 65535 to 0", () => {
    const { client } = startOpen();
    for (let i = 0; i < 65_536; i++) client.sendInput({ dx: 0, dy: 0 });
    expect(client.sendInput({ dx: 1, dy: 0 })).toBe(0);
  });

  it("an input breaking the schema throws before anything is sent", () => {
    const { client } = startOpen();
    expect(() => client.sendInput({ dx: 2, dy: 0 })).toThrow(RangeError);
    expect(FakeSocket.last.sentOf(MsgType.Input)).toEqual([]);
  });

  it("with the `input` option, update() samples one input per server tick", () => {
    let sampled = 0;
    const { client, time } = startOpen({
      input: () => {
        sampled++;
        return { dx: 1, dy: 0 };
      },
    });
    // Three seconds of 100 Hz frames at a 20 Hz tick rate.
    for (let frame = 0; frame < 300; frame++) {
      time.advance(10);
      client.update();
    }
    expect(sampled).toBe(60);
    expect(FakeSocket.last.sentOf(MsgType.Input)).toHaveLength(60);
  });
});

describe("reliable messages (chat, commands)", () => {
  it("sent while resuming are buffered and delivered after the resume, in order", () => {
    const { client, time } = startOpen();
    FakeSocket.last.drop(1006);
    expect(client.chat("hello")).toBe(true);
    expect(client.command("give", ["sword", 2, true, null])).toBe(true);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: true, lastReliableId: 0 });
    expect(FakeSocket.last.sent.filter((m) => m.type === MsgType.Chat || m.type === MsgType.Command)).toEqual([
      { type: MsgType.Chat, rid: 1, text: "hello" },
      { type: MsgType.Command, rid: 2, name: "give", args: ["sword", 2, true, null] },
    ]);
  });

  it("sent but unconfirmed before a drop are re-sent once after resume, minus what the server had", () => {
    const { client, time } = startOpen();
    client.chat("one");
    client.chat("two");
    client.chat("three");
    FakeSocket.last.drop(1006);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: true, lastReliableId: 1 });
    expect(FakeSocket.last.sentOf(MsgType.Chat)).toEqual([
      { type: MsgType.Chat, rid: 2, text: "two" },
      { type: MsgType.Chat, rid: 3, text: "three" },
    ]);
    // After a second resume where the server had everything, nothing is re-sent.
    FakeSocket.last.drop(1006);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: true, lastReliableId: 3 });
    expect(FakeSocket.last.sentOf(MsgType.Chat)).toEqual([]);
  });

  it("are confirmed by the pong of a later ping and then not re-sent", () => {
    const { client, time } = startOpen({ tuning: { pingIntervalMs: 1_000 } });
    const socket = FakeSocket.last;
    client.chat("confirmed");
    time.advance(1_000);
    const pings = socket.sentOf(MsgType.Ping);
    for (const ping of pings) socket.receive({ type: MsgType.Pong, clientTime: ping.clientTime, serverTime: 10, lastReliableId: 1, inputMarginMs: null });
    client.chat("in doubt");
    socket.drop(1006);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: true, lastReliableId: 0 });
    expect(FakeSocket.last.sentOf(MsgType.Chat).map((m) => m.text)).toEqual(["in doubt"]);
  });

  it("after a new join (resume refused) are renumbered from the new session's lastReliableId", () => {
    const { client, time } = startOpen();
    FakeSocket.last.drop(1006);
    client.chat("a");
    client.chat("b");
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.drop(CloseCode.ResumeFailed);
    time.advance(time.nextDelay);
    FakeSocket.last.open();
    FakeSocket.last.welcome({ resumed: false, lastReliableId: 0 });
    expect(FakeSocket.last.sentOf(MsgType.Chat).map((m) => [m.rid, m.text])).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  it("overflowing the bounded buffer is an error event and false, never a silent drop", () => {
    const { client, errors } = start({ tuning: { reliableCapacity: 2 } });
    expect(client.chat("a")).toBe(true);
    expect(client.chat("b")).toBe(true);
    expect(client.chat("c")).toBe(false);
    expect(errors.map((e) => e.kind)).toEqual(["reliable-overflow"]);
  });

  it("a chat breaking the protocol's limits is refused with an 'invalid-message' error", () => {
    const { client, errors } = startOpen();
    expect(client.chat("x".repeat(10_000))).toBe(false);
    expect(client.chat("")).toBe(false);
    expect(client.command("has space", [])).toBe(false);
    expect(errors.map((e) => e.kind)).toEqual(["invalid-message", "invalid-message", "invalid-message"]);
    expect(FakeSocket.last.sentOf(MsgType.Chat)).toEqual([]);
  });

  it("after close() are refused with an error", () => {
    const { client, errors } = startOpen();
    client.close();
    expect(client.chat("late")).toBe(false);
    expect(errors.at(-1)?.kind).toBe("reliable-overflow");
  });
});

describe("clock sync and server messages", () => {
  it("pings quickly after Welcome, then at the interval; pongs feed the RTT estimate", () => {
    const { client, time } = startOpen({ tuning: { pingIntervalMs: 1_000 } });
    const socket = FakeSocket.last;
    let answered = 0;
    for (let step = 0; step < 30; step++) {
      time.advance(50);
      const pings = socket.sentOf(MsgType.Ping);
      for (; answered < pings.length; answered++) {
        // 40 ms round trip: the pong arrives 40 ms after the ping was sent.
        const ping = pings[answered];
        time.current = ping.clientTime + 40;
        socket.receive({ type: MsgType.Pong, clientTime: ping.clientTime, serverTime: ping.clientTime + 20 + 1_000, lastReliableId: 0, inputMarginMs: null });
      }
    }
    const pingTimes = socket.sentOf(MsgType.Ping).map((p) => p.clientTime);
    expect(pingTimes.length).toBeGreaterThanOrEqual(6);
    expect(pingTimes[1] - pingTimes[0]).toBeLessThanOrEqual(100);
    expect(client.clock.ready).toBe(true);
    expect(client.clock.rtt).toBeCloseTo(40, 6);
    expect(client.serverNow(0)).toBeCloseTo(1_000, 6);
  });

  it("a non-fatal server Error becomes an error event; the client stays open", () => {
    const { client, errors } = startOpen();
    FakeSocket.last.receive({ type: MsgType.Error, code: ErrorCode.RateLimited, message: "slow down" });
    expect(errors).toEqual([{ kind: "server", code: ErrorCode.RateLimited, message: "slow down", retrying: true }]);
    expect(client.state).toBe("open");
  });

  it("events arrive in the order the server sent them, across Events and Snapshot messages", () => {
    const { client } = startOpen();
    const names: string[] = [];
    client.on("event", (event) => names.push(event.name));
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 1, events: [{ name: "a", data: 1 }, { name: "b", data: null }] });
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 3, events: [{ name: "c", data: "x" }] });
    expect(names).toEqual(["a", "b", "c"]);
  });

  it("reports the last event processed in pings and on resume, and skips events replayed twice", () => {
    const { client, time } = startOpen();
    const names: string[] = [];
    client.on("event", (event) => names.push(event.name));
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 1, events: [{ name: "a", data: 1 }, { name: "b", data: 2 }] });
    time.advance(1_000);
    expect(FakeSocket.last.sentOf(MsgType.Ping).at(-1)?.lastEventSeq).toBe(2);
    FakeSocket.last.drop();
    time.advance(1_000);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toEqual({ type: MsgType.Resume, token: "token-1", lastEventSeq: 2 });
    FakeSocket.last.welcome({ resumed: true, lastEventSeq: 2 });
    // Events from #2 again (say, a server that replays from what it last knew): #2 is not processed twice.
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 2, events: [{ name: "b", data: 2 }, { name: "c", data: 3 }] });
    expect(names).toEqual(["a", "b", "c"]);
  });

  it("a gap in the server's event numbers is a protocol error, and the resume asks for what is missing", () => {
    const { client, errors, time } = startOpen();
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 1, events: [{ name: "a", data: 1 }] });
    FakeSocket.last.receive({ type: MsgType.Events, firstEventSeq: 3, events: [{ name: "c", data: 3 }] });
    expect(errors.map((error) => error.kind)).toContain("protocol");
    expect(client.state).toBe("resuming");
    time.advance(1_000);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent[0]).toEqual({ type: MsgType.Resume, token: "token-1", lastEventSeq: 1 });
  });

  it("a text frame from the server is a protocol error and the client resumes", () => {
    const { client, errors } = startOpen();
    FakeSocket.last.receiveRaw("hello");
    expect(errors[0].kind).toBe("protocol");
    expect(client.state).toBe("resuming");
  });

  it("a listener that throws becomes a 'listener' error; other listeners still run", () => {
    const { client, errors } = start();
    const seen: number[] = [];
    client.on("welcome", () => {
      throw new Error("bad listener");
    });
    client.on("welcome", (welcome) => seen.push(welcome.entityId));
    FakeSocket.last.open();
    FakeSocket.last.welcome({ entityId: 3 });
    expect(seen).toEqual([3]);
    expect(errors).toEqual([expect.objectContaining({ kind: "listener" })]);
    expect(client.state).toBe("open");
  });

  it("counts received and sent bytes", () => {
    const { client } = startOpen();
    client.sendInput({ dx: 1, dy: 0 });
    expect(client.stats.totalBytesIn).toBeGreaterThan(10);
    expect(client.stats.totalBytesOut).toBeGreaterThan(5);
  });
});
