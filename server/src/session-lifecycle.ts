/**
 * A world's session lifecycle: connections from open to close, and players from join to
 * leave — admission (slots, per-address shares, sockets not joined yet), join, resume
 * (within the grace period, replacing a previous peer), disconnect, leave, kick,
 * and expiry (join timeouts, resume grace).
 */
import {
  CloseCode,
  closeReason,
  type EntityBase,
  type EntityStore,
  type GameEvent,
  retryable,
  type Schema,
  type WireValue,
} from "@tickwire/engine";
import { encodeServerMessage, MAX_EVENTS_PER_MESSAGE, MsgType } from "@tickwire/engine/wire";
import type { Clock } from "./clock.js";
import { fitCloseReason, JoinRefused } from "./close-reason.js";
import { Peer, type PeerInfo, NO_CLOSE_CODE } from "./peer.js";
import { closeLabel, type WorldCounters } from "./counters.js";
import type { EventRouter } from "./event-routing.js";
import type { GameContext, GameDefinition } from "./game.js";
import type { HandlerGuard } from "./handler-guard.js";
import { type Refusal, refusals } from "./handshake.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { SocketLike } from "./outbox.js";
import type { PlayerRecord } from "./persistence/player-store.js";
import type { PersistenceHost, PlayerPersistence } from "./persistence/world-persistence.js";
import { createResumeToken, Session } from "./session.js";
import type { SnapshotPipeline } from "./snapshot/pipeline.js";
import { wireValueProblem } from "./wire-value.js";

let lastSessionId = 0;

/** What a Welcome tells of the world besides the player. */
export interface WelcomeWorld {
  readonly id: string;
  readonly tickRate: number;
  serverTime(): number;
}

/** The world as this lifecycle sees it: what a Welcome tells, and the host persistence saves from. */
export interface LifecycleWorld<S extends Schema, I> extends WelcomeWorld, PersistenceHost<Session<S, I>> {
  /** The game's name, part of a player's store key. */
  readonly gameName: string;
}

/** A player's record loaded at Join, with its store key (persistence hook). */
interface LoadedPlayer {
  readonly key: string;
  readonly record: PlayerRecord | undefined;
}

export interface SessionLifecycleOptions<S extends Schema, I> {
  /** The world's players, connected or kept for resume: this lifecycle adds and removes them. */
  readonly sessions: Set<Session<S, I>>;
  readonly events: EventRouter<S, I>;
  readonly world: LifecycleWorld<S, I>;
  readonly game: GameDefinition<S, I>;
  readonly ctx: GameContext<S>;
  readonly store: EntityStore<S>;
  readonly pipeline: SnapshotPipeline<S>;
  readonly capacity: number;
  readonly guard: HandlerGuard;
  readonly counters: WorldCounters;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limits: ServerLimits;
  /** Loads and saves the players of a game with `persist`. */
  readonly persistence: PlayerPersistence | undefined;
}

export class SessionLifecycle<S extends Schema, I> {
  /** Players, connected or kept for resume. */
  readonly sessions: Set<Session<S, I>>;
  readonly peers = new Set<Peer<Session<S, I>>>();
  /** Set once the world shuts down: nothing is admitted and every leaving player leaves for good. */
  closing = false;
  private readonly byToken = new Map<string, Session<S, I>>();
  /**
   * Upgrades in progress (their ticket) and connections that have not joined yet, with their
   * address. They hold no player slot (that is taken at Join) but are bounded per address.
   */
  private readonly unjoined = new Map<object, string>();
  /** Players whose peer is gone, kept for resume: a set, so the count cannot drift. */
  private readonly awaitingResume = new Set<Session<S, I>>();
  private readonly events: EventRouter<S, I>;
  private readonly world: LifecycleWorld<S, I>;
  private readonly game: GameDefinition<S, I>;
  private readonly ctx: GameContext<S>;
  private readonly store: EntityStore<S>;
  private readonly pipeline: SnapshotPipeline<S>;
  private readonly capacity: number;
  private readonly guard: HandlerGuard;
  private readonly counters: WorldCounters;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly limits: ServerLimits;
  // ── persistence hook: peers whose Join waits for the player's record ──
  private readonly persistence: PlayerPersistence | undefined;
  private readonly loading = new Set<Peer<Session<S, I>>>();

