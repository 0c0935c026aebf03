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
    expect(drain(s)).toEqual([100]);
    expect(drain(s)).toEqual([110]);
    expect(s.lastProcessedSeq).toBe(11);
  });

  it("applies one input per tick, so sending faster than the tick rate is no speed hack", () => {
    const s = session(64, 3);
    let seq = 0;
    const appliedPerTick: number[] = [];
    for (let tick = 0; tick < 20; tick++) {
      // A cheater sends three inputs per tick.
      for (let i = 0; i < 3; i++) s.queueInput(seq++, seq);
      appliedPerTick.push(drain(s).length);
    }
    expect(appliedPerTick.every((n) => n === 1)).toBe(true);
  });

  it("holds inputs bunched by jitter for the next ticks instead of applying them in a burst", () => {
    const s = session(8, 3);
    drain(s);
    drain(s); // two quiet ticks: nothing is banked
    for (let seq = 0; seq < 3; seq++) s.queueInput(seq, seq);
    expect(drain(s)).toEqual([0]);
    expect(drain(s)).toEqual([1]);
    expect(drain(s)).toEqual([2]);
  });

  it("a late input costs one tick without input, then waits as a spare, worked off by one double tick later", () => {
    const s = session(8, 2, 20);
    let seq = 0;
    const counts: number[] = [];
    for (let tick = 0; tick < 30; tick++) {
      // Input 10 arrives just after its tick, together with input 11.
      if (tick !== 10) s.queueInput(seq, seq++);
      if (tick === 11) s.queueInput(seq, seq++);
      counts.push(drain(s).length);
    }
    expect(counts.slice(0, 10).every((n) => n === 1)).toBe(true);
    expect(counts[10]).toBe(0);
    // Never more than one double, and none at once after the late one.
    expect(counts[11]).toBe(1);
    expect(counts.filter((n) => n === 2)).toHaveLength(1);
    expect(counts.filter((n) => n > 2)).toHaveLength(0);
    expect(s.queuedInputs).toBe(0);
  });

  it("drops a spare that has no missed tick to make up, so later inputs are not held a tick for good", () => {
    const s = session(8, 2, 20);
    let seq = 0;
    const lags: number[] = [];
    for (let tick = 0; tick < 30; tick++) {
      // One input a tick, and at tick 5 one more (the client's schedule moved a tick earlier).
      s.queueInput(seq, seq++);
      if (tick === 5) s.queueInput(seq, seq++);
      drain(s);
      lags.push(seq - 1 - s.lastProcessedSeq);
    }
    // Held a tick behind for a few ticks, then applied as sent again; never two in one tick.
    expect(lags.slice(6, 9).every((lag) => lag === 1)).toBe(true);
    expect(lags.slice(12).every((lag) => lag === 0)).toBe(true);
    expect(s.queuedInputs).toBe(0);
  });

  it("makes up two late inputs close together, each with one double tick", () => {
    const s = session(8, 2, 20);
    let seq = 0;
    let applied = 0;
    for (let tick = 0; tick < 40; tick++) {
      // Inputs 10 and 13 arrive a tick late, each with the next one.
      if (tick !== 10 && tick !== 13) s.queueInput(seq, seq++);
      if (tick === 11 || tick === 14) s.queueInput(seq, seq++);
      applied += drain(s).length;
    }
    // Nothing dropped: every input sent is applied, none held at the end.
    expect(applied).toBe(seq);
    expect(s.queuedInputs).toBe(0);
  });

  it("applies an input timed for a tick in that tick: one early by jitter waits, never two in one tick", () => {
    const s = session(8, 3);
    // Inputs for ticks 10..12 arrive all before tick 10, bunched by jitter.
    for (let i = 0; i < 3; i++) s.queueInput(i, i, 10 + i);
    const timed = (tick: number) => {
      const applied: number[] = [];
      s.drainInputs((_session, input) => applied.push(input), tick);
      return applied;
    };
    expect(timed(9)).toEqual([]);
    expect(timed(10)).toEqual([0]);
    expect(timed(11)).toEqual([1]);
    expect(timed(12)).toEqual([2]);
    expect(s.queuedInputs).toBe(0);
  });

  it("makes up late timed inputs in the next tick, as many as ticks passed without one, and drops older ones (a stalled uplink)", () => {
    const s = session(16, 3);
    const applied: number[] = [];
    const timed = (tick: number) => s.drainInputs((_session, input) => applied.push(input), tick);
    s.queueInput(0, 19, 19);
    timed(19);
    // The input for tick 20 misses it: tick 20 applies nothing, tick 21 both.
    expect(timed(20)).toBe(0);
    s.queueInput(1, 20, 20);
    s.queueInput(2, 21, 21);
    expect(timed(21)).toBe(0);
    expect(applied).toEqual([19, 20, 21]);
    expect(s.lastProcessedSeq).toBe(2);
    // Late with nothing newer due: it applies alone.
    s.queueInput(3, 22, 22);
    expect(timed(23)).toBe(0);
    expect(applied).toEqual([19, 20, 21, 22]);
    // A stalled uplink's inputs, all due at once: three (maxInputsPerTick) apply, the older are dropped.
    for (let tick = 24; tick < 40; tick++) timed(tick);
    for (let seq = 4; seq < 12; seq++) s.queueInput(seq, 20 + seq, 20 + seq);
    expect(timed(40)).toBe(5);
    expect(applied).toEqual([19, 20, 21, 22, 29, 30, 31]);
  });

  it("applies more than one timed input in a tick only to make up ticks before it that had none (no speed hack)", () => {
    const s = session(64, 3);
    let applied = 0;
    let seq = 0;
    for (let tick = 100; tick < 120; tick++) {
      // A cheater sends, each tick, inputs for the two ticks before and one for this tick.
      for (const target of [tick - 2, tick - 1, tick]) s.queueInput(seq++, 0, target);
      s.drainInputs(() => applied++, tick);
    }
    // One a tick, however they are timed.
    expect(applied).toBe(20);
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
    expect([...drain(s), ...drain(s), ...drain(s)]).toEqual([1, 2, 3]);
    expect(s.lastProcessedSeq).toBe(0);
  });

  it("trims the backlog of a client clock running fast, so input latency stays bounded", () => {
    const s = session(8, 2, 5);
    let seq = 0;
    let dropped = 0;
    const waiting: number[] = [];
    for (let tick = 0; tick < 400; tick++) {
      // 101 inputs per 100 ticks: 1% fast.
      s.queueInput(seq, seq++);
      if (tick % 100 === 50) s.queueInput(seq, seq++);
      dropped += s.drainInputs(() => {});
      waiting.push(s.queuedInputs);
    }
    expect(Math.max(...waiting.slice(100))).toBeLessThanOrEqual(2);
    // No more than the excess.
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThanOrEqual(4);
  });

  it("drops a stalled uplink's backlog at once, keeping one spare (one correction per stall)", () => {
    const s = session(16, 2, 20);
    let seq = 0;
    drain(s);
    // Ten inputs held by a stall arrive together.
    for (let i = 0; i < 10; i++) s.queueInput(seq, seq++);
    const dropped = s.drainInputs(() => {});
    expect(dropped).toBe(8);
    expect(s.queuedInputs).toBe(1);
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
    expect(drain(s)).not.toContain(0);
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
  it("accepts rids in sequence only: drops ones already seen (re-sent after a resume) and ones after a gap", () => {
    const s = session();
    expect(s.acceptReliable(1)).toBe(true);
    expect(s.acceptReliable(2)).toBe(true);
    expect(s.acceptReliable(2)).toBe(false);
    expect(s.acceptReliable(1)).toBe(false);
    expect(s.acceptReliable(5)).toBe(false);
    expect(s.lastReliableId).toBe(2);
    expect(s.acceptReliable(3)).toBe(true);
    expect(s.lastReliableId).toBe(3);
  });
});

describe("createResumeToken", () => {
  it("makes distinct 256-bit url-safe tokens", () => {
    const tokens = new Set(Array.from({ length: 100 }, createResumeToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
