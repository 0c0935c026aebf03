/**
 * The single-process bus: every InProcessBus on the same hub hears every message. A bus
 * made without a hub has one of its own (a server process with one bus); tests put
 * several buses on one hub to play several processes. Delivery is asynchronous like a
 * real transport's.
 */
import { silentLogger, type Logger } from "../log.js";
import { type BusHandler, type BusMessage, type BusMessageType, InvalidBusMessageError, type MessageBus, validateBusMessage } from "./bus.js";
import { BusHandlers } from "./handlers.js";

export class InProcessHub {
  readonly buses = new Set<InProcessBus>();
}

export class InProcessBus implements MessageBus {
  private readonly handlers: BusHandlers;
  private readonly hub: InProcessHub;

  constructor(options: { hub?: InProcessHub; logger?: Logger } = {}) {
    this.hub = options.hub ?? new InProcessHub();
    this.handlers = new BusHandlers(options.logger ?? silentLogger());
    this.hub.buses.add(this);
  }

  async publish(message: BusMessage): Promise<void> {
    const checked = validateBusMessage(message);
    if (!checked.ok) throw new InvalidBusMessageError(`invalid bus message: ${checked.reason}`);
    // Validation built a fresh object, so no receiver shares the sender's, as over a real transport.
    const delivered = checked.message;
    queueMicrotask(() => {
      for (const bus of this.hub.buses) bus.handlers.deliver(delivered);
    });
  }

  subscribe<T extends BusMessageType>(type: T, handler: BusHandler<T>): () => void {
    return this.handlers.add(type, handler);
  }

  async close(): Promise<void> {
    this.hub.buses.delete(this);
  }
}
