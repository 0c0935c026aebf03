/**
 * Every number the server's behaviour depends on, with why it has that value. A server
 * takes `limits: Partial<ServerLimits>` to override any of them.
 */
import { MAX_EVENTS_PER_MESSAGE } from "@tickwire/engine/wire";

/**
 * uWS's own frame ceiling. Frames above the protocol's MAX_CLIENT_MESSAGE_BYTES but under
 * this are closed by the world with 1009 and a reason; above it uWS drops the connection
 * itself without a close frame (what uWS v20.30 does), so this also caps what one socket
 * can make the server buffer.
 */
export const HARD_FRAME_LIMIT_BYTES = 64 * 1024;

export interface ServerLimits {
  /** Over this many bytes waiting in a socket's send buffer, its snapshots are skipped. */
  snapshotSoftLimitBytes: number;
  /** A socket over the soft limit continuously this long is closed as a stalled reader. */
  stallTimeoutMs: number;
  /** Pending events per client; overflow closes the client (events are never dropped). */
  maxPendingEvents: number;
  /** Slowest snapshot rate a lagging client is lowered to: one every N ticks. */
  maxSnapshotInterval: number;
  /** Consecutive skipped snapshots that halve a client's snapshot rate. */
  skipsBeforeRateDrop: number;
  /** Consecutive on-time snapshots that double a lowered rate again. */
  sendsBeforeRateRestore: number;
  /** uWS's own per-socket limit; far above what the outbox lets build up. */
  maxBackpressureBytes: number;
  /** Queued inputs per player; the oldest is dropped when a client sends too fast. */
  inputQueueLength: number;
  /** Most queued inputs one tick applies: one, plus one when working off a spare input left by clock drift. */
  maxInputsPerTick: number;
  /** Window (ticks) over which inputs left waiting every tick count as a backlog to work off (see Session.drainInputs). */
  inputBacklogTicks: number;
  /** Sustained inbound messages per second per connection (token-bucket refill rate). */
  messagesPerSecond: number;
  /** Inbound burst allowance (token-bucket capacity). */
  messageBurst: number;
  /** Messages dropped by the rate limit, in a burst, before the connection is closed. */
  floodDropsBeforeClose: number;
  /** Drop allowance regained per second: occasional overshoot never accumulates to a close. */
  floodForgivenessPerSecond: number;
  /** Invalid messages, in a burst, before the connection is closed. */
  invalidMessagesBeforeClose: number;
  /** Invalid-message allowance regained per second. */
  invalidForgivenessPerSecond: number;
  /** Open or pending connections per remote address; refused with 429 above it. */
  maxConnectionsPerIp: number;
  /** Connections per world that have not sent Join or Resume yet; refused with 503 above it. */
  maxUnjoined: number;
  /** Of those, from one remote address; refused with 429 above it. */
  maxUnjoinedPerIp: number;
  /**
   * The fraction of a world's capacity one remote address may hold (players, connected or
   * kept for resume, plus sockets not joined yet), at least one. 1 turns the cap off.
   */
  maxWorldSharePerIp: number;
  /** Handshake refusals one address may collect in a burst before all its upgrades get 429. */
  handshakeRefusalBurst: number;
  /** Refusal allowance regained per second. */
  handshakeRefusalsPerSecond: number;
  /** A socket must send Join or Resume within this time after the upgrade. */
  joinTimeoutMs: number;
  /**
   * /healthz answers 503 when a world's tick has not completed for this long, or a handler
   * has failed on every tick for this long.
   */
  unhealthyAfterMs: number;
  /** How long a disconnected player is kept for resume. */
  resumeGraceMs: number;
  /** uWS closes a socket that neither sent nor received for this long (pings keep it alive). */
  idleTimeoutSeconds: number;
  /** How long close() waits for clients to acknowledge the close before cutting them. */
  shutdownTimeoutMs: number;
  /** How often worlds refresh their population in the registry. */
  registryHeartbeatMs: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  // One or two full snapshots of a crowded view: a client that keeps up never reaches it.
  snapshotSoftLimitBytes: 64 * 1024,
  // Long enough for a mobile network hiccup or a backgrounded tab; short enough to free the slot.
  stallTimeoutMs: 15_000,
  // MAX_EVENTS_PER_MESSAGE in the protocol: a full backlog still fits one snapshot.
  maxPendingEvents: 1024,
  // 20 Hz / 8 = 2.5 snapshots per second still animates; slower is better closed.
  maxSnapshotInterval: 8,
  // Three ticks (150 ms at 20 Hz) over the limit is congestion, not a blip.
  skipsBeforeRateDrop: 3,
  // One second on time at 20 Hz before trying a faster rate again.
  sendsBeforeRateRestore: 20,
  // Soft limit + the largest snapshot (MAX_SERVER_MESSAGE_BYTES, 4 MiB) + control messages:
  // uWS never drops a send, so a drop (send() === 2) is a bug we count.
  maxBackpressureBytes: 16 * 1024 * 1024,
  // 400 ms of inputs at 20 Hz: absorbs network bunching without adding latency to the rest.
  inputQueueLength: 8,
  // Inputs bunched by jitter wait in the queue instead of bursting (others would see a
  // player pause, then dash); two only when working off clock drift, so no speed hack.
  maxInputsPerTick: 2,
  // A second of inputs waiting every tick is a stall's or drift's backlog, not jitter: trim it so latency stays low.
  inputBacklogTicks: 20,
  // Inputs at 20 Hz + pings + chat, with room for a faster client tick.
  messagesPerSecond: 60,
  messageBurst: 60,
  // Five seconds of a client sending twice the allowed rate.
  floodDropsBeforeClose: 300,
  floodForgivenessPerSecond: 30,
  // A buggy client gets a few error messages to notice; a fuzzer gets closed.
  invalidMessagesBeforeClose: 10,
  invalidForgivenessPerSecond: 0.2,
  // A household or office behind one NAT; bot swarms on loopback raise it.
  maxConnectionsPerIp: 100,
  // Honest sockets are unjoined for a round trip; this only bounds a flood of idle ones.
  maxUnjoined: 64,
  // A few tabs behind one NAT opening at once.
  maxUnjoinedPerIp: 8,
  // Four households behind one address cannot lock out the rest; local bot runs raise it to 1.
  maxWorldSharePerIp: 0.25,
  // A client retrying a refusal with backoff never gets near it; a scanner does within seconds.
  handshakeRefusalBurst: 20,
  handshakeRefusalsPerSecond: 1,
  // A real client sends Join right after the socket opens, one round trip; an idle socket
  // holds no player slot but counts against its address until then.
  joinTimeoutMs: 3_000,
  // Forty ticks at 20 Hz: a GC pause or a slow tick never trips it, a frozen world does.
  unhealthyAfterMs: 2_000,
  // Survives a page reload, a Wi-Fi to mobile switch or a short tunnel.
  resumeGraceMs: 30_000,
  // uWS's timer granularity is 4 s; pings are sent automatically well before this.
  idleTimeoutSeconds: 32,
  // Clients answer a close frame within a round trip; 3 s covers a bad mobile link.
  shutdownTimeoutMs: 3_000,
  // Matchmaking reads populations at most a second old.
  registryHeartbeatMs: 1_000,
});

export function resolveLimits(overrides: Partial<ServerLimits> | undefined): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new RangeError(`limits.${name} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (limits.maxSnapshotInterval < 1) throw new RangeError("limits.maxSnapshotInterval must be at least 1");
  if (limits.maxInputsPerTick < 1) throw new RangeError("limits.maxInputsPerTick must be at least 1");
  if (limits.inputBacklogTicks < 1) throw new RangeError("limits.inputBacklogTicks must be at least 1");
  if (limits.inputQueueLength < 1) throw new RangeError("limits.inputQueueLength must be at least 1");
  if (limits.maxWorldSharePerIp > 1) throw new RangeError("limits.maxWorldSharePerIp is a fraction: at most 1");
  if (limits.maxPendingEvents > MAX_EVENTS_PER_MESSAGE) {
    throw new RangeError(`limits.maxPendingEvents must fit one message (${MAX_EVENTS_PER_MESSAGE} events)`);
  }
  return limits;
}
