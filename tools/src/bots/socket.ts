import type { WebSocketConstructor } from "@tickwire/client";
import { WebSocket } from "ws";

/** The `ws` WebSocket a bot's client opens; the bot keeps the current one to await its close. */
export type BotSocket = WebSocket;

export interface BotSocketOptions {
  /** Source address to connect from (spreads bots over loopback addresses). */
  localAddress?: string;
  /** The client created a socket (first connection or a reconnect). */
  opening(socket: BotSocket): void;
}

/**
 * A WebSocket class for one bot's client: `ws` with the bot's source address and without
 * per-message deflate (payload bytes then match the server's byte counters), which tells
 * the bot each socket it opens. Frames, pongs and closes the bot learns from the client.
 */
export function botSocketClass(options: BotSocketOptions): WebSocketConstructor {
  const clientOptions: WebSocket.ClientOptions = { perMessageDeflate: false };
  if (options.localAddress !== undefined) clientOptions.localAddress = options.localAddress;

  class BotWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, clientOptions);
      options.opening(this);
    }
  }
  return BotWebSocket as unknown as WebSocketConstructor;
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
