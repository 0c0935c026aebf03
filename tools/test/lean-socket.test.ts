import { createHash } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server, Socket } from "node:net";
import { connect, type DisconnectInfo } from "@tickwire/client";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebSocket as PeerSocket, WebSocketServer } from "ws";
import {
  DEFAULT_MAX_PAYLOAD,
  frameOverheadBytes,
  type LeanCloseEvent,
  type LeanSocketOptions,
  LeanWebSocket,
  type RefusalResponse,
} from "../src/bots/lean-socket.js";
import { type BotSocket, botSocketClass } from "../src/bots/socket.js";
import { createBotsTestGame, input, schema } from "./bots-game.js";

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const CLOSED_BEFORE_OPEN = "WebSocket was closed before the connection was established";

/** Everything a socket reports, in order, with promises for the moments tests wait on. */
function track(socket: LeanWebSocket) {
  const log: string[] = [];
  const messages: unknown[] = [];
  const errors: string[] = [];
  let messageWaiter: { count: number; resolve: () => void } | null = null;
  const opened = new Promise<void>((resolve) => {
    socket.onopen = () => {
      log.push(`open ${socket.readyState}`);
      resolve();
    };
  });
  const closed = new Promise<LeanCloseEvent>((resolve) => {
    socket.onclose = (event) => {
      log.push(`close ${event.code} ${socket.readyState}`);
      resolve(event);
    };
  });
  socket.onerror = (event) => {
    log.push(`error ${socket.readyState}`);
    errors.push(event.message);
  };
  socket.onmessage = (event) => {
    messages.push(event.data);
    if (messageWaiter !== null && messages.length >= messageWaiter.count) messageWaiter.resolve();
  };
  const received = (count: number) =>
    new Promise<unknown[]>((resolve) => {
      messageWaiter = { count, resolve: () => resolve(messages) };
      if (messages.length >= count) resolve(messages);
    });
  return { log, messages, errors, opened, closed, received };
}

function bytes(length: number, seed = 1): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed * 7) & 0xff;
  return data;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listening(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

// ── a `ws` server as the peer ──

async function startWsPeer(options: { handleProtocols?: (protocols: Set<string>) => string | false } = {}) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, ...options });
  await once(server, "listening");
  const connections: { socket: PeerSocket; request: IncomingMessage }[] = [];
  const connected = new Promise<PeerSocket>((resolve) => {
    server.on("connection", (socket, request) => {
      connections.push({ socket, request });
      resolve(socket);
    });
  });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?world=main`, connected, connections };
}

// ── a raw TCP server that writes crafted bytes ──

interface ClientFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  maskKey: Buffer;
  payload: Buffer;
}

/** The server's side of one upgraded connection: the client's frames, unmasked, as they arrive. */
class RawPeer {
  private buffered = Buffer.alloc(0);
  private readonly frames: ClientFrame[] = [];
  private waiter: (() => void) | null = null;

  constructor(
    readonly socket: Socket,
    readonly headers: Record<string, string>,
    private readonly key: string,
  ) {}

  /** Answers with 101 (and `after`, in the same write). */
  accept(after: Uint8Array = new Uint8Array(0), extraHeaders = ""): void {
    const accept = createHash("sha1").update(this.key + ACCEPT_GUID).digest("base64");
    const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extraHeaders}\r\n`;
    this.socket.write(Buffer.concat([Buffer.from(head, "latin1"), after]));
    this.socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
  }

  async nextFrame(): Promise<ClientFrame> {
    while (this.frames.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.frames.shift()!;
  }

  private parse(): void {
    for (;;) {
      const data = this.buffered;
      if (data.length < 2) return;
      let length = data[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (data.length < 4) return;
        length = data.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (data.length < 10) return;
        length = Number(data.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (data[1] & 0x80) !== 0;
      const maskKey = masked ? data.subarray(at, at + 4) : Buffer.alloc(4);
      if (masked) at += 4;
      if (data.length < at + length) return;
      const payload = Buffer.from(data.subarray(at, at + length));
      for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i & 3];
      this.frames.push({ fin: (data[0] & 0x80) !== 0, opcode: data[0] & 0x0f, masked, maskKey: Buffer.from(maskKey), payload });
      this.buffered = data.subarray(at + length);
      this.waiter?.();
    }
  }
}

/** A TCP server that reads each upgrade request and hands the connection to `handle`; `peer` is the first. */
async function startRawServer(handle: (peer: RawPeer) => void) {
  const sockets = new Set<Socket>();
  let first: (peer: RawPeer) => void = () => {};
  const peer = new Promise<RawPeer>((resolve) => (first = resolve));
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const headers: Record<string, string> = {};
      for (const line of head.slice(0, end).split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const raw = new RawPeer(socket, headers, headers["sec-websocket-key"]);
      first(raw);
      handle(raw);
    };
    socket.on("data", onData);
  });
  const port = await listening(server);
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `ws://127.0.0.1:${port}/ws`, peer };
}

