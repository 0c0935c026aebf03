import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PredictionModel, Reconciler } from "../../src/predict/reconciler.js";
import { Rng } from "../../src/util/rng.js";

interface Body {
  x: number;
  y: number;
}
interface Move {
  dx: number;
  dy: number;
}

const DT = 1 / 20;
/** Units per second, so one step moves SPEED * DT. */
const SPEED = 4;
const STEP = SPEED * DT;

/** A walker; `wallX` is a wall only the side that knows it applies. */
function walker(wallX = Number.POSITIVE_INFINITY): PredictionModel<Body, Move> {
  return {
    step(state, input, dt) {
      state.x = Math.min(wallX, state.x + input.dx * SPEED * dt);
      state.y += input.dy * SPEED * dt;
    },
    copy(from, to) {
      to.x = from.x;
      to.y = from.y;
    },
    create: () => ({ x: 0, y: 0 }),
    error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  };
}

/** The authoritative side: processes inputs in order with its own model. */
class Server {
  readonly state: Body;
  constructor(
    private readonly model: PredictionModel<Body, Move>,
    start: Body = { x: 0, y: 0 },
  ) {
    this.state = { ...start };
  }
  process(input: Move): void {
    this.model.step(this.state, input, DT);
  }
}

const right: Move = { dx: 1, dy: 0 };

function randomMoves(rng: Rng, count: number): Move[] {
  return Array.from({ length: count }, () => ({ dx: rng.int(-1, 1), dy: rng.int(-1, 1) }));
}

