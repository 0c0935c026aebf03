import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Tick durations from 0.25 ms to a full 100 ms overrun (a 20 Hz tick is 50 ms). */
const TICK_BUCKETS_SECONDS = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1];

/**
 * The server's Prometheus metrics, on a registry of its own so several servers can share a
 * process (tests do). Hot paths add per-tick totals, not one call per message.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly tickDuration: Histogram<"world">;
  readonly tickOverruns: Counter<"world">;
  readonly droppedTicks: Counter<"world">;
  readonly population: Gauge<"world">;
  readonly connections: Gauge;
  readonly connectionsOpened: Counter;
  readonly handshakeRefusals: Counter<"reason">;
  readonly clientsClosed: Counter<"reason">;
  readonly messagesIn: Counter;
  readonly bytesIn: Counter;
  readonly messagesOut: Counter;
  readonly bytesOut: Counter;
  readonly snapshotsSent: Counter;
  readonly snapshotBytes: Counter;
  readonly snapshotsSkipped: Counter;
  readonly snapshotRateDrops: Counter;
  readonly sendDrops: Counter;
  readonly eventsSent: Counter;
  readonly inputDrops: Counter<"reason">;
  readonly rateLimited: Counter;
  readonly invalidMessages: Counter<"reason">;
  readonly handlerErrors: Counter<"world" | "handler">;
  readonly sendFailures: Counter;
  readonly eventsDiscarded: Counter;
  readonly matchmakes: Counter<"outcome">;
  readonly reservations: Counter<"outcome">;
  readonly adminRequests: Counter<"outcome">;
  readonly busMessages: Counter<"type">;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.tickDuration = new Histogram({
      name: "tickwire_tick_duration_seconds",
      help: "Duration of one world tick: inputs, step, commit, snapshot build and send.",
      labelNames: ["world"],
      buckets: TICK_BUCKETS_SECONDS,
      registers,
    });
    this.tickOverruns = new Counter({
      name: "tickwire_tick_overruns_total",
      help: "Ticks that took longer than the tick interval.",
      labelNames: ["world"],
      registers,
    });
    this.droppedTicks = new Counter({
      name: "tickwire_ticks_dropped_total",
      help: "Ticks skipped after a stall because of the catch-up cap.",
      labelNames: ["world"],
      registers,
    });
    this.population = new Gauge({
      name: "tickwire_world_population",
      help: "Players in the world, connected or kept for resume.",
      labelNames: ["world"],
      registers,
    });
    this.connections = new Gauge({
      name: "tickwire_connections",
      help: "Open WebSocket connections.",
      registers,
    });
    this.connectionsOpened = new Counter({
      name: "tickwire_connections_opened_total",
      help: "WebSocket connections accepted.",
      registers,
    });
    this.handshakeRefusals = new Counter({
      name: "tickwire_handshake_refusals_total",
      help: "Upgrade requests refused before the WebSocket existed, by reason.",
      labelNames: ["reason"],
      registers,
    });
    this.clientsClosed = new Counter({
      name: "tickwire_clients_closed_total",
      help: "WebSocket connections closed, by reason.",
      labelNames: ["reason"],
      registers,
    });
    this.messagesIn = new Counter({ name: "tickwire_messages_in_total", help: "Messages received.", registers });
    this.bytesIn = new Counter({ name: "tickwire_bytes_in_total", help: "Message bytes received.", registers });
    this.messagesOut = new Counter({ name: "tickwire_messages_out_total", help: "Messages sent.", registers });
    this.bytesOut = new Counter({ name: "tickwire_bytes_out_total", help: "Message bytes sent.", registers });
    this.snapshotsSent = new Counter({
      name: "tickwire_snapshots_sent_total",
      help: "Snapshot messages sent.",
      registers,
    });
    this.snapshotBytes = new Counter({
      name: "tickwire_snapshot_bytes_total",
      help: "Bytes of snapshot messages sent.",
      registers,
    });
    this.snapshotsSkipped = new Counter({
      name: "tickwire_snapshots_skipped_total",
      help: "Snapshots not sent because the client's send buffer was over the soft limit.",
      registers,
    });
    this.snapshotRateDrops = new Counter({
      name: "tickwire_snapshot_rate_drops_total",
      help: "Times a lagging client's snapshot rate was halved.",
      registers,
    });
    this.sendDrops = new Counter({
      name: "tickwire_send_dropped_total",
      help: "Sends uWS dropped at its backpressure limit. Always 0 unless there is a bug.",
      registers,
    });
    this.eventsSent = new Counter({
      name: "tickwire_events_sent_total",
      help: "Game events delivered to clients.",
      registers,
    });
    this.inputDrops = new Counter({
      name: "tickwire_input_drops_total",
      help: "Inputs dropped: queue_full (client sends faster than the tick) or stale (old seq).",
      labelNames: ["reason"],
      registers,
    });
    this.rateLimited = new Counter({
      name: "tickwire_rate_limited_total",
      help: "Inbound messages dropped by the per-connection rate limit.",
      registers,
    });
    this.invalidMessages = new Counter({
      name: "tickwire_invalid_messages_total",
      help: "Inbound messages refused, by reason.",
      labelNames: ["reason"],
      registers,
    });
    this.handlerErrors = new Counter({
      name: "tickwire_handler_errors_total",
      help: "Exceptions thrown by game code, by handler.",
      labelNames: ["world", "handler"],
      registers,
    });
    this.sendFailures = new Counter({
      name: "tickwire_send_failures_total",
      help: "Snapshots that failed to encode for one client (it is closed with 1011). Always 0 unless there is a bug.",
      registers,
    });
    this.eventsDiscarded = new Counter({
      name: "tickwire_events_discarded_total",
      help: "Events dropped from an overflowing or unencodable queue; the client is told with a close code.",
      registers,
    });
    this.matchmakes = new Counter({
      name: "tickwire_matchmakes_total",
      help: "/matchmake answers, by outcome: reserved (an existing world), opened (a new world), full (503), error.",
      labelNames: ["outcome"],
      registers,
    });
    this.reservations = new Counter({
      name: "tickwire_reservations_total",
      help: "Reservations named by an upgrade, by outcome: committed (joined), expired (joined after its TTL), cancelled (never joined), failed (registry error), malformed (refused).",
      labelNames: ["outcome"],
      registers,
    });
    this.adminRequests = new Counter({
      name: "tickwire_admin_requests_total",
      help: "Admin API requests, by outcome: ok, unauthorized (bad or missing token), bad_request.",
      labelNames: ["outcome"],
      registers,
    });
    this.busMessages = new Counter({
      name: "tickwire_bus_messages_received_total",
      help: "Messages from the bus delivered to this process, by type.",
      labelNames: ["type"],
      registers,
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