/** One unmasked server frame. */
function frame(opcode: number, payload: Uint8Array | string, options: { fin?: boolean; first?: number; second?: number } = {}) {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  let head: Buffer;
  if (body.length <= 125) head = Buffer.from([0, body.length]);
  else if (body.length <= 0xffff) {
    head = Buffer.from([0, 126, 0, 0]);
    head.writeUInt16BE(body.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(body.length), 2);
  }
  head[0] = ((options.fin ?? true) ? 0x80 : 0) | opcode | (options.first ?? 0);
  head[1] |= options.second ?? 0;
  return Buffer.concat([head, body]);
}

const closePayload = (code: number, reason = "") => {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
};

/** Writes `data` in pieces of `size` bytes with a pause between, so they reach the client as separate reads. */
async function dribble(socket: Socket, data: Uint8Array, size = 1): Promise<void> {
  for (let at = 0; at < data.length; at += size) {
    socket.write(data.subarray(at, at + size));
    await delay(1);
  }
}

function open(url: string, protocols?: string | string[], options?: LeanSocketOptions) {
  const socket = new LeanWebSocket(url, protocols, options);
  socket.binaryType = "arraybuffer";
  cleanups.push(() => socket.close());
  return { socket, ...track(socket) };
}

describe("LeanWebSocket against ws' server", () => {
  it("upgrades with the offered subprotocols, exposes the chosen one, and goes CONNECTING → OPEN → CLOSING → CLOSED", async () => {
    const peer = await startWsPeer({ handleProtocols: (offered) => (offered.has("tickwire.v1") ? "tickwire.v1" : false) });
    const { socket, log, opened, closed } = open(peer.url, ["chat", "tickwire.v1"]);
    expect(socket.readyState).toBe(0);
    expect(socket.protocol).toBe("");
    await opened;
    const server = await peer.connected;
    const { request } = peer.connections[0];
    expect(request.headers["sec-websocket-version"]).toBe("13");
    expect(request.headers["sec-websocket-protocol"]).toBe("chat, tickwire.v1");
    expect(request.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(Buffer.from(request.headers["sec-websocket-key"]!, "base64")).toHaveLength(16);
    expect(request.url).toBe("/ws?world=main");
    expect(socket.protocol).toBe("tickwire.v1");

    const serverClose = once(server, "close");
    socket.close(1000, "done");
    expect(socket.readyState).toBe(2);
    expect(await closed).toEqual({ code: 1000, reason: "done", wasClean: true });
    const [code, reason] = await serverClose;
    expect([code, String(reason)]).toEqual([1000, "done"]);
    expect(log).toEqual(["open 1", "close 1000 3"]);
  });

  it("refuses a 101 that lacks the offered subprotocol: onerror, then onclose 1006", async () => {
    const peer = await startWsPeer({ handleProtocols: () => false });
    const { errors, log, closed } = open(peer.url, "tickwire.v1");
    expect((await closed).code).toBe(1006);
    expect(errors).toEqual(["the server chose no subprotocol"]);
    expect(log).toEqual(["error 2", "close 1006 3"]);
  });

  it("echoes binary messages of 0, 125, 126, 65535, 65536 and 1 MiB bytes intact (7-, 16- and 64-bit lengths) as ArrayBuffers", async () => {
    const peer = await startWsPeer();
    void peer.connected.then((server) => server.on("message", (data, isBinary) => server.send(data, { binary: isBinary })));
    const { socket, opened, received } = open(peer.url);
    await opened;
    const sizes = [0, 125, 126, 65535, 65536, 1024 * 1024];
    const sent = sizes.map((size, i) => bytes(size, i));
    for (const data of sent) socket.send(data);
    const echoed = await received(sizes.length);
    for (const [i, data] of echoed.entries()) {
      expect(data).toBeInstanceOf(ArrayBuffer);
      expect(Buffer.from(data as ArrayBuffer).equals(Buffer.from(sent[i]))).toBe(true);
    }
  });

  it("delivers Buffers unless binaryType is 'arraybuffer', and text frames as strings", async () => {
    const peer = await startWsPeer();
    void peer.connected.then((server) => {
      server.send(Buffer.from([1, 2, 3]));
      server.send("héllo wörld");
    });
    const socket = new LeanWebSocket(peer.url);
    cleanups.push(() => socket.close());
    const { received } = track(socket);
    const [binary, text] = await received(2);
    expect(Buffer.isBuffer(binary) && [...binary]).toEqual([1, 2, 3]);
    expect(text).toBe("héllo wörld");
  });

  it("with lendMessages, hands binary messages over as views of its read memory, whole and in order, without a copy", async () => {
    const peer = await startWsPeer();
    const sizes = [3, 126, 70_000, 5];
    const sent = sizes.map((size, i) => bytes(size, i));
    void peer.connected.then((server) => {
      for (const data of sent) server.send(data);
    });
    const socket = new LeanWebSocket(peer.url, undefined, { lendMessages: true });
    socket.binaryType = "arraybuffer";
    cleanups.push(() => socket.close());
    const copies: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      socket.onmessage = (event) => {
        // Lent: read during the call, kept only as a copy.
        expect(Buffer.isBuffer(event.data)).toBe(true);
        copies.push(Buffer.from(event.data as Buffer));
        if (copies.length === sizes.length) resolve();
      };
    });
    await done;
    expect(copies.map((copy, i) => copy.equals(Buffer.from(sent[i])))).toEqual(sizes.map(() => true));
  });

  it("answers the server's ping with a pong carrying the ping's payload", async () => {
    const peer = await startWsPeer();
    const { opened } = open(peer.url);
    await opened;
    const server = await peer.connected;
    const pong = once(server, "pong");
    server.ping(Buffer.from("are you there"));
    expect(String((await pong)[0])).toBe("are you there");
  });

  it("reports the server's close code and reason in onclose and answers the close (clean)", async () => {
    const peer = await startWsPeer();
    const { socket, opened, closed, errors } = open(peer.url);
    await opened;
    const server = await peer.connected;
    const serverClosed = once(server, "close");
    server.close(4003, "kicked by the server");
    expect(await closed).toEqual({ code: 4003, reason: "kicked by the server", wasClean: true });
    expect((await serverClosed)[0]).toBe(4003);
    expect(socket.readyState).toBe(3);
    expect(errors).toEqual([]);
  });

  it("reports 1006 when the TCP connection ends without a close frame, with no onerror", async () => {
    const peer = await startWsPeer();
    const { opened, closed, errors } = open(peer.url);
    await opened;
    (await peer.connected).terminate();
    expect(await closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(errors).toEqual([]);
  });

  it("writes each message as one masked frame in a single socket write", async () => {
    const peer = await startWsPeer();
    const { socket, opened } = open(peer.url);
    await opened;
    const write = vi.spyOn(Socket.prototype, "write");
    try {
      for (const size of [12, 400, 70_000]) {
        write.mockClear();
        socket.send(bytes(size));
        expect(write).toHaveBeenCalledTimes(1);
        expect((write.mock.calls[0][0] as Buffer).length).toBe(size + frameOverheadBytes(size, true));
      }
    } finally {
      write.mockRestore();
    }
  });
});