describe("Reconciler", () => {
  it("applies an input to the predicted state at once and assigns consecutive seqs", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    expect(reconciler.predict(right)).toBe(0);
    expect(reconciler.predict(right)).toBe(1);
    expect(reconciler.state.x).toBeCloseTo(2 * STEP, 12);
    expect(reconciler.pendingCount).toBe(2);
    expect(reconciler.nextSeq).toBe(2);
  });

  it("perfect prediction: a server running the same step gives zero error at any ack lag", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 8 }), (seed, lag) => {
        const rng = new Rng(seed);
        const model = walker();
        const reconciler = new Reconciler(model, { dt: DT });
        const server = new Server(model);
        const moves = randomMoves(rng, 40);
        for (let i = 0; i < moves.length; i++) {
          reconciler.predict(moves[i]);
          const acked = i - lag;
          if (acked < 0) continue;
          server.process(moves[acked]);
          const result = reconciler.reconcile(server.state, acked);
          expect(result.error).toBe(0);
          expect(result.replayed).toBe(lag);
        }
        expect(reconciler.corrections).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it("a wall only the server knows: corrects by the overshoot and replays the unacknowledged inputs", () => {
    const wallX = 1;
    const reconciler = new Reconciler(walker(), { dt: DT });
    const server = new Server(walker(wallX));
    const sent = 10;
    const processed = 7;
    for (let i = 0; i < sent; i++) reconciler.predict(right);
    for (let i = 0; i < processed; i++) server.process(right);
    const predictedBefore = reconciler.state.x;

    const result = reconciler.reconcile(server.state, processed - 1);

    const unacknowledged = sent - processed;
    expect(result.replayed).toBe(unacknowledged);
    expect(reconciler.pendingCount).toBe(unacknowledged);
    expect(reconciler.state.x).toBeCloseTo(wallX + unacknowledged * STEP, 12);
    expect(result.error).toBeCloseTo(predictedBefore - reconciler.state.x, 12);
    expect(reconciler.corrections).toBe(1);
  });

  it("lastProcessedSeq -1 (none processed) keeps every input pending and replays all of them", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    for (let i = 0; i < 4; i++) reconciler.predict(right);
    const knockedBack: Body = { x: -3, y: 0 };

    const result = reconciler.reconcile(knockedBack, -1);

    expect(result.replayed).toBe(4);
    expect(reconciler.pendingCount).toBe(4);
    expect(reconciler.state.x).toBeCloseTo(-3 + 4 * STEP, 12);
  });

  it("an out-of-order ack older than the last one is ignored: state and pending unchanged", () => {
    const model = walker();
    const reconciler = new Reconciler(model, { dt: DT });
    const server = new Server(model);
    for (let i = 0; i < 8; i++) reconciler.predict(right);
    const snapshots: Body[] = [];
    for (let i = 0; i < 6; i++) {
      server.process(right);
      snapshots.push({ ...server.state });
    }
    reconciler.reconcile(snapshots[5], 5);
    const stateBefore = { ...reconciler.state };

    const result = reconciler.reconcile(snapshots[2], 2);

    expect(result).toEqual({ error: 0, replayed: 0 });
    expect(reconciler.state).toEqual(stateBefore);
    expect(reconciler.pendingCount).toBe(2);
    expect(reconciler.ignoredAcks).toBe(1);
  });

  it("a duplicate ack drops nothing more but still rewinds to the newer authoritative state", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    for (let i = 0; i < 5; i++) reconciler.predict(right);
    reconciler.reconcile({ x: 3 * STEP, y: 0 }, 2);
    const pushedBySomething: Body = { x: 3 * STEP, y: 1 };

    const result = reconciler.reconcile(pushedBySomething, 2);

    expect(result.replayed).toBe(2);
    expect(reconciler.pendingCount).toBe(2);
    expect(reconciler.state.x).toBeCloseTo(5 * STEP, 12);
    expect(reconciler.state.y).toBe(1);
    expect(result.error).toBeCloseTo(1, 12);
    expect(reconciler.ignoredAcks).toBe(0);
  });

  it("an ack for a seq never sent is ignored", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    for (let i = 0; i < 3; i++) reconciler.predict(right);

    const result = reconciler.reconcile({ x: 100, y: 0 }, 3);

    expect(result).toEqual({ error: 0, replayed: 0 });
    expect(reconciler.pendingCount).toBe(3);
    expect(reconciler.state.x).toBeCloseTo(3 * STEP, 12);
    expect(reconciler.ignoredAcks).toBe(1);
  });

  it("seq wraparound 65535 -> 0 keeps exactly the inputs after the ack pending", () => {
    const model = walker();
    const reconciler = new Reconciler(model, { dt: DT });
    const server = new Server(model);
    const firstSeq = 0xffff - 5;
    reconciler.reset(server.state, firstSeq);
    const moves = randomMoves(new Rng(11), 10);
    const seqs = moves.map((move) => reconciler.predict(move));
    expect(seqs).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3]);

    // Ack before the wrap.
    for (let i = 0; i < 5; i++) server.process(moves[i]);
    let result = reconciler.reconcile(server.state, 65534);
    expect(result.replayed).toBe(5);
    expect(result.error).toBe(0);

    // Ack after the wrap: only seqs 2 and 3 remain.
    for (let i = 5; i < 8; i++) server.process(moves[i]);
    result = reconciler.reconcile(server.state, 1);
    expect(result.replayed).toBe(2);
    expect(reconciler.pendingCount).toBe(2);
    expect(result.error).toBe(0);

    // The ack before the wrap is now stale.
    result = reconciler.reconcile({ x: 50, y: 50 }, 65534);
    expect(result.replayed).toBe(0);
    expect(reconciler.ignoredAcks).toBe(1);
    expect(reconciler.pendingCount).toBe(2);
  });

  it("overflow past maxPending drops the oldest input and counts it", () => {
    const maxPending = 4;
    const reconciler = new Reconciler(walker(), { dt: DT, maxPending });
    for (let i = 0; i < 6; i++) reconciler.predict({ dx: 0, dy: i });
    expect(reconciler.pendingCount).toBe(maxPending);
    expect(reconciler.droppedInputs).toBe(2);

    // Seq 1 was dropped unacknowledged: nothing to drop, seqs 2..5 replay.
    const origin: Body = { x: 0, y: 0 };
    expect(reconciler.reconcile(origin, 1).replayed).toBe(4);
    expect(reconciler.state.y).toBeCloseTo((2 + 3 + 4 + 5) * STEP, 12);

    expect(reconciler.reconcile(origin, 3).replayed).toBe(2);
    expect(reconciler.state.y).toBeCloseTo((4 + 5) * STEP, 12);
  });

  it("with createInput/copyInput, reusing one input object does not change pending inputs", () => {
    const model: PredictionModel<Body, Move> = {
      ...walker(),
      createInput: () => ({ dx: 0, dy: 0 }),
      copyInput(from, to) {
        to.dx = from.dx;
        to.dy = from.dy;
      },
    };
    const reconciler = new Reconciler(model, { dt: DT });
    const reused: Move = { dx: 1, dy: 0 };
    reconciler.predict(reused);
    reused.dx = -1;
    reconciler.predict(reused);
    reused.dx = 0;

    reconciler.reconcile({ x: 0, y: 0 }, -1);

    expect(reconciler.state.x).toBeCloseTo(0, 12);
    expect(reconciler.pendingCount).toBe(2);
  });

  it("without copyInput, pending inputs are the caller's objects", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    const reused: Move = { dx: 1, dy: 0 };
    reconciler.predict(reused);
    reused.dx = -1;

    reconciler.reconcile({ x: 0, y: 0 }, -1);

    expect(reconciler.state.x).toBeCloseTo(-STEP, 12);
  });

  it("reset clears pending inputs and treats every earlier seq as acknowledged", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    for (let i = 0; i < 3; i++) reconciler.predict(right);
    const respawn: Body = { x: 10, y: 10 };

    reconciler.reset(respawn, 100);

    expect(reconciler.pendingCount).toBe(0);
    expect(reconciler.state).toEqual(respawn);
    expect(reconciler.predict(right)).toBe(100);
    expect(reconciler.reconcile(respawn, 98).replayed).toBe(0);
    expect(reconciler.ignoredAcks).toBe(1);
    expect(reconciler.reconcile(respawn, 99).replayed).toBe(1);
  });

  it("reset without a seq keeps counting from the current seq", () => {
    const reconciler = new Reconciler(walker(), { dt: DT });
    reconciler.predict(right);
    reconciler.predict(right);
    reconciler.reset({ x: 0, y: 0 });
    expect(reconciler.predict(right)).toBe(2);
  });

  it("counts as corrections only errors above epsilon", () => {
    const epsilon = 0.01;
    const reconciler = new Reconciler(walker(), { dt: DT, epsilon });
    reconciler.predict(right);
    reconciler.reconcile({ x: STEP + epsilon / 2, y: 0 }, 0);
    expect(reconciler.corrections).toBe(0);
    reconciler.reconcile({ x: STEP + epsilon * 2, y: 0 }, 0);
    expect(reconciler.corrections).toBe(1);
  });

  it("rejects bad options: non-positive dt, maxPending out of range, half an input copier", () => {
    expect(() => new Reconciler(walker(), { dt: 0 })).toThrow(RangeError);
    expect(() => new Reconciler(walker(), { dt: DT, maxPending: 0 })).toThrow(RangeError);
    expect(() => new Reconciler(walker(), { dt: DT, maxPending: 0x8000 })).toThrow(RangeError);
    const half: PredictionModel<Body, Move> = { ...walker(), createInput: () => ({ dx: 0, dy: 0 }) };
    expect(() => new Reconciler(half, { dt: DT })).toThrow(TypeError);
  });
});
