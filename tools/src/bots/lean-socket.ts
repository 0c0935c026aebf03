import { isUtf8 } from "node:buffer";
import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { Readable } from "node:stream";
import type { WebSocketLike } from "@tickwire/client";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** RFC 6455 §1.3: hashed with the key into Sec-WebSocket-Accept. */
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Far above any tickwire message; a larger one means a broken or hostile server. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/** How long the closing handshake may take before the TCP connection is dropped. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2000;
/** A response head longer than this is not from a server we mean to talk to. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Refusal bodies are one short line; anything past this is cut. */
const MAX_REFUSAL_BODY_BYTES = 64 * 1024;
/** One read's worth: what libuv hands over per socket read. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Mask keys for 2048 frames per crypto call: one call per 12-byte frame would cost more than the frame. */
const MASK_POOL_BYTES = 8 * 1024;
/** RFC 6455 §5.5: control frames carry at most 125 bytes, so a close reason at most 123. */
const MAX_CLOSE_REASON_BYTES = 123;

const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;
const FIN_BIT = 0x80;
const RSV_BITS = 0x70;
const OPCODE_BITS = 0x0f;
const MASK_BIT = 0x80;
const LENGTH_BITS = 0x7f;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** RFC 6455 §7.4.1 close codes this file uses itself. */
const CloseStatus = { Normal: 1000, ProtocolError: 1002, NoStatus: 1005, Abnormal: 1006, InvalidPayload: 1007, TooBig: 1009 } as const;

/** Largest payload whose length fits the frame header's 7-bit field (RFC 6455 §5.2). */
const SHORT_PAYLOAD_MAX = 125;
/** Largest payload with a 16-bit extended length; above it the length takes 64 bits. */
const MEDIUM_PAYLOAD_MAX = 0xffff;
/** Client frames carry a 4-byte masking key (RFC 6455 §5.3). */
const MASK_KEY_BYTES = 4;

/**
 * Bytes a WebSocket frame adds to a payload of `payloadBytes`: 2, 4 or 10 bytes of
 * header, plus the mask key on client → server frames. TCP/IP headers are not counted.
 */
export function frameOverheadBytes(payloadBytes: number, masked: boolean): number {
  const header = payloadBytes <= SHORT_PAYLOAD_MAX ? 2 : payloadBytes <= MEDIUM_PAYLOAD_MAX ? 4 : 10;
  return masked ? header + MASK_KEY_BYTES : header;
}

export interface LeanSocketOptions {
  /** Source address of the TCP connection. */
  localAddress?: string;
  /** Largest message accepted; a larger one closes the socket with 1009. */
  maxPayload?: number;
  /** Wait for the server's side of the closing handshake at most this long. */
  closeTimeoutMs?: number;
  /**
   * Binary messages are lent, not copied: `data` is a Buffer over the socket's own read
   * memory, valid only until `onmessage` returns (whatever binaryType says). For a consumer
   * that decodes each message at once and keeps none of its bytes, such as a bot's client:
   * it saves an ArrayBuffer per message.
   */
  lendMessages?: boolean;
}

export interface LeanMessageEvent {
  /** ArrayBuffer when `binaryType` is "arraybuffer", else a Buffer; a string for text frames. */
  data: ArrayBuffer | Buffer | string;
}

export interface LeanCloseEvent {
  code: number;
  reason: string;
  /** Both close frames were exchanged. */
  wasClean: boolean;
}

export interface LeanErrorEvent {
  message: string;
}

/** What 'unexpected-response' hands over: the refusal's status, headers and a readable body. */
export type RefusalResponse = Readable & {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
};

// One process, one thread: reads never overlap, so every socket reads into the same buffer
// and copies out only what it keeps.
const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
const maskPool = Buffer.allocUnsafe(MASK_POOL_BYTES);
let maskUsed = MASK_POOL_BYTES;

/**
 * A WebSocket client (RFC 6455) for `ws://` URLs on a bare TCP socket, for processes that
 * run thousands of them: one write per frame, frames parsed straight off the socket's
 * reads, no extensions. Browser-style `on*` handlers; like `ws` it also emits
 * 'unexpected-response' (null, response) when the server answers the upgrade with a status
 * other than 101 — close the socket once the body is read — and 'close' (code, reason).
 */
export class LeanWebSocket extends EventEmitter implements WebSocketLike {
  binaryType = "nodebuffer";
  onopen: ((event: object) => void) | null = null;
  onmessage: ((event: LeanMessageEvent) => void) | null = null;
  onclose: ((event: LeanCloseEvent) => void) | null = null;
  onerror: ((event: LeanErrorEvent) => void) | null = null;