  constructor(options: SessionLifecycleOptions<S, I>) {
    this.sessions = options.sessions;
    this.events = options.events;
    this.world = options.world;
    this.game = options.game;
    this.ctx = options.ctx;
    this.store = options.store;
    this.pipeline = options.pipeline;
    this.capacity = options.capacity;
    this.guard = options.guard;
    this.counters = options.counters;
    this.clock = options.clock;
    this.logger = options.logger;
    this.limits = options.limits;
    this.persistence = options.persistence;
  }

  // ── admission (called by the handshake before a socket exists) ──

  get unjoinedCount(): number {
    return this.unjoined.size;
  }

  /**
   * Why a new peer cannot be admitted now, or undefined. A full world still admits
   * connections while a player is kept for resume: that peer may be the one coming
   * back (a Join on it is refused with WorldFull).
   */
  admissionRefusal(): string | undefined {
    if (this.closing) return "world closed";
    if (this.sessions.size >= this.capacity && this.awaitingResume.size === 0) return "world full";
    return undefined;
  }

  /**
   * Why a peer from `ip` cannot be admitted now: too many sockets not joined yet, in
   * the world or from that address, or the address already holds its share of the world.
   * Its players kept for resume do not count here, so they can come back.
   */
  addressRefusal(ip: string): Refusal | undefined {
    if (this.unjoined.size >= this.limits.maxUnjoined) return refusals.unavailable("world busy");
    let unjoinedFromIp = 0;
    for (const address of this.unjoined.values()) if (address === ip) unjoinedFromIp++;
    if (unjoinedFromIp >= this.limits.maxUnjoinedPerIp) return refusals.tooManyFromIp();
    let connectedFromIp = 0;
    for (const session of this.sessions) if (session.connected && session.address === ip) connectedFromIp++;
    if (unjoinedFromIp + connectedFromIp >= this.sharePerIp) return refusals.addressShare();
    return undefined;
  }

  /** Players (and unjoined sockets) one address may hold: its fraction of capacity, at least one. */
  get sharePerIp(): number {
    return Math.max(1, Math.floor(this.capacity * this.limits.maxWorldSharePerIp));
  }

  /** Counts an upgrade in progress from `ip`; hand the ticket to `connect`, or `release` it if the upgrade fails. */
  reserve(ip: string): object {
    const ticket = {};
    this.unjoined.set(ticket, ip);
    return ticket;
  }

  release(ticket: object): void {
    this.unjoined.delete(ticket);
  }

  // ── connections ──

  /** A socket opened after a successful handshake; it takes over the upgrade's `ticket`. */
  connect(socket: SocketLike, info: PeerInfo, ticket?: object): Peer<Session<S, I>> {
    const peer = new Peer<Session<S, I>>(socket, info, this.limits, this.counters.stats, this.clock());
    if (ticket !== undefined) this.unjoined.delete(ticket);
    this.unjoined.set(peer, info.ip);
    this.peers.add(peer);
    this.counters.metrics.connections.inc();
    this.counters.metrics.connectionsOpened.inc();
    this.logger.info({ ip: info.ip }, "connection open");
    // An upgrade whose auth hook resolved after shutdown began.
    if (this.closing) this.closePeer(peer, CloseCode.GoingAway);
    return peer;
  }

  /** Closes a peer with `code` and its standard reason (or `reason`, at most 123 bytes). */
  closePeer(peer: Peer<Session<S, I>>, code: CloseCode, reason = closeReason(code)): void {
    if (peer.closed) return;
    peer.closeCode = code;
    peer.outbox.close(code, reason);
    // uWS reports the close synchronously; a fake socket might not.
    this.disconnected(peer, code);
  }

  /** The socket closed, whoever closed it. uWS calls this synchronously from ws.end(). */
  disconnected(peer: Peer<Session<S, I>>, code: number): void {
    peer.outbox.closed = true;
    if (!this.peers.delete(peer)) return;
    this.unjoined.delete(peer);
    const metrics = this.counters.metrics;
    metrics.connections.dec();
    const byServer = peer.closeCode !== NO_CLOSE_CODE;
    const effectiveCode = byServer ? peer.closeCode : code;
    metrics.clientsClosed.inc({ reason: closeLabel(effectiveCode) });
    const session = peer.session;
    const durationMs = Math.round(this.clock() - peer.openedAt);
    this.logger.info(
      { ip: peer.info.ip, player: session?.id, code: effectiveCode, reason: closeReason(effectiveCode), byServer, durationMs },
      "connection closed",
    );
    if (session === undefined || session.peer !== peer) return;
    session.peer = undefined;
    session.clearInputs();
    const goodbye = !byServer && code === CloseCode.Normal;
    if (goodbye || (byServer && !retryable(effectiveCode)) || this.closing) {
      this.leave(session);
      return;
    }
    session.disconnectedAt = this.clock();
    this.awaitingResume.add(session);
  }

