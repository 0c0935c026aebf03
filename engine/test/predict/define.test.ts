import { describe, expect, it } from "vitest";
import { definePrediction } from "../../src/predict/define.js";
import { Reconciler } from "../../src/predict/reconciler.js";
import { defineInput, inputField } from "../../src/protocol/input.js";
import { t } from "../../src/state/fields.js";
import { defineSchema } from "../../src/state/schema.js";

const schema = defineSchema({
  player: { x: t.fixed(1 / 16, { min: -100, max: 100 }), y: t.int(16), hp: t.uint(8), name: t.string(16), ready: t.bool() },
  npc: { x: t.int(16) },
});
const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1), jump: inputField.bool() });
type Input = { dx: number; dy: number; jump: boolean };
const DT = 1 / 20;

function step(state: { x: number; y: number }, move: Input, dt: number): void {
  state.x += move.dx * 20 * dt;
  state.y += (move.jump ? 10 : move.dy) * 20 * dt;
}

describe("definePrediction", () => {
  it("derives create, copy, a Euclidean error and input copies from the schemas", () => {
    const { model, fields } = definePrediction({ schema, entity: "player", fields: ["x", "y"], input, step });
    expect(fields).toEqual(["x", "y"]);
    const state = model.create();
    expect(state).toEqual({ x: 0, y: 0 });
    model.copy({ x: 3, y: 4 }, state);
    expect(state).toEqual({ x: 3, y: 4 });
    expect(model.error(state, { x: 0, y: 0 })).toBe(5);
    const slot = model.createInput!();
    expect(slot).toEqual({ dx: 0, dy: 0, jump: false });
    model.copyInput!({ dx: 1, dy: -1, jump: true }, slot);
    expect(slot).toEqual({ dx: 1, dy: -1, jump: true });
  });

  it("drives a reconciler that replays a reused input object's past values, not its current one", () => {
    const { model } = definePrediction({ schema, entity: "player", fields: ["x", "y"], input, step });
    const reconciler = new Reconciler(model, { dt: DT });
    reconciler.reset({ x: 0, y: 0 });
    const held: Input = { dx: 1, dy: 0, jump: false };
    reconciler.predict(held);
    held.dx = -1;
    reconciler.predict(held);
    held.dx = 1;
    // The server applied neither yet: replaying both (+1 then -1) must cancel out.
    const { error } = reconciler.reconcile({ x: 0, y: 0 }, -1);
    expect(reconciler.state).toEqual({ x: 0, y: 0 });
    expect(error).toBe(0);
  });

  it("refuses at runtime a field that is missing or not a number (for untyped callers)", () => {
    const spec = { schema, entity: "player", input, step: () => {} } as const;
    expect(() => definePrediction({ ...spec, fields: ["z" as "x"] })).toThrow(/no field "z"/);
    expect(() => definePrediction({ ...spec, fields: ["name" as "x"] })).toThrow(/is a string/);
    expect(() => definePrediction({ ...spec, fields: [] })).toThrow(/at least one field/);
    expect(() => definePrediction({ ...spec, entity: "ghost" as "player", fields: ["x"] })).toThrow(/unknown entity type/);
  });

  it("type-checks the entity and field names against the schema (a misspelt name does not compile)", () => {
    const check = () => {
      // @ts-expect-error "xx" is not a field of "player"
      definePrediction({ schema, entity: "player", fields: ["x", "xx"], input, step: () => {} });
      // @ts-expect-error "name" is a string field: it cannot be predicted
      definePrediction({ schema, entity: "player", fields: ["name"], input, step: () => {} });
      // @ts-expect-error "y" is a field of "player" but not of "npc"
      definePrediction({ schema, entity: "npc", fields: ["y"], input, step: () => {} });
      // @ts-expect-error the step reads a field that is not predicted
      definePrediction({ schema, entity: "player", fields: ["x"], input, step: (state: { hp: number }) => state.hp });
    };
    expect(check).toBeTypeOf("function");
  });
});