  private state = CONNECTING;
  private serverProtocol = "";
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString("base64");
  private readonly offered: readonly string[];
  private readonly maxPayload: number;
  private readonly closeTimeoutMs: number;
  private readonly lendMessages: boolean;

  // Handshake.
  private upgraded = false;
  private head: Buffer | null = null;
  private refusal: RefusalBody | null = null;

  // Frames: the one being read, and the message its fragments make up.
  private reading = true;
  private headPart: Buffer | null = null;
  private fin = false;
  private opcode = 0;
  private payloadLength = 0;
  private payloadLeft = 0;
  private payloadParts: Buffer[] = [];
  private messageOpcode = 0;
  private messageBytes = 0;
  private fragments: Buffer[] = [];

  // Closing.
  private closeCode: number = CloseStatus.Abnormal;
  private closeReason = "";
  private closeFrameSent = false;
  private closeFrameReceived = false;
  private closeTimer: NodeJS.Timeout | null = null;
  private tcpClosed = false;
  private socketError = "";
  /** Reported by onerror just before onclose. */
  private pendingError: string | null = null;

  constructor(url: string, protocols?: string | string[], options: LeanSocketOptions = {}) {
    super();
    const target = new URL(url);
    if (target.protocol === "wss:") throw new Error(`LeanWebSocket speaks ws:// only, not TLS: ${url}`);
    if (target.protocol !== "ws:") throw new SyntaxError(`not a ws:// URL: ${url}`);
    this.offered = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.lendMessages = options.lendMessages ?? false;

    this.socket = connect({
      host: target.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: target.port === "" ? 80 : Number(target.port),
      localAddress: options.localAddress,
      noDelay: true,
      onread: { buffer: readBuffer, callback: this.onRead },
    });
    this.socket.on("end", this.onSocketEnd);
    this.socket.on("error", this.onSocketError);
    this.socket.on("close", this.onSocketClose);

    let request =
      `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${this.key}\r\n`;
    if (this.offered.length > 0) request += `Sec-WebSocket-Protocol: ${this.offered.join(", ")}\r\n`;
    this.socket.write(`${request}\r\n`, "latin1");
  }

  get readyState(): number {
    return this.state;
  }

  /** Bytes handed to the socket and not yet flushed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** The subprotocol the server chose; "" before the upgrade. */
  get protocol(): string {
    return this.serverProtocol;
  }

  /** Sends one binary message. Throws before the socket opens; dropped once it is closing. */
  send(data: Uint8Array): void {
    if (this.state === OPEN) this.socket.write(encodeFrame(Opcode.Binary, data));
    else if (this.state === CONNECTING) throw new Error("WebSocket is not open: readyState 0 (CONNECTING)");
  }

  /** Starts the closing handshake; before the upgrade completes, drops the attempt (error, then close 1006). */
  close(code?: number, reason = ""): void {
    if (code !== undefined && code !== CloseStatus.Normal && (code < 3000 || code > 4999)) {
      throw new RangeError(`close code must be 1000 or 3000–4999, got ${code}`);
    }
    if (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
      throw new RangeError(`close reason longer than ${MAX_CLOSE_REASON_BYTES} bytes`);
    }
    if (this.state === CONNECTING) this.abort("WebSocket was closed before the connection was established");
    else if (this.state === OPEN) {
      this.state = CLOSING;
      this.sendClose(code, reason);
      this.armCloseTimer();
    }
  }

  // ── handshake ──

  /** `bytes` new bytes in the shared read buffer; true keeps the socket reading. */
  private readonly onRead = (bytes: number): boolean => {
    if (this.upgraded) this.readFrames(readBuffer, bytes);
    else if (this.refusal !== null) this.refusal.add(readBuffer.subarray(0, bytes));
    else if (this.state === CONNECTING) this.readHandshake(readBuffer.subarray(0, bytes));
    return true;
  };