  // ── players ──

  /** True while the peer's Join waits for its player's record: it has no session yet but may not join again. */
  isLoading(peer: Peer<Session<S, I>>): boolean {
    return this.loading.has(peer);
  }

  join(peer: Peer<Session<S, I>>, name: string, loaded?: LoadedPlayer): void {
    let admitted = false;
    try {
      admitted = this.admit(peer, name, loaded);
    } finally {
      // ── persistence hook: a loaded player that did not get in gives its lease back ──
      if (loaded !== undefined && !admitted) this.persistence?.abandon(loaded.key);
    }
  }

  /** Joins a player; true when it is in the world. With `persist`, first loads its record (async) unless `loaded`. */
  private admit(peer: Peer<Session<S, I>>, name: string, loaded: LoadedPlayer | undefined): boolean {
    if (this.sessions.size >= this.capacity || this.closing) {
      this.closePeer(peer, this.closing ? CloseCode.WorldClosed : CloseCode.WorldFull);
      return false;
    }
    const ip = peer.info.ip;
    let heldFromIp = 0;
    for (const session of this.sessions) if (session.address === ip) heldFromIp++;
    if (heldFromIp >= this.sharePerIp) {
      // This address holds its share of the world already (its players kept for resume count).
      this.closePeer(peer, CloseCode.WorldFull);
      return false;
    }
    // ── persistence hook: load the player's record (off the tick) before it is admitted ──
    if (loaded === undefined && this.persistence !== undefined) {
      const key = this.persistKey(peer, name);
      if (key === null) {
        this.closePeer(peer, CloseCode.InternalError);
        return false;
      }
      if (key !== undefined) {
        this.loadThenJoin(peer, name, key);
        return false;
      }
    }
    this.unjoined.delete(peer);
    const session = new Session<S, I>(
      ++lastSessionId,
      name,
      peer.info.identity,
      createResumeToken(),
      this.limits.inputQueueLength,
      this.limits.maxInputsPerTick,
      this.limits.inputBacklogTicks,
      this.pipeline.createViewer(),
      this.limits.maxPendingEvents,
    );
    session.address = ip;
    const playerData = this.game.playerData;
    if (playerData !== undefined) {
      const outcome = this.runJoinHandler("playerData", () => {
        session.data = playerData.call(this.game, this.ctx, session, loaded?.record);
      });
      if (outcome !== false) return this.refuseJoin(peer, name, outcome);
    }
    let entity: EntityBase | undefined;
    const outcome = this.runJoinHandler("onJoin", () => {
      entity = this.game.onJoin(this.ctx, session);
      this.guard.guardAsync("onJoin", entity);
    });
    if (outcome !== false) return this.refuseJoin(peer, name, outcome);
    if (entity === undefined || !entity.alive) {
      this.logger.error({ name }, "onJoin must return the player's live entity");
      return this.refuseJoin(peer, name, true);
    }
    session.entity = entity as Session<S, I>["entity"];
    this.sessions.add(session);
    peer.info.slot?.commit();
    this.byToken.set(session.resumeToken, session);
    this.events.trackEntity(session);
    if (loaded !== undefined) this.persistence?.joined(this.world, session, loaded.key);
    this.attach(peer, session, false, 0);
    this.logger.info({ player: session.id, name, ip: peer.info.ip }, "player joined");
    return true;
  }

  /**
   * Runs game code at join. A `JoinRefused` is the game's answer, returned; anything else
   * is a handler error (logged, counted): true. False when it ran.
   */
  private runJoinHandler(handler: string, run: () => void): JoinRefused | boolean {
    try {
      run();
      return false;
    } catch (error) {
      if (error instanceof JoinRefused) return error;
      this.guard.threw(handler, error);
      return true;
    }
  }

