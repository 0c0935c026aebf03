/**
 * A SocketLike for driving a World without uWS: records what the server sends (decoded),
 * and lets a test set the send-buffer level to simulate a slow reader.
 */
import type { Schema } from "@tickwire/engine";
import {
  type ClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  MsgType,
  type ServerMessage,
  SnapshotMirror,
  type SnapshotMessage,
} from "@tickwire/engine/wire";
import type { SocketLike, World } from "@tickwire/server";

export interface SentMessage {
  readonly bytes: Uint8Array;
  readonly message: ServerMessage;
}

export interface AppliedSnapshot {
  readonly tick: number;
  /** DeltaMode: 0 RELATIVE, 1 ABSOLUTE, 2 FULL. */
  readonly mode: number;
  readonly spawned: number[];
  readonly despawned: number[];
  readonly updated: number[];
}

export class FakeSocket implements SocketLike {
  readonly sent: SentMessage[] = [];
  /** What getBufferedAmount() reports: raise it to simulate a reader that stopped reading. */
  bufferedAmount = 0;
  /** Override send()'s status (2 = uWS dropped the message). */
  sendStatus: number | undefined;
  ended: { code: number; reason: string } | undefined;
  corks = 0;

  send(message: Uint8Array): number {
    if (this.ended !== undefined) throw new Error("send on a closed socket");
    const bytes = Uint8Array.from(message);
    const decoded = decodeServerMessage(bytes);
    if (!decoded.ok) throw new Error(`server sent an undecodable message: ${decoded.error.message}`);
    this.sent.push({ bytes, message: decoded.value });
    return this.sendStatus ?? (this.bufferedAmount > 0 ? 0 : 1);
  }

  getBufferedAmount(): number {
    if (this.ended !== undefined) throw new Error("getBufferedAmount on a closed socket");
    return this.bufferedAmount;
  }

  end(code: number, reason: string): void {
    if (this.ended !== undefined) throw new Error("end on a closed socket");
    this.ended = { code, reason };
  }

  cork(cb: () => void): void {
    this.corks++;
    cb();
  }
}

/** A fake client of a World: a FakeSocket, its connection, and a mirror of what it was sent. */
export class FakeClient<S extends Schema> {
  readonly socket = new FakeSocket();
  readonly peer: ReturnType<World<S>["connect"]>;
  readonly mirror: SnapshotMirror<S>;
  /** What each applied snapshot did to the mirror (copied out of the mirror's reused arrays). */
  readonly applied: AppliedSnapshot[] = [];
  /** Index in socket.sent of the next message `drain()` reads. */
  private read = 0;

  constructor(
    readonly world: World<S>,
    ip = "127.0.0.1",
    identity: unknown = undefined,
  ) {
    this.peer = world.connect(this.socket, { ip, identity }, world.reserve(ip));
    this.mirror = new SnapshotMirror(world.store.schema);
  }

  send(message: ClientMessage): void {
    this.world.receive(this.peer, Uint8Array.from(encodeClientMessage(message)).buffer, true);
  }

  sendBytes(bytes: Uint8Array, isBinary = true): void {
    this.world.receive(this.peer, Uint8Array.from(bytes).buffer, isBinary);
  }

  /** Messages sent since the last call; snapshots are applied to the mirror (throws on desync). */
  drain(): ServerMessage[] {
    const messages: ServerMessage[] = [];
    for (; this.read < this.socket.sent.length; this.read++) {
      const { message } = this.socket.sent[this.read];
      if (message.type === MsgType.Snapshot) {
        const applied = this.mirror.apply(message.body, message.tick);
        if (!applied.ok) throw new Error(`mirror refused snapshot ${message.tick}: ${applied.reason} ${applied.message}`);
        this.applied.push({
          tick: message.tick,
          mode: applied.mode,
          spawned: [...applied.spawned],
          despawned: [...applied.despawned],
          updated: [...applied.updatedIds],
        });
      }
      messages.push(message);
    }
    return messages;
  }

  /** The snapshots among the messages sent since the last drain. */
  snapshots(): SnapshotMessage[] {
    return this.drain().filter((m): m is SnapshotMessage => m.type === MsgType.Snapshot);
  }
}