describe("LeanWebSocket reading crafted frames", () => {
  it("masks every frame with a fresh key", async () => {
    const { url, peer: connected } = await startRawServer((raw) => raw.accept());
    const { socket, opened } = open(url);
    await opened;
    const payload = bytes(40);
    socket.send(payload);
    socket.send(payload);
    const peer = await connected;
    const first = await peer.nextFrame();
    const second = await peer.nextFrame();
    for (const sent of [first, second]) {
      expect(sent).toMatchObject({ fin: true, opcode: 2, masked: true });
      expect(sent.payload.equals(Buffer.from(payload))).toBe(true);
    }
    expect(first.maskKey.equals(second.maskKey)).toBe(false);
  });

  it("counts in bufferedAmount what the kernel has not taken yet, down to 0 once the server has read it all", async () => {
    const { url, peer: connected } = await startRawServer((raw) => {
      raw.accept();
      raw.socket.pause();
    });
    const { socket, opened } = open(url);
    await opened;
    const size = 8 * 1024 * 1024;
    socket.send(bytes(size));
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    expect(socket.bufferedAmount).toBeLessThanOrEqual(size + frameOverheadBytes(size, true));
    const peer = await connected;
    peer.socket.resume();
    expect((await peer.nextFrame()).payload.length).toBe(size);
    expect(socket.bufferedAmount).toBe(0);
  });

  it("reads many messages coalesced into the 101 response's single TCP write, in order", async () => {
    const sizes = Array.from({ length: 60 }, (_, i) => (i * 37) % 300);
    const { url } = await startRawServer((peer) => peer.accept(Buffer.concat(sizes.map((size, i) => frame(2, bytes(size, i))))));
    const { received } = open(url);
    const messages = await received(sizes.length);
    expect(messages.map((data) => (data as ArrayBuffer).byteLength)).toEqual(sizes);
    expect(messages.every((data, i) => Buffer.from(data as ArrayBuffer).equals(Buffer.from(bytes(sizes[i], i))))).toBe(true);
  });

  it("reassembles frames whose headers and payloads arrive a byte (or a few KiB) per read", async () => {
    const small = bytes(300, 1);
    const large = bytes(65_536 + 17, 2);
    const { url } = await startRawServer(async (peer) => {
      peer.accept();
      await dribble(peer.socket, Buffer.concat([frame(2, small), frame(1, "ok")]));
      const largeFrame = frame(2, large);
      await dribble(peer.socket, largeFrame.subarray(0, 10));
      await dribble(peer.socket, largeFrame.subarray(10), 5000);
    });
    const { received } = open(url);
    const [first, second, third] = await received(3);
    expect(Buffer.from(first as ArrayBuffer).equals(Buffer.from(small))).toBe(true);
    expect(second).toBe("ok");
    expect(Buffer.from(third as ArrayBuffer).equals(Buffer.from(large))).toBe(true);
  });

  it("joins fragmented messages (continuation frames) and answers a ping between their fragments", async () => {
    const { url, peer: connected } = await startRawServer((raw) => {
      raw.accept(
        Buffer.concat([
          frame(1, "hél", { fin: false }),
          frame(9, "ping!"),
          frame(0, "lo", { fin: false }),
          frame(0, ""),
          frame(2, bytes(100), { fin: false }),
          frame(0, bytes(200)),
        ]),
      );
    });
    const { received } = open(url);
    const [text, binary] = await received(2);
    expect(text).toBe("héllo");
    expect(Buffer.from(binary as ArrayBuffer).equals(Buffer.concat([bytes(100), bytes(200)]))).toBe(true);
    const peer = await connected;
    const pong = await peer.nextFrame();
    expect(pong).toMatchObject({ opcode: 10, masked: true });
    expect(String(pong.payload)).toBe("ping!");
  });

  it("reports 1005 when the server's close frame has no status, and answers with an empty close", async () => {
    const { url, peer: connected } = await startRawServer((raw) => {
      raw.accept(frame(8, ""));
    });
    const { closed } = open(url);
    const peer = await connected;
    const answer = await peer.nextFrame();
    expect(answer).toMatchObject({ opcode: 8, payload: Buffer.alloc(0) });
    peer.socket.end();
    expect(await closed).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it.each([
    ["a masked server frame", 1002, frame(2, "x", { second: 0x80 })],
    ["reserved bits without an extension", 1002, frame(2, "x", { first: 0x40 })],
    ["an unknown opcode", 1002, frame(3, "x")],
    ["a continuation with no message", 1002, frame(0, "x")],
    ["a new message inside a fragmented one", 1002, Buffer.concat([frame(2, "a", { fin: false }), frame(2, "b")])],
    ["a fragmented ping", 1002, frame(9, "x", { fin: false })],
    ["a close frame with a reserved code", 1002, frame(8, closePayload(1005))],
    ["a text message that is not UTF-8", 1007, frame(1, Buffer.from([0xc3, 0x28]))],
  ])("fails the connection on %s: close frame %i to the server, onerror, then onclose with that code", async (_, code, bad) => {
    const { url, peer: connected } = await startRawServer((raw) => {
      raw.accept(Buffer.concat([frame(2, "before"), bad, frame(2, "after")]));
    });
    const { closed, errors, messages, log } = open(url);
    const event = await closed;
    expect(event).toMatchObject({ code, wasClean: false });
    expect(errors).toHaveLength(1);
    expect(log).toEqual(["open 1", "error 2", `close ${code} 3`]);
    expect(messages.map((data) => String(Buffer.from(data as ArrayBuffer)))).toEqual(["before"]);
    const peer = await connected;
    const sent = await peer.nextFrame();
    expect(sent.opcode).toBe(8);
    expect(sent.payload.readUInt16BE(0)).toBe(code);
  });

  it("closes with 1009 when a frame header announces more than 16 MiB, without waiting for the payload", async () => {
    const { url, peer: connected } = await startRawServer((raw) => {
      const head = Buffer.alloc(10);
      head[0] = 0x82;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(DEFAULT_MAX_PAYLOAD + 1), 2);
      raw.accept(head);
    });
    const { closed, errors } = open(url);
    expect((await closed).code).toBe(1009);
    expect(errors).toEqual([`a message larger than ${DEFAULT_MAX_PAYLOAD} bytes`]);
    const peer = await connected;
    expect((await peer.nextFrame()).payload.readUInt16BE(0)).toBe(1009);
  });

  it("closes with 1009 when fragments add up past maxPayload", async () => {
    const { url } = await startRawServer((peer) => peer.accept(Buffer.concat([frame(2, bytes(600), { fin: false }), frame(0, bytes(600))])));
    const { closed, messages } = open(url, undefined, { maxPayload: 1000 });
    expect((await closed).code).toBe(1009);
    expect(messages).toEqual([]);
  });

  it("ends the TCP connection itself when the server never answers its close frame", async () => {
    const { url, peer: connected } = await startRawServer((raw) => {
      raw.accept();
    });
    const { socket, opened, closed } = open(url, undefined, { closeTimeoutMs: 50 });
    await opened;
    socket.close(4000, "bye");
    const peer = await connected;
    expect((await peer.nextFrame()).payload.readUInt16BE(0)).toBe(4000);
    expect(await closed).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("LeanWebSocket connection failures", () => {
  it("close() before the upgrade completes fires onerror, then onclose 1006", async () => {
    const { url } = await startRawServer(() => {});
    const { socket, closed, errors, log } = open(url);
    socket.close();
    expect(socket.readyState).toBe(2);
    expect(await closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(errors).toEqual([CLOSED_BEFORE_OPEN]);
    expect(log).toEqual(["error 2", "close 1006 3"]);
  });

  it("a refused TCP connection fires onerror with the cause, then onclose 1006", async () => {
    const server = createTcpServer();
    const port = await listening(server);
    await new Promise((resolve) => server.close(resolve));
    const { closed, errors } = open(`ws://127.0.0.1:${port}/`);
    expect((await closed).code).toBe(1006);
    expect(errors).toEqual([expect.stringContaining("ECONNREFUSED")]);
  });

  it("refuses wss:// and non-WebSocket URLs when constructed", () => {
    expect(() => new LeanWebSocket("wss://127.0.0.1:1/")).toThrow(/ws:\/\/ only/);
    expect(() => new LeanWebSocket("http://127.0.0.1:1/")).toThrow(SyntaxError);
  });
});

/** Raw refusals as servers send them, one per way of framing the body. */
const refusals = {
  "Content-Length": "HTTP/1.1 401 Unauthorized\r\nContent-Length: 24\r\nConnection: keep-alive\r\n\r\ninvalid or missing token",
  chunked:
    "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nworld\r\n8\r\n is full\r\n0\r\n\r\n",
  "the connection's end": "HTTP/1.0 503 Service Unavailable\r\n\r\nworld is full",
};

describe("refused upgrades", () => {
  it.each(Object.entries(refusals))("hand 'unexpected-response' the status and a body framed by %s; close() then ends with error and 1006", async (framing, response) => {
    const { url } = await startRawServer((peer) => {
      // Keep-alive servers leave the connection open; the client closes it.
      if (framing === "the connection's end") peer.socket.end(response);
      else peer.socket.write(response);
    });
    const { socket, closed, errors } = open(url, "tickwire.v1");
    const refusal = new Promise<{ status: number; body: string }>((resolve) => {
      socket.on("unexpected-response", (_request: unknown, res: RefusalResponse) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode, body });
          socket.close();
        });
      });
    });
    const expected = framing === "Content-Length" ? { status: 401, body: "invalid or missing token" } : { status: 503, body: "world is full" };
    expect(await refusal).toEqual(expected);
    expect((await closed).code).toBe(1006);
    expect(errors).toEqual([CLOSED_BEFORE_OPEN]);
  });

  it("without an 'unexpected-response' listener fails with 'Unexpected server response: <status>' and 1006", async () => {
    const { url } = await startRawServer((peer) => peer.socket.write(refusals.chunked));
    const { closed, errors } = open(url);
    expect((await closed).code).toBe(1006);
    expect(errors).toEqual(["Unexpected server response: 503"]);
  });
});

// ── through @tickwire/client, against a real tickwire server ──

async function startTickwire(options: { auth?: () => unknown } = {}): Promise<TickwireServer> {
  const server = await createServer({
    host: "127.0.0.1",
    port: 0,
    worlds: [{ id: "main", game: createBotsTestGame() }],
    logger: silentLogger(),
    defaultMetrics: false,
    ...options,
  });
  cleanups.push(() => server.close());
  return server;
}

function refusalSeenByClient(url: string): Promise<DisconnectInfo> {
  const client = connect(url, { name: "refused", runtime: { WebSocket: LeanWebSocket, fetch: null }, tuning: { reconnect: false } });
  cleanups.push(() => client.close());
  return new Promise((resolve) => client.on("disconnect", resolve));
}

describe("a @tickwire/client on the lean socket", () => {
  it("joins a real tickwire server, receives snapshots and has its inputs acknowledged, then closes cleanly", async () => {
    const server = await startTickwire();
    const sockets: BotSocket[] = [];
    const client = connect(`ws://127.0.0.1:${server.port}/ws?world=main`, {
      name: "lean",
      game: { schema, input },
      runtime: { WebSocket: botSocketClass({ opening: (socket) => sockets.push(socket) }), fetch: null },
    });
    cleanups.push(() => client.close());
    const welcome = await new Promise<{ tickRate: number }>((resolve) => client.on("welcome", resolve));
    expect(welcome.tickRate).toBe(20);
    let sent = -1;
    const acked = new Promise<number>((resolve) => {
      let snapshots = 0;
      client.on("snapshot", (snapshot) => {
        if (++snapshots === 3) sent = client.sendInput({ dx: 1, dy: 0 });
        if (sent >= 0 && snapshot.ackSeq === sent) resolve(snapshots);
      });
    });
    expect(await acked).toBeGreaterThan(3);
    expect(sockets).toHaveLength(1);
    const [socket] = sockets;
    expect(socket.protocol).not.toBe("");
    const socketClosed = once(socket, "close");
    client.close();
    expect((await socketClosed)[0]).toBe(1000);
    expect(socket.readyState).toBe(3);
  });

  it("reports a real server's 401 refusal with its status and body", async () => {
    const server = await startTickwire({ auth: () => null });
    const info = await refusalSeenByClient(`ws://127.0.0.1:${server.port}/ws?world=main`);
    expect(info).toMatchObject({ status: 401, reason: "invalid or missing token", welcomed: false, code: 1006 });
  });

  it("reports a 503 refusal with a chunked body", async () => {
    const { url } = await startRawServer((peer) => peer.socket.write(refusals.chunked));
    const info = await refusalSeenByClient(url);
    expect(info).toMatchObject({ status: 503, reason: "world is full", welcomed: false });
  });
});