  /** Closes a join the game refused (JoinRefused, with its reason) or that failed (1011). */
  private refuseJoin(peer: Peer<Session<S, I>>, name: string, outcome: JoinRefused | true): false {
    if (outcome === true) {
      this.closePeer(peer, CloseCode.InternalError);
      return false;
    }
    const reason = fitCloseReason(outcome.reason, closeReason(CloseCode.JoinRefused));
    this.logger.info({ name, ip: peer.info.ip, reason }, "join refused by the game");
    this.closePeer(peer, CloseCode.JoinRefused, reason);
    return false;
  }

  // ── persistence hooks (the logic is in persistence/world-persistence.ts) ──

  /** The joining player's store key; undefined for a guest, null when `persist.key` threw. */
  private persistKey(peer: Peer<Session<S, I>>, name: string): string | undefined | null {
    const persist = this.game.persist;
    const persistence = this.persistence;
    if (persist === undefined || persistence === undefined) return undefined;
    let key: string | undefined;
    const failed = this.guard.invoke("persist.key", () => {
      key = persist.key({ name, identity: peer.info.identity });
    });
    if (failed) return null;
    return key === undefined ? undefined : persistence.storeKey(this.world.gameName, key);
  }

  /** Takes the lease and loads the record; the Join is answered when that resolves. The tick never waits. */
  private loadThenJoin(peer: Peer<Session<S, I>>, name: string, key: string): void {
    const persistence = this.persistence as PlayerPersistence;
    this.loading.add(peer);
    persistence
      .admit(this.world, key)
      .then((admission) => {
        this.loading.delete(peer);
        if (!admission.ok) {
          this.closePeer(peer, admission.code, admission.reason);
        } else if (peer.closed) {
          persistence.abandon(key);
        } else {
          this.join(peer, name, { key, record: admission.record });
        }
        this.counters.flush(this.sessions.size);
      })
      .catch((error: unknown) => {
        // A server bug, not the store's: the join fails alone.
        this.loading.delete(peer);
        this.logger.error({ err: error, key }, "join after load failed");
        this.closePeer(peer, CloseCode.InternalError);
      });
  }

  /** A reconnect with `token`; its client processed the session's events up to `lastEventSeq`. */
  resume(peer: Peer<Session<S, I>>, token: string, lastEventSeq: number): void {
    this.unjoined.delete(peer);
    const session = this.byToken.get(token);
    if (session === undefined) {
      this.closePeer(peer, CloseCode.ResumeFailed);
      return;
    }
    // Events its client never got: queued ones dropped while it was away, or sent ones
    // forgotten (past the bound) before it confirmed them.
    const forgotten = session.eventLossTold ? 0 : session.sentEvents.missingAfter(lastEventSeq);
    if (session.eventsLost > 0 || forgotten > 0) {
      // It learns so as a connected player would, from an EventOverflow close; the player is
      // kept and its next resume succeeds, going on from the oldest event kept.
      const eventsLost = session.eventsLost + forgotten;
      this.logger.warn({ player: session.id, eventsLost }, "resume refused once: events were lost while away");
      session.eventsLost = 0;
      session.eventLossTold = forgotten > 0;
      session.disconnectedAt = this.clock();
      this.closePeer(peer, CloseCode.EventOverflow);
      return;
    }
    session.eventLossTold = false;
    const previous = session.peer;
    if (previous !== undefined) {
      // Detach first, so the old socket's close does not start a grace period.
      session.peer = undefined;
      previous.session = undefined;
      this.closePeer(previous, CloseCode.SessionReplaced);
    } else {
      this.awaitingResume.delete(session);
      session.disconnectedAt = -1;
    }
    session.address = peer.info.ip;
    session.viewer.reset();
    const replay = session.sentEvents.replayAfter(lastEventSeq);
    this.attach(peer, session, true, replay.lastSeq);
    // What the last socket was still carrying, in order, before anything newer.
    this.sendEvents(peer, replay.lastSeq + 1, replay.events);
    this.logger.info(
      { player: session.id, name: session.name, ip: peer.info.ip, eventsReplayed: replay.events.length },
      "player resumed",
    );
  }

