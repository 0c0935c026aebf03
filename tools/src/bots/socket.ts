import type { WebSocketConstructor } from "@tickwire/client";
import { WebSocket } from "ws";

/**
 * What a bot learns from its sockets, below the client: every frame's payload size and
 * arrival time, failures, the close code and reason, and an HTTP refusal's status.
 */
export interface SocketObserver {
  /** The client created a socket (first connection or a reconnect). */
  opening(socket: BotSocket): void;
  /** A frame arrived; runs before the client's own handler sees it. */
  received(socket: BotSocket, data: Uint8Array): void;
  /** A frame of `bytes` payload bytes was handed to the socket. */
  sent(socket: BotSocket, bytes: number): void;
  /** The socket failed (e.g. connection refused); a close follows. */
  failed(socket: BotSocket, message: string): void;
  /** The server refused the upgrade with this HTTP status. */
  refused(socket: BotSocket, status: number): void;
  closed(socket: BotSocket, code: number, reason: string): void;
}

export interface BotSocketOptions {
  /** Source address to connect from (spreads bots over loopback addresses). */
  localAddress?: string;
}

/** A `ws` WebSocket that reports to its bot; created by the client through `botSocketClass`. */
export type BotSocket = WebSocket;

const EMPTY = new Uint8Array(0);

function asBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return asBytes(Buffer.concat(data as Buffer[]));
  return EMPTY;
}

/**
 * A WebSocket class for one bot's client: the client takes a constructor, so observation
 * needs no hook in the client. Listeners added here run before the client's `on*`
 * handlers, so arrival times exclude the client's own work on the message.
 */
export function botSocketClass(observer: SocketObserver, options: BotSocketOptions = {}): WebSocketConstructor {
  const clientOptions: WebSocket.ClientOptions = { perMessageDeflate: false };
  if (options.localAddress !== undefined) clientOptions.localAddress = options.localAddress;

  class ObservedSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, clientOptions);
      observer.opening(this);
      this.on("message", (data) => observer.received(this, asBytes(data)));
      this.on("unexpected-response", (_request, response) => observer.refused(this, response.statusCode ?? 0));
      this.on("close", (code, reason) => observer.closed(this, code, reason.toString()));
      // Also keeps ws from throwing on an error that comes before the client set onerror.
      this.on("error", (error) => observer.failed(this, error.message));
    }

    // biome-ignore lint/suspicious/noExplicitAny: forwards ws' overloads unchanged.
    override send(data: any, options?: any, callback?: any): void {
      if (this.readyState === WebSocket.OPEN) observer.sent(this, asBytes(data).byteLength);
      super.send(data, options, callback);
    }
  }
  return ObservedSocket as unknown as WebSocketConstructor;
}

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

/** msgpack fixarray (0x90–0x9f) and array16 (0xdc) headers: a message envelope starts with one. */
const FIXARRAY_MIN = 0x90;
const FIXARRAY_MAX = 0x9f;
const ARRAY16 = 0xdc;
const ARRAY16_HEADER_BYTES = 3;
/** Positive fixint: message types are small integers. */
const FIXINT_MAX = 0x7f;

/**
 * The message type of an encoded message without decoding it (-1 when it does not look
 * like an envelope): the bot picks out pongs and snapshots without decoding every frame twice.
 */
export function peekMessageType(bytes: Uint8Array): number {
  if (bytes.length < 2) return -1;
  const head = bytes[0];
  let at = 1;
  if (head === ARRAY16) at = ARRAY16_HEADER_BYTES;
  else if (head < FIXARRAY_MIN || head > FIXARRAY_MAX) return -1;
  const type = bytes[at];
  return type !== undefined && type <= FIXINT_MAX ? type : -1;
}
