/**
 * The MessageBus over Redis pub/sub: one channel per message type, JSON payloads (readable
 * with redis-cli), validated on receipt like anything from the network. Pub/sub is
 * at-most-once: a message published while Redis is unreachable is refused (publish
 * rejects), and a process that is disconnected misses what was sent meanwhile;
 * subscriptions come back by themselves when Redis does.
 */
import type { Redis } from "ioredis";
import { type Logger, silentLogger } from "../log.js";
import { connectRedis, disconnectRedis, watchConnection } from "../redis-client.js";
import {
  BUS_MESSAGE_TYPES,
  type BusHandler,
  type BusMessage,
  type BusMessageType,
  InvalidBusMessageError,
  type MessageBus,
  validateBusMessage,
} from "./bus.js";
import { BusHandlers } from "./handlers.js";

export interface RedisBusOptions {
  /** A `redis://` URL, or a connection you own (the bus duplicates it for its subscriber side). */
  readonly redis: string | Redis;
  /** Prefix of every channel, so several deployments can share one Redis. Default "tickwire:". */
  readonly prefix?: string;
  readonly logger?: Logger;
}

export class RedisBus implements MessageBus {
  /** Messages from Redis that were not valid JSON BusMessages, dropped. */
  invalidReceived = 0;
  private readonly handlers: BusHandlers;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly ownsPublisher: boolean,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.handlers = new BusHandlers(logger);
    subscriber.on("messageBuffer", (channel: Buffer, payload: Buffer) => this.receive(channel.toString(), payload));
  }

  /** Connects and subscribes to every message type's channel before resolving. */
  static async open(options: RedisBusOptions): Promise<RedisBus> {
    const ownsPublisher = typeof options.redis === "string";
    const logger = options.logger ?? silentLogger();
    const publisher = typeof options.redis === "string" ? connectRedis(options.redis, "bus", logger) : options.redis;
    const subscriber =
      typeof options.redis === "string"
        ? connectRedis(options.redis, "bus subscriber", logger)
        : watchConnection(options.redis.duplicate(), "bus subscriber", logger);
    const prefix = options.prefix ?? "tickwire:";
    const bus = new RedisBus(publisher, subscriber, ownsPublisher, prefix, logger);
    try {
      await subscriber.subscribe(...BUS_MESSAGE_TYPES.map((type) => bus.channel(type)));
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  async publish(message: BusMessage): Promise<void> {
    const checked = validateBusMessage(message);
    if (!checked.ok) throw new InvalidBusMessageError(`invalid bus message: ${checked.reason}`);
    await this.publisher.publish(this.channel(message.type), JSON.stringify(checked.message));
  }

  subscribe<T extends BusMessageType>(type: T, handler: BusHandler<T>): () => void {
    return this.handlers.add(type, handler);
  }

  async close(): Promise<void> {
    await disconnectRedis(this.subscriber);
    if (this.ownsPublisher) await disconnectRedis(this.publisher);
  }

  private receive(channel: string, payload: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString());
    } catch {
      parsed = undefined;
    }
    const checked = validateBusMessage(parsed);
    if (!checked.ok || this.channel(checked.message.type) !== channel) {
      this.invalidReceived++;
      this.logger.warn({ channel, reason: checked.ok ? "wrong channel" : checked.reason }, "invalid bus message dropped");
      return;
    }
    this.handlers.deliver(checked.message);
  }

  private channel(type: BusMessageType): string {
    return `${this.prefix}bus:${type}`;
  }
}