  private readHandshake(chunk: Buffer): void {
    const received = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
    const headEnd = received.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      if (received.length > MAX_HEAD_BYTES) this.abort("the upgrade response's head is too long");
      else this.head = Buffer.from(received);
      return;
    }
    this.head = null;
    const rest = received.subarray(headEnd + 4);
    const head = parseHead(received.toString("latin1", 0, headEnd));
    if (head === null) this.abort("invalid HTTP response to the upgrade request");
    else if (head.status !== 101) this.refused(head, rest);
    else {
      const problem = this.upgradeProblem(head.headers);
      if (problem !== null) this.abort(problem);
      else this.open(rest);
    }
  }

  /** What makes a 101 response unacceptable (RFC 6455 §4.1), or null. */
  private upgradeProblem(headers: Record<string, string>): string | null {
    if (headers.upgrade?.toLowerCase() !== "websocket") return "invalid Upgrade header";
    const accept = createHash("sha1").update(this.key + ACCEPT_GUID).digest("base64");
    if (headers["sec-websocket-accept"] !== accept) return "invalid Sec-WebSocket-Accept header";
    if (headers["sec-websocket-extensions"] !== undefined) return "the server chose an extension none was offered";
    const chosen = headers["sec-websocket-protocol"];
    if (chosen === undefined) return this.offered.length > 0 ? "the server chose no subprotocol" : null;
    if (!this.offered.includes(chosen)) return `the server chose a subprotocol that was not offered: ${chosen}`;
    this.serverProtocol = chosen;
    return null;
  }

  private open(rest: Buffer): void {
    this.upgraded = true;
    this.state = OPEN;
    this.onopen?.({});
    // Frames the server sent right behind its 101.
    if (rest.length > 0) this.readFrames(rest, rest.length);
  }

  /** A non-101 answer: hands its status and body to 'unexpected-response', as `ws` does. */
  private refused(head: ResponseHead, rest: Buffer): void {
    const failure = `Unexpected server response: ${head.status}`;
    if (this.listenerCount("unexpected-response") === 0) {
      this.abort(failure);
      return;
    }
    const response = Object.assign(new Readable({ read() {} }), {
      statusCode: head.status,
      statusMessage: head.statusText,
      headers: head.headers,
    });
    this.refusal = new RefusalBody(response, bodyFraming(head.headers));
    this.emit("unexpected-response", null, response);
    // After the listener's own: a listener that never closes the socket does not leave it hanging.
    response.once("end", () => {
      if (this.state === CONNECTING) this.abort(failure);
    });
    this.refusal.add(rest);
  }

  /** Drops a connection attempt: the TCP socket goes, then onerror and onclose (1006) follow. */
  private abort(message: string): void {
    this.state = CLOSING;
    this.pendingError = message;
    if (this.tcpClosed) process.nextTick(() => this.finish());
    else this.socket.destroy();
  }

  // ── frames ──

  /** Parses `length` bytes of `chunk` (the shared read buffer: whatever is kept is copied). */
  private readFrames(chunk: Buffer, length: number): void {
    if (!this.reading) return;
    let data = chunk;
    let end = length;
    let offset = 0;
    if (this.headPart !== null) {
      data = Buffer.concat([this.headPart, chunk.subarray(0, length)]);
      end = data.length;
      this.headPart = null;
    } else if (this.payloadLeft > 0) {
      offset = Math.min(this.payloadLeft, end);
      this.payloadParts.push(Buffer.from(data.subarray(0, offset)));
      this.payloadLeft -= offset;
      if (this.payloadLeft > 0) return;
      const payload = Buffer.concat(this.payloadParts);
      this.payloadParts = [];
      if (!this.frame(payload)) return;
    }
    while (offset < end) {
      const start = this.readFrameHead(data, offset, end);
      if (start < 0) return;
      if (start === 0) {
        this.headPart = Buffer.from(data.subarray(offset, end));
        return;
      }
      const frameEnd = start + this.payloadLength;
      if (frameEnd > end) {
        this.payloadParts.push(Buffer.from(data.subarray(start, end)));
        this.payloadLeft = frameEnd - end;
        return;
      }
      offset = frameEnd;
      if (!this.frame(data.subarray(start, frameEnd))) return;
    }
  }

  /** Reads a frame header at `offset`: the payload's start, 0 when incomplete, -1 when the frame is refused. */
  private readFrameHead(data: Buffer, offset: number, end: number): number {
    if (end - offset < 2) return 0;
    const first = data[offset];
    const second = data[offset + 1];
    let length = second & LENGTH_BITS;
    let start = offset + 2;
    if (length === LENGTH_16) {
      if (end - offset < 4) return 0;
      length = data.readUInt16BE(offset + 2);
      start += 2;
    } else if (length === LENGTH_64) {
      if (end - offset < 10) return 0;
      length = data.readUInt32BE(offset + 2) * 2 ** 32 + data.readUInt32BE(offset + 6);
      start += 8;
    }
    const fin = (first & FIN_BIT) !== 0;
    const opcode = first & OPCODE_BITS;
    const problem = this.frameProblem(first, second, fin, opcode, length);
    if (problem !== null) {
      this.fail(CloseStatus.ProtocolError, problem);
      return -1;
    }
    if (opcode < Opcode.Close && this.messageBytes + length > this.maxPayload) {
      this.fail(CloseStatus.TooBig, `a message larger than ${this.maxPayload} bytes`);
      return -1;
    }
    this.fin = fin;
    this.opcode = opcode;
    this.payloadLength = length;
    return start;
  }

  /** Why a server frame breaks RFC 6455 §5, or null. */
  private frameProblem(first: number, second: number, fin: boolean, opcode: number, length: number): string | null {
    if ((second & MASK_BIT) !== 0) return "the server masked a frame";
    if ((first & RSV_BITS) !== 0) return "reserved bits set with no extension negotiated";
    switch (opcode) {
      case Opcode.Continuation:
        return this.messageOpcode === 0 ? "a continuation frame with no message to continue" : null;
      case Opcode.Text:
      case Opcode.Binary:
        return this.messageOpcode !== 0 ? "a new message inside a fragmented one" : null;
      case Opcode.Close:
      case Opcode.Ping:
      case Opcode.Pong:
        return !fin || length > SHORT_PAYLOAD_MAX ? "a fragmented or oversized control frame" : null;
      default:
        return `unknown opcode ${opcode}`;
    }
  }

  /** Handles a whole frame; false when no more frames are to be read. */
  private frame(payload: Buffer): boolean {
    switch (this.opcode) {
      case Opcode.Ping:
        if (this.state === OPEN) this.socket.write(encodeFrame(Opcode.Pong, payload));
        return true;
      case Opcode.Pong:
        return true;
      case Opcode.Close:
        this.closeFrame(payload);
        return false;
    }
    if (this.fin && this.messageOpcode === 0) {
      this.deliver(this.opcode, payload);
      return this.reading;
    }
    if (this.messageOpcode === 0) this.messageOpcode = this.opcode;
    this.fragments.push(Buffer.from(payload));
    this.messageBytes += payload.length;
    if (!this.fin) return true;
    const opcode = this.messageOpcode;
    const message = Buffer.concat(this.fragments);
    this.messageOpcode = 0;
    this.messageBytes = 0;
    this.fragments = [];
    this.deliver(opcode, message);
    return this.reading;
  }

  /** Hands a message to onmessage; like browsers, only while open. */
  private deliver(opcode: number, payload: Buffer): void {
    if (this.state !== OPEN) return;
    let data: LeanMessageEvent["data"];
    if (opcode === Opcode.Text) {
      if (!isUtf8(payload)) {
        this.fail(CloseStatus.InvalidPayload, "a text message that is not UTF-8");
        return;
      }
      data = payload.toString("utf8");
    } else if (this.lendMessages) {
      data = payload;
    } else if (this.binaryType === "arraybuffer") {
      data = new Uint8Array(payload).buffer;
    } else {
      data = Buffer.from(payload);
    }
    this.onmessage?.({ data });
  }

  /** The server's close frame: answer it (unless we started the close) and end the TCP connection. */
  private closeFrame(payload: Buffer): void {
    let code: number = CloseStatus.NoStatus;
    let reason = "";
    if (payload.length === 1) {
      this.fail(CloseStatus.ProtocolError, "a close frame with a 1-byte payload");
      return;
    }
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!validCloseCode(code)) {
        this.fail(CloseStatus.ProtocolError, `invalid close code ${code}`);
        return;
      }
      const text = payload.subarray(2);
      if (!isUtf8(text)) {
        this.fail(CloseStatus.InvalidPayload, "a close reason that is not UTF-8");
        return;
      }
      reason = text.toString("utf8");
    }
    this.reading = false;
    this.closeFrameReceived = true;
    this.closeCode = code;
    this.closeReason = reason;
    if (this.state === OPEN) {
      this.state = CLOSING;
      this.sendClose(code === CloseStatus.NoStatus ? undefined : code, "");
    }
    this.socket.end();
    this.armCloseTimer();
  }

  /** Fails the connection (RFC 6455 §7.1.7): close frame with `code`, no more reading, onerror now, onclose with `code` later. */
  private fail(code: number, message: string): void {
    this.reading = false;
    this.closeCode = code;
    if (this.state === OPEN) {
      this.state = CLOSING;
      this.sendClose(code, "");
    }
    this.socket.end();
    this.armCloseTimer();
    this.onerror?.({ message });
  }

  private sendClose(code: number | undefined, reason: string): void {
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
    }
    this.socket.write(encodeFrame(Opcode.Close, payload));
    this.closeFrameSent = true;
  }

  private armCloseTimer(): void {
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
  }

  // ── TCP ──

  private readonly onSocketEnd = (): void => {
    if (this.state === OPEN) this.state = CLOSING;
  };

  private readonly onSocketError = (error: Error): void => {
    this.socketError = error.message;
  };

  private readonly onSocketClose = (): void => {
    this.tcpClosed = true;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.refusal !== null) {
      this.refusal.finish();
      // Its reader closes the socket once the body has ended.
      if (this.state === CONNECTING) return;
    } else if (this.state === CONNECTING) {
      this.pendingError = this.socketError || "socket hang up";
    }
    this.finish();
  };

  /** onerror (when a failure is pending), then onclose and 'close': once, as the socket's last word. */
  private finish(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSING;
    const error = this.pendingError;
    this.pendingError = null;
    if (error !== null) this.onerror?.({ message: error });
    this.state = CLOSED;
    const event: LeanCloseEvent = {
      code: this.closeCode,
      reason: this.closeReason,
      wasClean: this.closeFrameSent && this.closeFrameReceived,
    };
    this.onclose?.(event);
    this.emit("close", event.code, event.reason);
  }
}

