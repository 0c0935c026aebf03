import type { WebSocketConstructor } from "@tickwire/client";
import { LeanWebSocket, type LeanSocketOptions } from "./lean-socket.js";

export { frameOverheadBytes } from "./lean-socket.js";

/** The WebSocket a bot's client opens; the bot keeps the current one to await its close. */
export type BotSocket = LeanWebSocket;

export interface BotSocketOptions {
  /** Source address to connect from (spreads bots over loopback addresses). */
  localAddress?: string;
  /** The client created a socket (first connection or a reconnect). */
  opening(socket: BotSocket): void;
}

/**
 * A WebSocket class for one bot's client: the lean socket (thousands of bots share one core,
 * so per-frame cost matters) from the bot's source address and without extensions (payload
 * bytes then match the server's byte counters), which tells the bot each socket it opens.
 * Frames, pongs and closes the bot learns from the client.
 */
export function botSocketClass(options: BotSocketOptions): WebSocketConstructor {
  // The client decodes each message as it arrives and keeps none of its bytes.
  const socketOptions: LeanSocketOptions = { localAddress: options.localAddress, lendMessages: true };

  class BotWebSocket extends LeanWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, socketOptions);
      options.opening(this);
    }
  }
  return BotWebSocket;
}
