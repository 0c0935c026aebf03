import { describe, expect, it } from "vitest";
import { DEFAULT_INITIAL_LEAD_MS, InputTiming } from "../../src/time/index.js";

const TICK_MS = 50;

describe("InputTiming", () => {
  it("aims an input at the tick it can still reach, to arrive the lead before it", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4 });
    // Arriving at server time 1000 + 4 lead: tick 20 (server time 1000) is the one to aim for.
    expect(timing.targetTick(1000 - 4)).toBe(20);
    expect(timing.sendServerTime(20, 3)).toBe(1000 - 4 - 3);
    // Up to half a tick late still means tick 20; more means the next one.
    expect(timing.targetTick(1000 + 20)).toBe(20);
    expect(timing.targetTick(1000 + 30)).toBe(21);
  });

  it("never aims two inputs at one tick", () => {
    const timing = new InputTiming({ tickMs: TICK_MS });
    timing.sent(7, 20);
    expect(timing.targetTick(1000)).toBe(21);
    timing.reset();
    expect(timing.targetTick(1000 - DEFAULT_INITIAL_LEAD_MS)).toBe(20);
  });

  it("grows the lead when an input misses its tick, and shrinks it after a run of timely ones", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4, lateStepMs: 2, timelyRun: 3, earlyStepMs: 0.5, minLeadMs: 1 });
    timing.sent(10, 100);
    timing.acked(100, 9); // applied only up to seq 9: input 10 was late
    expect(timing.leadMs).toBe(6);
    expect(timing.lateInputs).toBe(1);
    for (let i = 0; i < 3; i++) {
      timing.sent(11 + i, 101 + i);
      timing.acked(101 + i, 11 + i);
    }
    expect(timing.timelyInputs).toBe(3);
    expect(timing.leadMs).toBe(5.5);
  });

  it("judges an input only once its target tick's snapshot (or a later one) arrives, across seq wrap-around", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4, timelyRun: 1000 });
    timing.sent(0xffff, 200);
    timing.sent(0, 201);
    timing.acked(199, 0xfffe);
    expect(timing.lateInputs + timing.timelyInputs).toBe(0);
    // A skipped snapshot: tick 201 arrives with both applied (0 comes after 0xffff).
    timing.acked(201, 0);
    expect(timing.timelyInputs).toBe(2);
    expect(timing.lateInputs).toBe(0);
    expect(timing.leadMs).toBe(4);
  });

  it("grows the lead once for a run of late inputs found together or within the cooldown (a stall), again after it", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4, lateStepMs: 5, lateCooldownMs: 250 });
    for (let i = 0; i < 10; i++) timing.sent(i, 100 + i);
    timing.acked(105, -1, 1000); // six late at once
    expect(timing.leadMs).toBe(9);
    timing.acked(109, -1, 1100); // four more, within the cooldown
    expect(timing.leadMs).toBe(9);
    expect(timing.lateInputs).toBe(10);
    timing.sent(10, 110);
    timing.acked(110, -1, 1300);
    expect(timing.leadMs).toBe(14);
  });

  it("grows the lead by the shortfall of the server's reported input margin, all at first, then a bounded step a report; an outage's is ignored", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4, maxLeadMs: 150 });
    timing.observeMargin(-25); // the first report: all of its 30 ms shortfall
    expect(timing.leadMs).toBe(34);
    timing.observeMargin(20); // early enough
    expect(timing.leadMs).toBe(34);
    timing.observeMargin(2); // 3 ms short of the 5 ms target
    expect(timing.leadMs).toBe(37);
    timing.observeMargin(-30); // late: at most 10 ms a report
    expect(timing.leadMs).toBe(47);
    timing.observeMargin(-400); // a stalled uplink's inputs
    expect(timing.leadMs).toBe(47);
  });

  it("keeps the lead between its bounds", () => {
    const timing = new InputTiming({ tickMs: TICK_MS, initialLeadMs: 4, lateStepMs: 30, maxLeadMs: 40 });
    for (let i = 0; i < 5; i++) {
      timing.sent(i, i);
      timing.acked(i, -1);
    }
    expect(timing.leadMs).toBe(40);
    expect(() => new InputTiming({ tickMs: 0 })).toThrow(RangeError);
    expect(() => new InputTiming({ tickMs: TICK_MS, minLeadMs: 10, maxLeadMs: 5 })).toThrow(RangeError);
  });
});
