/** The per-type handler lists both buses share: a throwing handler is logged and never stops the others. */
import type { Logger } from "../log.js";
import type { BusHandler, BusMessage, BusMessageType } from "./bus.js";

type AnyHandler = (message: BusMessage) => void;

export class BusHandlers {
  private readonly byType = new Map<BusMessageType, Set<AnyHandler>>();

  constructor(private readonly logger: Logger) {}

  /** Adds a handler; returns its removal. */
  add<T extends BusMessageType>(type: T, handler: BusHandler<T>): () => void {
    let handlers = this.byType.get(type);
    if (handlers === undefined) {
      handlers = new Set();
      this.byType.set(type, handlers);
    }
    // A wrapper per subscription, so the same function subscribed twice is removed once each.
    const entry: AnyHandler = (message) => handler(message as Parameters<BusHandler<T>>[0]);
    handlers.add(entry);
    const set = handlers;
    return () => {
      set.delete(entry);
    };
  }

  deliver(message: BusMessage): void {
    const handlers = this.byType.get(message.type);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.logger.error({ err: error, type: message.type }, "bus handler threw");
      }
    }
  }
}
