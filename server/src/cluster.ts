/**
 * Cluster: this process's part among the processes sharing a message bus. It publishes the
 * process's population every heartbeat and totals everyone's (`ctx.totalPlayers`), carries
 * global chat between worlds, and delivers announcements and kicks to the worlds here.
 * With the default InProcessBus it is a single process talking to itself.
 */
import { type BusMessageOf, type KickTarget, type MessageBus, validateBusMessage } from "./bus/bus.js";
import { PopulationTally } from "./bus/population.js";
import type { Clock } from "./clock.js";
import type { GlobalChatMessage } from "./game.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
import { Outage } from "./outage.js";
import type { World, WorldNetwork } from "./world.js";

/** A kick with no reason given tells the player this. */
const DEFAULT_KICK_REASON = "removed by an operator";

export interface ClusterOptions {
  readonly bus: MessageBus;
  readonly processId: string;
  readonly worlds: ReadonlyMap<string, World>;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly clock: Clock;
}

export class Cluster {
  readonly busOutage: Outage;
  private readonly tally: PopulationTally;
  private readonly unsubscribe: (() => void)[];
  private readonly bus: MessageBus;
  private readonly processId: string;
  private readonly worlds: ReadonlyMap<string, World>;
  private readonly logger: Logger;
  private readonly metrics: ServerMetrics;

  constructor(options: ClusterOptions) {
    this.bus = options.bus;
    this.processId = options.processId;
    this.worlds = options.worlds;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.busOutage = new Outage("message bus", "global chat, announcements and population totals are not carried", options.logger, options.clock);
    this.tally = new PopulationTally(options.bus, { clock: options.clock });
    this.unsubscribe = [
      this.bus.subscribe("chat", (message) => this.onChat(message)),
      this.bus.subscribe("announce", (message) => this.onAnnounce(message.text)),
      this.bus.subscribe("kick", (message) => this.onKick(message.target, message.reason)),
    ];
  }

  /** What each world's game sees of the others. */
  readonly network: WorldNetwork = {
    totalPlayers: () => this.totalPlayers(),
    globalChat: (message) => this.publish({ type: "chat", ...message }),
  };

  /** Players in this process's worlds, connected or kept for resume. */
  localPlayers(): number {
    let players = 0;
    for (const world of this.worlds.values()) players += world.sessions.size;
    return players;
  }

  /** This process counted now, the others as of their last report. */
  totalPlayers(): number {
    return this.tally.total(this.processId) + this.localPlayers();
  }

  /** The heartbeat's report of this process's population. */
  reportPopulation(): void {
    this.publish({ type: "population", process: this.processId, players: this.localPlayers() });
  }

  announce(text: string): Promise<void> {
    return this.bus.publish({ type: "announce", text });
  }

  kick(target: KickTarget, reason: string): Promise<void> {
    return this.bus.publish({ type: "kick", target, reason });
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.tally.close();
  }

  private publish(message: Parameters<MessageBus["publish"]>[0]): void {
    // Checked here as the bus would on publish, so a game's over-long chat line is a warning, not an outage.
    const valid = validateBusMessage(message);
    if (!valid.ok) {
      this.logger.warn({ type: message.type, field: valid.reason }, "bus message refused: empty or too long");
      return;
    }
    this.bus.publish(message).then(
      () => this.busOutage.succeeded(),
      (error: unknown) => this.busOutage.failed(error),
    );
  }

  private onChat(message: BusMessageOf<"chat">): void {
    this.metrics.busMessages.inc({ type: "chat" });
    const line: GlobalChatMessage = { world: message.world, from: message.from, text: message.text };
    for (const world of this.worlds.values()) world.hearGlobalChat(line);
  }

  private onAnnounce(text: string): void {
    this.metrics.busMessages.inc({ type: "announce" });
    for (const world of this.worlds.values()) world.announce(text);
  }

  private onKick(target: KickTarget, reason: string): void {
    this.metrics.busMessages.inc({ type: "kick" });
    for (const world of this.worlds.values()) {
      for (const session of [...world.sessions]) {
        const matches = "name" in target ? session.name === target.name : world.playerKey(session) === target.playerKey;
        if (!matches) continue;
        this.logger.info({ world: world.id, player: session.id, name: session.name, reason }, "player kicked through the bus");
        world.kick(session, reason || DEFAULT_KICK_REASON);
      }
    }
  }
}