/** One masked frame, header and payload in a single buffer for a single write. */
function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const start = frameOverheadBytes(length, true);
  const frame = Buffer.allocUnsafe(start + length);
  frame[0] = FIN_BIT | opcode;
  if (length <= SHORT_PAYLOAD_MAX) {
    frame[1] = MASK_BIT | length;
  } else if (length <= MEDIUM_PAYLOAD_MAX) {
    frame[1] = MASK_BIT | LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = MASK_BIT | LENGTH_64;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (maskUsed === MASK_POOL_BYTES) {
    randomFillSync(maskPool);
    maskUsed = 0;
  }
  const key = start - MASK_KEY_BYTES;
  maskPool.copy(frame, key, maskUsed, maskUsed + MASK_KEY_BYTES);
  maskUsed += MASK_KEY_BYTES;
  for (let i = 0; i < length; i++) frame[start + i] = payload[i] ^ frame[key + (i & 3)];
  return frame;
}

/** Codes a server may send (RFC 6455 §7.4): 1004–1006 are reserved, 1015 is for TLS failures. */
function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) || (code >= 3000 && code <= 4999);
}

interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

function parseHead(text: string): ResponseHead | null {
  const lines = text.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (status === null) return null;
  const headers: Record<string, string> = Object.create(null);
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon <= 0) return null;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(status[1]), statusText: status[2] ?? "", headers };
}

