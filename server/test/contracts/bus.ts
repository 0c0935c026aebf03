/**
 * The MessageBus contract: every process hears every message, typed and in order. Run
 * against every implementation (bus-contract.test.ts). `a` and `b` are two processes' buses.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BusMessage, type BusMessageType, InvalidBusMessageError, type MessageBus } from "../../src/bus/index.js";

export interface BusHarness {
  readonly a: MessageBus;
  readonly b: MessageBus;
  close(): Promise<void>;
}

/** Generous for a message through a local Redis; a delivery normally takes under a millisecond. */
const DELIVERY_TIMEOUT_MS = 2_000;

/** Collects what `bus` delivers of `type`; `next(n)` waits until n have arrived. */
function collect<T extends BusMessageType>(bus: MessageBus, type: T) {
  const received: BusMessage[] = [];
  const waiters: (() => void)[] = [];
  const unsubscribe = bus.subscribe(type, (message) => {
    received.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (count: number): Promise<BusMessage[]> => {
    const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
    while (received.length < count) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${received.length}/${count} ${type} messages arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return received.slice(0, count);
  };
  return { received, next, unsubscribe };
}

export function busContract(name: string, open: () => Promise<BusHarness>): void {
  describe(`MessageBus contract: ${name}`, () => {
    let h: BusHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    it("every process, the publisher's included, hears each kind of message with its fields", async () => {
      const messages: BusMessage[] = [
        { type: "chat", world: "w1", from: "ann", text: "hello everyone" },
        { type: "population", process: "p1", players: 42 },
        { type: "announce", text: "restart in 5 minutes" },
        { type: "kick", target: { name: "troll" }, reason: "spam" },
        { type: "kick", target: { playerKey: "key-17" }, reason: "banned" },
      ];
      const onA = messages.map((m) => collect(h.a, m.type));
      const onB = messages.map((m) => collect(h.b, m.type));
      for (const message of messages) await h.a.publish(message);
      const kicks = messages.filter((m) => m.type === "kick");
      for (const [i, message] of messages.entries()) {
        const expected = message.type === "kick" ? kicks : [message];
        expect(await onB[i]!.next(expected.length)).toEqual(expected);
        expect(await onA[i]!.next(expected.length)).toEqual(expected);
      }
    });

    it("delivers one publisher's messages in order, and only to subscribers of their type", async () => {
      const chat = collect(h.b, "chat");
      const announcements = collect(h.b, "announce");
      for (let i = 0; i < 50; i++) await h.a.publish({ type: "chat", world: "w1", from: "ann", text: `line ${i}` });
      const lines = await chat.next(50);
      expect(lines.map((m) => (m.type === "chat" ? m.text : ""))).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
      expect(announcements.received).toEqual([]);
    });

    it("after unsubscribe a handler hears nothing more; other handlers still do", async () => {
      const gone = collect(h.b, "announce");
      const stays = collect(h.b, "announce");
      gone.unsubscribe();
      await h.a.publish({ type: "announce", text: "one" });
      await stays.next(1);
      expect(gone.received).toEqual([]);
    });

    it("a throwing handler does not stop the others", async () => {
      h.b.subscribe("announce", () => {
        throw new Error("handler bug");
      });
      const after = collect(h.b, "announce");
      await h.a.publish({ type: "announce", text: "still delivered" });
      expect(await after.next(1)).toEqual([{ type: "announce", text: "still delivered" }]);
    });

    it("publish refuses a malformed message with InvalidBusMessageError", async () => {
      const bad = [
        { type: "chat", world: "w1", from: "ann", text: "x".repeat(10_000) },
        { type: "population", process: "p1", players: -1 },
        { type: "kick", target: {}, reason: "" },
        { type: "unknown" },
      ];
      for (const message of bad) {
        await expect(h.a.publish(message as BusMessage)).rejects.toBeInstanceOf(InvalidBusMessageError);
      }
    });
  });
}
