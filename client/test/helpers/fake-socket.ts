import {
  type ClientMessage,
  decodeClientMessage,
  encodeServerMessage,
  MsgType,
  type ServerMessage,
  type WelcomeMessage,
} from "@tickwire/engine/wire";
import type { WebSocketLike } from "../../src/socket.js";

/**
 * An in-memory WebSocket for state-machine tests: the test plays the server (open, send,
 * close) and reads what the client sent, decoded with the engine's validating decoder.
 */
export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  binaryType = "blob";
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientMessage[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static get last(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (socket === undefined) throw new Error("no socket was created");
    return socket;
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    const decoded = decodeClientMessage(data);
    if (!decoded.ok) throw new Error(`client sent an invalid message: ${decoded.error.message}`);
    this.sent.push(decoded.value);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code: 1005, reason: "" });
  }

  /** Messages the client sent of one type. */
  sentOf<T extends ClientMessage["type"]>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((message) => message.type === type) as Extract<ClientMessage, { type: T }>[];
  }

  // ── the server's side ──

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: ServerMessage): void {
    const bytes = encodeServerMessage(message);
    // A fresh, exactly sized ArrayBuffer, as a socket with binaryType 'arraybuffer' delivers.
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    this.onmessage?.({ data: copy.buffer });
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data });
  }

  welcome(overrides: Partial<WelcomeMessage> = {}): void {
    this.receive({
      type: MsgType.Welcome,
      entityId: 1,
      resumeToken: "token-1",
      tickRate: 20,
      tick: 100,
      serverTime: 5_000,
      lastReliableId: 0,
      lastEventSeq: 0,
      resumed: false,
      world: "main",
      ...overrides,
    });
  }

  /** The connection ends from the far side (server close frame or network loss). */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

type Listener = (...args: unknown[]) => void;

/**
 * A FakeSocket that, like Node's `ws`, reports a refused upgrade through an
 * 'unexpected-response' event carrying the HTTP response.
 */
export class FakeNodeSocket extends FakeSocket {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  /** The server answers the upgrade with `status` and a text body instead of 101. */
  refuse(status: number, body: string): void {
    const handlers = new Map<string, Listener>();
    const response = {
      statusCode: status,
      setEncoding: () => {},
      on: (event: string, handler: Listener) => handlers.set(event, handler),
    };
    for (const listener of this.listeners.get("unexpected-response") ?? []) listener({}, response);
    handlers.get("data")?.(body);
    handlers.get("end")?.();
  }

  override close(): void {
    if (this.readyState >= 2) return;
    this.closedByClient = {};
    this.readyState = 3;
    // What ws reports after an aborted handshake.
    this.onerror?.({ message: "WebSocket was closed before the connection was established" });
    this.onclose?.({ code: 1006, reason: "" });
  }
}
