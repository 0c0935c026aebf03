/**
 * A real `ws` client that decodes everything it receives with the engine and keeps a
 * SnapshotMirror of the state. Written for the server's tests; reusable by anything that
 * needs a scripted client against a real tickwire server.
 */
import type { GameEvent, ProtocolError, Schema } from "@tickwire/engine";
import {
  type ClientMessage,
  type DecodeFailure,
  decodeServerMessage,
  encodeClientMessage,
  MsgType,
  type ServerMessage,
  SnapshotMirror,
  type SnapshotMessage,
  SUBPROTOCOL,
  type WelcomeMessage,
} from "@tickwire/engine/wire";
import WebSocket from "ws";

/** Long enough for a loaded CI machine; tests fail with a message instead of hanging. */
export const DEFAULT_WAIT_MS = 5_000;

export interface ConnectOptions<S extends Schema> {
  /** Keep a SnapshotMirror of this schema fed with every snapshot. */
  readonly schema?: S;
  /** Subprotocols to offer; default [SUBPROTOCOL]. */
  readonly protocols?: readonly string[];
  readonly origin?: string;
  /** Source address of the TCP connection (e.g. "127.0.0.2"), to act as another client address. */
  readonly localAddress?: string;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

interface Waiter {
  readonly test: (message: ServerMessage) => boolean;
  readonly resolve: (message: ServerMessage) => void;
}

export class TestClient<S extends Schema = Schema> {
  /** Every decoded message, in order. */
  readonly messages: ServerMessage[] = [];
  /** Frames that did not decode: the server broke the protocol. */
  readonly protocolErrors: ProtocolError[] = [];
  /** Snapshot bodies the mirror refused: the client fell out of sync. */
  readonly mirrorErrors: DecodeFailure[] = [];
  /** Every event received, in order. */
  readonly events: GameEvent[] = [];
  /** The session event seq of each of `events`. */
  readonly eventSeqs: number[] = [];
  /** Seq of the last event received (what Ping and Resume report). */
  lastEventSeq = 0;
  /** Client clock (performance.now) at each snapshot's arrival, and its tick. */
  readonly snapshotArrivals: number[] = [];
  readonly snapshotTicks: number[] = [];
  readonly mirror: SnapshotMirror<S> | undefined;
  welcome: WelcomeMessage | undefined;
  lastSnapshot: SnapshotMessage | undefined;
  bytesReceived = 0;
  readonly closed: Promise<CloseInfo>;
  private closeInfo: CloseInfo | undefined;
  private waiters: Waiter[] = [];
  private seq = 0;
  private rid = 0;

  private constructor(
    readonly ws: WebSocket,
    schema: S | undefined,
  ) {
    this.mirror = schema === undefined ? undefined : new SnapshotMirror(schema);
    ws.binaryType = "arraybuffer";
    ws.on("message", (data: ArrayBuffer) => this.onMessage(data));
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    ws.on("error", () => {
      // Surfaced through `closed`; an unhandled 'error' would crash the test run.
    });
  }