  /** Sends events numbered from `firstSeq` in Events messages (as many as the per-message bound needs). */
  private sendEvents(peer: Peer<Session<S, I>>, firstSeq: number, events: readonly GameEvent[]): void {
    try {
      for (let start = 0; start < events.length; start += MAX_EVENTS_PER_MESSAGE) {
        const part = events.slice(start, start + MAX_EVENTS_PER_MESSAGE);
        peer.outbox.send(encodeServerMessage({ type: MsgType.Events, firstEventSeq: firstSeq + start, events: part }));
      }
    } catch (error) {
      // Event data the game mutated after emit into something unencodable: those events are
      // forgotten, and the client, closed now, is told of the loss when it resumes.
      const session = peer.session;
      session?.sentEvents.confirm(session.sentEvents.lastSeq);
      this.counters.metrics.sendFailures.inc();
      this.logger.error({ err: error, player: session?.id }, "events could not be encoded; client closed");
      this.closePeer(peer, CloseCode.InternalError);
    }
  }

  private attach(peer: Peer<Session<S, I>>, session: Session<S, I>, resumed: boolean, lastEventSeq: number): void {
    peer.session = session;
    session.peer = peer;
    const data = this.game.welcomeData === undefined ? undefined : this.welcomeData(session);
    peer.outbox.send(
      encodeServerMessage({
        type: MsgType.Welcome,
        entityId: session.entity?.id ?? 0,
        resumeToken: session.resumeToken,
        tickRate: this.world.tickRate,
        tick: this.store.tick,
        serverTime: this.world.serverTime(),
        lastReliableId: session.lastReliableId,
        lastEventSeq,
        resumed,
        world: this.world.id,
        ...(data === undefined ? {} : { data }),
      }),
    );
  }

  private welcomeData(session: Session<S, I>): WireValue | undefined {
    let data: WireValue | undefined;
    this.guard.invoke("welcomeData", () => {
      const value = this.game.welcomeData?.(this.ctx, session);
      this.guard.guardAsync("welcomeData", value);
      const problem = value === undefined ? undefined : wireValueProblem(value);
      if (problem !== undefined) throw new TypeError(`welcomeData ${problem}`);
      data = value;
    });
    return data;
  }

  leave(session: Session<S, I>): void {
    if (!this.sessions.delete(session)) return;
    this.byToken.delete(session.resumeToken);
    this.awaitingResume.delete(session);
    const peer = session.peer;
    if (peer !== undefined) {
      session.peer = undefined;
      peer.session = undefined;
      this.closePeer(peer, CloseCode.Kicked);
    }
    const entity = session.entity;
    // ── persistence hook: the player's last record is saved, then its lease released ──
    this.persistence?.left(this.world, session);
    this.guard.invoke("onLeave", () => this.game.onLeave?.(this.ctx, session));
    if (entity !== undefined && session.entity === entity && entity.alive) this.store.despawn(entity);
    this.events.untrackEntity(session);
    this.logger.info({ player: session.id, name: session.name }, "player left");
  }

  /** Kicks a player: its peer closes with `code` (Kicked) and `reason`, and it leaves now. */
  kick(session: Session<S, I>, reason?: string, code: CloseCode = CloseCode.Kicked): void {
    const peer = session.peer;
    if (peer !== undefined) this.closePeer(peer, code, fitCloseReason(reason, closeReason(code)));
    this.leave(session);
  }

  /** Join timeouts and resume grace. */
  expire(now: number): void {
    for (const peer of this.peers) {
      if (peer.session === undefined && now - peer.openedAt >= this.limits.joinTimeoutMs) {
        this.closePeer(peer, CloseCode.JoinTimeout);
      }
    }
    for (const session of this.awaitingResume) {
      if (now - session.disconnectedAt >= this.limits.resumeGraceMs) {
        this.logger.info({ player: session.id, name: session.name }, "resume grace expired");
        this.leave(session);
      }
    }
  }

  /** Flushes pending events, closes every client with `code`, and lets players leave. */
  shutdown(code: CloseCode): void {
    this.closing = true;
    for (const peer of [...this.peers]) {
      const session = peer.session;
      if (session !== undefined && session.events.length > 0) {
        this.sendEvents(peer, session.sentEvents.record(session.events), session.events);
        session.events.length = 0;
      }
      this.closePeer(peer, code);
    }
    for (const session of [...this.sessions]) this.leave(session);
  }
}
