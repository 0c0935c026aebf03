import { NO_INPUT_ACK } from "@tickwire/engine/wire";
import { describe, expect, it } from "vitest";
import { createResumeToken, Session } from "../src/session.js";

function session(queueLength = 8, maxPerTick = 3, backlogTicks = 1000): Session<never, number> {
  return new Session<never, number>(1, "ann", undefined, "token", queueLength, maxPerTick, backlogTicks);
}

function drain(s: Session<never, number>): number[] {
  const applied: number[] = [];
  s.drainInputs((_session, input) => applied.push(input));
  return applied;
}

describe("Session input queue", () => {
  it("applies queued inputs in seq order and records the last one as lastProcessedSeq", () => {
    const s = session();
    expect(s.lastProcessedSeq).toBe(NO_INPUT_ACK);
    s.queueInput(10, 100);
    s.queueInput(11, 110);
    expect(drain(s)).toEqual([100, 110]);
    expect(s.lastProcessedSeq).toBe(11);
  });

  it("applies at most the banked credit per tick, so sending faster than the tick rate is no speed hack", () => {
    const s = session(64, 3);
    let seq = 0;
    const appliedPerTick: number[] = [];
    for (let tick = 0; tick < 20; tick++) {
      // A cheater sends three inputs per tick.
      for (let i = 0; i < 3; i++) s.queueInput(seq++, seq);
      appliedPerTick.push(drain(s).length);
    }
    // The initial credit allows one catch-up burst; the sustained rate is one per tick.
    expect(appliedPerTick.slice(0, 1)).toEqual([3]);
    expect(appliedPerTick.slice(1).every((n) => n === 1)).toBe(true);
  });

  it("lets inputs bunched by jitter catch up after quiet ticks (edge: up to the credit cap)", () => {
    const s = session(8, 3);
    drain(s);
    drain(s); // two quiet ticks bank credit (capped at 3)
    for (let seq = 0; seq < 5; seq++) s.queueInput(seq, seq);
    expect(drain(s)).toEqual([0, 1, 2]);
    expect(drain(s)).toEqual([3]);
    expect(drain(s)).toEqual([4]);
  });

  it("refuses a seq that is not newer than the last queued one (duplicate or replay)", () => {
    const s = session();
    expect(s.queueInput(5, 1)).toBeUndefined();
    expect(s.queueInput(5, 2)).toBe("stale");
    expect(s.queueInput(4, 3)).toBe("stale");
    expect(drain(s)).toEqual([1]);
  });

  it("orders seqs across the 16-bit wrap (edge: 65535 then 0)", () => {
    const s = session();
    expect(s.queueInput(65534, 1)).toBeUndefined();
    expect(s.queueInput(65535, 2)).toBeUndefined();
    expect(s.queueInput(0, 3)).toBeUndefined();
    expect(s.queueInput(65535, 4)).toBe("stale");
    expect(drain(s)).toEqual([1, 2, 3]);
    expect(s.lastProcessedSeq).toBe(0);
  });

  it("trims a steady backlog (a client clock running fast) so input latency stays bounded", () => {
    const s = session(8, 3, 5);
    let seq = 0;
    let dropped = 0;
    const waiting: number[] = [];
    for (let tick = 0; tick < 200; tick++) {
      // 21 inputs per 20 ticks: 5% fast.
      s.queueInput(seq, seq++);
      if (tick % 20 === 0) s.queueInput(seq, seq++);
      dropped += s.drainInputs(() => {});
      waiting.push(s.queuedInputs);
    }
    expect(Math.max(...waiting.slice(100))).toBeLessThanOrEqual(2);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThanOrEqual(10);
  });

  it("never trims inputs that merely arrive bunched by jitter (edge: two at once, then none)", () => {
    const s = session(8, 3, 5);
    let seq = 0;
    let dropped = 0;
    for (let tick = 0; tick < 200; tick++) {
      if (tick % 2 === 0) {
        s.queueInput(seq, seq++);
        s.queueInput(seq, seq++);
      }
      dropped += s.drainInputs(() => {});
    }
    expect(dropped).toBe(0);
  });

  it("drops the oldest input when the queue is full and reports it", () => {
    const s = session(3, 3);
    s.queueInput(0, 0);
    s.queueInput(1, 1);
    s.queueInput(2, 2);
    expect(s.queueInput(3, 3)).toBe("queue_full");
    expect(s.queuedInputs).toBe(3);
    expect(drain(s)).toEqual([1, 2, 3]);
  });

  it("forgets queued inputs and the seq history on clearInputs (a resumed client may restart its seqs)", () => {
    const s = session();
    s.queueInput(100, 1);
    s.clearInputs();
    expect(s.queuedInputs).toBe(0);
    expect(s.queueInput(0, 2)).toBeUndefined();
    expect(drain(s)).toEqual([2]);
  });
});

describe("Session reliable ids", () => {
  it("accepts increasing rids and drops ones already seen (re-sent after a resume)", () => {
    const s = session();
    expect(s.acceptReliable(1)).toBe(true);
    expect(s.acceptReliable(2)).toBe(true);
    expect(s.acceptReliable(2)).toBe(false);
    expect(s.acceptReliable(1)).toBe(false);
    expect(s.acceptReliable(5)).toBe(true);
    expect(s.lastReliableId).toBe(5);
  });
});

describe("createResumeToken", () => {
  it("makes distinct 256-bit url-safe tokens", () => {
    const tokens = new Set(Array.from({ length: 100 }, createResumeToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