  /** Opens a connection; rejects when the server refuses the upgrade. */
  static connect<S extends Schema = Schema>(url: string, options: ConnectOptions<S> = {}): Promise<TestClient<S>> {
    const ws = new WebSocket(url, [...(options.protocols ?? [SUBPROTOCOL])], {
      origin: options.origin,
      maxPayload: 64 * 1024 * 1024,
      localAddress: options.localAddress,
    });
    const client = new TestClient<S>(ws, options.schema);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_request, response) => {
        reject(new Error(`upgrade refused: ${response.statusCode}`));
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  /** Connects and joins; resolves with the Welcome. */
  static async join<S extends Schema = Schema>(
    url: string,
    name: string,
    options: ConnectOptions<S> = {},
  ): Promise<TestClient<S>> {
    const client = await TestClient.connect(url, options);
    await client.join(name);
    return client;
  }

  get closeCode(): number | undefined {
    return this.closeInfo?.code;
  }

  get entityId(): number {
    if (this.welcome === undefined) throw new Error("not joined");
    return this.welcome.entityId;
  }

  send(message: ClientMessage): void {
    this.ws.send(encodeClientMessage(message));
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  async join(name: string): Promise<WelcomeMessage> {
    this.send({ type: MsgType.Join, name });
    this.welcome = (await this.next((m) => m.type === MsgType.Welcome)) as WelcomeMessage;
    return this.welcome;
  }

  /** Resumes, reporting the last event this client got (that of a previous TestClient when given). */
  async resume(token: string, lastEventSeq = this.lastEventSeq): Promise<WelcomeMessage> {
    this.send({ type: MsgType.Resume, token, lastEventSeq });
    this.welcome = (await this.next((m) => m.type === MsgType.Welcome)) as WelcomeMessage;
    return this.welcome;
  }

  /** Sends one input with the next seq (wrapping at 2^16); returns the seq. */
  sendInput(input: readonly number[]): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    this.send({ type: MsgType.Input, seq, tick: 0, input });
    return seq;
  }

  chat(text: string, rid = ++this.rid): number {
    this.send({ type: MsgType.Chat, rid, text });
    return rid;
  }

  command(name: string, args: (number | string | boolean | null)[] = [], rid = ++this.rid): number {
    this.send({ type: MsgType.Command, rid, name, args });
    return rid;
  }

  ping(clientTime = performance.now()): void {
    this.send({ type: MsgType.Ping, clientTime, lastEventSeq: this.lastEventSeq });
  }

  /** The next message (from now on) that passes `test`. */
  next(test: (message: ServerMessage) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms (closed: ${JSON.stringify(this.closeInfo)})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next snapshot after which `test` holds (checked against the mirror, already applied). */
  nextSnapshot(test: (snapshot: SnapshotMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<SnapshotMessage> {
    return this.next((m) => m.type === MsgType.Snapshot && test(m), timeoutMs) as Promise<SnapshotMessage>;
  }

  /** Resolves with the close frame, or rejects after the timeout. */
  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    return Promise.race([
      this.closed,
      new Promise<CloseInfo>((_, reject) =>
        setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
  }

  close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    return this.closed;
  }

  /** Drops the TCP connection without a close frame (a network failure). */
  drop(): void {
    this.ws.terminate();
  }

  private receiveEvents(firstSeq: number, events: readonly GameEvent[]): void {
    if (events.length === 0) return;
    this.eventSeqs.push(...events.map((_, i) => firstSeq + i));
    this.events.push(...events);
    this.lastEventSeq = firstSeq + events.length - 1;
  }

  private onMessage(data: ArrayBuffer): void {
    this.bytesReceived += data.byteLength;
    const result = decodeServerMessage(new Uint8Array(data));
    if (!result.ok) {
      this.protocolErrors.push(result.error);
      return;
    }
    const message = result.value;
    if (message.type === MsgType.Snapshot) {
      this.snapshotArrivals.push(performance.now());
      this.snapshotTicks.push(message.tick);
      if (this.mirror !== undefined) {
        const applied = this.mirror.apply(message.body, message.tick);
        if (!applied.ok) this.mirrorErrors.push(applied);
      }
      this.receiveEvents(message.firstEventSeq, message.events);
      this.lastSnapshot = message;
    } else if (message.type === MsgType.Events) {
      this.receiveEvents(message.firstEventSeq, message.events);
    } else if (message.type === MsgType.Welcome) {
      this.lastEventSeq = message.lastEventSeq;
    }
    this.messages.push(message);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.test(message)) waiter.resolve(message);
      else this.waiters.push(waiter);
    }
  }
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status and body. */
export function expectRefused(
  url: string,
  options: { protocols?: readonly string[]; origin?: string; localAddress?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [...(options.protocols ?? [SUBPROTOCOL])], {
      origin: options.origin,
      localAddress: options.localAddress,
    });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.once("error", (error) => reject(error));
  });
}
