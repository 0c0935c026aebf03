/**
 * Event routing: where a game's `ctx.emit` goes (a player, everyone, the players near a
 * point), each player's queue of pending events with its bound, and their encoding when
 * they ride in a snapshot (this tick's broadcast shares one encoding).
 */
import { CloseCode, type GameEvent, MAX_EVENT_NAME_LENGTH, type Schema, type WireValue } from "@tickwire/engine";
import { encodeEvents } from "@tickwire/engine/wire";
import type { Peer } from "./peer.js";
import type { WorldCounters } from "./counters.js";
import type { EventTarget } from "./game.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import { Session } from "./session.js";
import type { SnapshotPipeline } from "./snapshot/pipeline.js";
import { wireValueProblem } from "./wire-value.js";

export class EventRouter<S extends Schema, I> {
  /** Events for everyone emitted since the last snapshots, and their shared encoding. */
  private readonly broadcast: GameEvent[] = [];
  private broadcastEncoded: Uint8Array | null = null;
  /** Player sessions by their entity's id, for events sent near a point. */
  private sessionByEntity: (Session<S, I> | undefined)[] = [];
  private readonly nearIds: number[] = [];
  /** Session event seq of the first event `takeEvents` last returned. */
  takenFirstSeq = 0;

  constructor(
    private readonly sessions: ReadonlySet<Session<S, I>>,
    private readonly pipeline: SnapshotPipeline<S>,
    private readonly limits: ServerLimits,
    private readonly counters: WorldCounters,
    private readonly logger: Logger,
    /** Closes a peer whose queue overflowed. */
    private readonly close: (peer: Peer<Session<S, I>>, code: CloseCode) => void,
  ) {}

  emit(to: EventTarget<S>, name: string, data: WireValue = null): void {
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_EVENT_NAME_LENGTH) {
      throw new TypeError(`event name must be 1..${MAX_EVENT_NAME_LENGTH} characters`);
    }
    // Checked here, where the game can see the throw, not when it would stop a tick.
    const problem = wireValueProblem(data);
    if (problem !== undefined) throw new TypeError(`event "${name}" data ${problem}`);
    const event: GameEvent = { name, data };
    if (to === "all") {
      this.broadcast.push(event);
      this.broadcastEncoded = null;
      for (const session of this.sessions) this.queueEvent(session, event, false);
      return;
    }
    if (to instanceof Session) {
      this.queueEvent(to as Session<S, I>, event, true);
      return;
    }
    const near = to as { x: number; y: number; radius?: number };
    const radius = near.radius ?? this.pipeline.interestRadius;
    const count = this.pipeline.queryRadius(near.x, near.y, radius, this.nearIds);
    for (let i = 0; i < count; i++) {
      const session = this.sessionByEntity[this.nearIds[i]];
      if (session !== undefined) this.queueEvent(session, event, true);
    }
  }

  private queueEvent(session: Session<S, I>, event: GameEvent, personal: boolean): void {
    session.events.push(event);
    if (personal) session.hasPersonalEvents = true;
    if (session.events.length <= this.limits.maxPendingEvents) return;
    // Never a silent drop: the client learns from an EventOverflow close, now or when it resumes.
    const lost = this.discardEvents(session);
    const peer = session.peer;
    if (peer !== undefined) {
      this.close(peer, CloseCode.EventOverflow);
    } else {
      session.eventsLost += lost;
      this.logger.warn({ player: session.id }, "event queue overflowed while disconnected; its resume will be told");
    }
  }

  /** Drops a session's pending events, counted; returns how many. */
  discardEvents(session: Session<S, I>): number {
    const count = session.events.length;
    if (count > 0) this.counters.metrics.eventsDiscarded.inc(count);
    session.events.length = 0;
    session.hasPersonalEvents = false;
    return count;
  }

  /**
   * The session's pending events, encoded (shared when they are exactly this tick's
   * broadcast), numbered and kept until its client confirms them; `takenFirstSeq` is the
   * first one's seq.
   */
  takeEvents(session: Session<S, I>): Uint8Array | null {
    const events = session.events;
    if (events.length === 0) return null;
    let encoded: Uint8Array;
    const onlyBroadcast =
      !session.hasPersonalEvents && events.length === this.broadcast.length && events[0] === this.broadcast[0];
    if (onlyBroadcast) {
      this.broadcastEncoded ??= encodeEvents(this.broadcast);
      encoded = this.broadcastEncoded;
    } else {
      encoded = encodeEvents(events);
    }
    // Numbered once encoded: an event that cannot be encoded is never kept for a replay.
    this.takenFirstSeq = session.sentEvents.record(events);
    this.counters.eventsSent += events.length;
    events.length = 0;
    session.hasPersonalEvents = false;
    return encoded;
  }

  /** This tick's snapshots are out: its broadcast is over. */
  endTick(): void {
    this.broadcast.length = 0;
    this.broadcastEncoded = null;
  }

  /** Keeps `sessionByEntity` current when the game replaces a player's entity. */
  trackEntity(session: Session<S, I>): void {
    const id = session.entity?.alive === true ? session.entity.id : -1;
    if (id === session.trackedEntityId) return;
    this.untrackEntity(session);
    if (id < 0) return;
    this.sessionByEntity[id] = session;
    session.trackedEntityId = id;
  }

  untrackEntity(session: Session<S, I>): void {
    const id = session.trackedEntityId;
    if (id >= 0 && this.sessionByEntity[id] === session) this.sessionByEntity[id] = undefined;
    session.trackedEntityId = -1;
  }
}