/** How a response body ends: after a length, at the last chunk, or with the connection. */
type BodyFraming = number | "chunked" | "close";

function bodyFraming(headers: Record<string, string>): BodyFraming {
  if (headers["transfer-encoding"]?.toLowerCase().includes("chunked")) return "chunked";
  const length = Number(headers["content-length"] ?? Number.NaN);
  return Number.isInteger(length) && length >= 0 ? length : "close";
}

/** The body of a refused upgrade, pushed whole into the response once it has all arrived. */
class RefusalBody {
  private received = Buffer.alloc(0);
  private ended = false;

  constructor(
    private readonly response: Readable,
    private readonly framing: BodyFraming,
  ) {}

  add(chunk: Buffer): void {
    if (this.ended) return;
    this.received = Buffer.concat([this.received, chunk]);
    const { body, complete } = this.decode();
    if (complete || this.received.length >= MAX_REFUSAL_BODY_BYTES) this.end(body);
  }

  /** The connection ended: what arrived is the body. */
  finish(): void {
    if (!this.ended) this.end(this.decode().body);
  }

  private decode(): { body: Buffer; complete: boolean } {
    if (this.framing === "chunked") return decodeChunked(this.received);
    if (this.framing === "close") return { body: this.received, complete: false };
    return { body: this.received.subarray(0, this.framing), complete: this.received.length >= this.framing };
  }

  private end(body: Buffer): void {
    this.ended = true;
    if (body.length > 0) this.response.push(body);
    this.response.push(null);
  }
}

/** Joins the chunks of a chunked body (RFC 9112 §7.1) received so far; complete at the last chunk or a malformed size. */
function decodeChunked(data: Buffer): { body: Buffer; complete: boolean } {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.toString("latin1", offset, lineEnd), 16);
    if (!(size > 0)) return { body: Buffer.concat(chunks), complete: true };
    const start = lineEnd + 2;
    if (data.length < start + size + 2) break;
    chunks.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
  return { body: Buffer.concat(chunks), complete: false };
}
