import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineInput, ErrorCode, inputField, MAX_INPUT_FIELDS } from "../../src/protocol/index.js";

const schema = defineInput({
  dx: inputField.int(-1, 1),
  dy: inputField.int(-1, 1),
  attack: inputField.bool(),
  aim: inputField.number(-Math.PI, Math.PI),
});

function expectInvalid(values: unknown[], messagePart: string): void {
  const result = schema.validate(values);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(ErrorCode.InvalidField);
  expect(result.error.message).toContain(messagePart);
}

describe("defineInput", () => {
  it("lists fields in declaration order", () => {
    expect(schema.names).toEqual(["dx", "dy", "attack", "aim"]);
    expect(schema.fields.map((field) => field.kind)).toEqual(["int", "int", "bool", "number"]);
  });

  it("encodes values in declaration order with booleans as 0 and 1", () => {
    expect(schema.encode({ aim: 0.5, attack: true, dy: 1, dx: -1 })).toEqual([-1, 1, 1, 0.5]);
    expect(schema.encode({ dx: 0, dy: 0, attack: false, aim: -Math.PI })).toEqual([0, 0, 0, -Math.PI]);
  });

  it("validates wire values into the game's input object", () => {
    expect(schema.validate([1, -1, 1, Math.PI])).toEqual({
      ok: true,
      value: { dx: 1, dy: -1, attack: true, aim: Math.PI },
    });
    expect(schema.validate([0, 0, 0, 0])).toEqual({ ok: true, value: { dx: 0, dy: 0, attack: false, aim: 0 } });
  });

  it("round-trips every valid input exactly through encode and validate", () => {
    fc.assert(
      fc.property(
        fc.record({
          dx: fc.integer({ min: -1, max: 1 }),
          dy: fc.integer({ min: -1, max: 1 }),
          attack: fc.boolean(),
          aim: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        }),
        (input) => {
          expect(schema.validate(schema.encode(input))).toEqual({ ok: true, value: input });
        },
      ),
    );
  });

  it("refuses wrong input arity: too few and too many values", () => {
    expectInvalid([0, 0, 0], "3 values, expected 4");
    expectInvalid([0, 0, 0, 0, 0], "5 values, expected 4");
  });

  it("refuses an int input out of range", () => {
    expectInvalid([2, 0, 0, 0], "input.dx must be an integer in -1..1");
    expectInvalid([0, -2, 0, 0], "input.dy");
  });

  it("refuses a non-integer for an int field", () => {
    expectInvalid([0.5, 0, 0, 0], "input.dx must be an integer");
  });

  it("refuses a number input out of range, NaN and Infinity", () => {
    expectInvalid([0, 0, 0, 4], "input.aim must be a number in");
    expectInvalid([0, 0, 0, Number.NaN], "input.aim");
    expectInvalid([0, 0, 0, Number.POSITIVE_INFINITY], "input.aim");
    expectInvalid([0, 0, 0, Number.NEGATIVE_INFINITY], "input.aim");
  });

  it("refuses a bool field that is not 0 or 1", () => {
    expectInvalid([0, 0, 2, 0], "input.attack must be 0 or 1");
    expectInvalid([0, 0, 0.5, 0], "input.attack must be 0 or 1");
  });

  it("refuses values that are not numbers (string, null, boolean)", () => {
    expectInvalid(["1", 0, 0, 0], "input.dx must be a number");
    expectInvalid([0, null, 0, 0], "input.dy must be a number");
    expectInvalid([0, 0, true, 0], "input.attack must be a number");
  });

  it("throws when encoding a value its field would refuse", () => {
    expect(() => schema.encode({ dx: 2, dy: 0, attack: false, aim: 0 })).toThrow(RangeError);
    expect(() => schema.encode({ dx: 0.5, dy: 0, attack: false, aim: 0 })).toThrow(/input\.dx/);
    expect(() => schema.encode({ dx: 0, dy: 0, attack: false, aim: Number.NaN })).toThrow(/input\.aim/);
    const notBoolean = { dx: 0, dy: 0, attack: 1, aim: 0 } as unknown as Parameters<typeof schema.encode>[0];
    expect(() => schema.encode(notBoolean)).toThrow(TypeError);
  });

  it("accepts an empty input schema that takes no values", () => {
    const none = defineInput({});
    expect(none.encode({})).toEqual([]);
    expect(none.validate([])).toEqual({ ok: true, value: {} });
    expect(none.validate([0]).ok).toBe(false);
  });

  it(`refuses more than MAX_INPUT_FIELDS (${MAX_INPUT_FIELDS}) fields`, () => {
    const fields = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, inputField.bool()]));
    expect(defineInput(fields(MAX_INPUT_FIELDS)).fields).toHaveLength(MAX_INPUT_FIELDS);
    expect(() => defineInput(fields(MAX_INPUT_FIELDS + 1))).toThrow(RangeError);
  });

  it("refuses integer-like field names, whose key order JavaScript would change", () => {
    expect(() => defineInput({ b: inputField.bool(), 1: inputField.bool() })).toThrow(/integer-like/);
  });

  it("refuses field bounds that are reversed, non-integer for int, or not finite", () => {
    expect(() => inputField.int(1, -1)).toThrow(RangeError);
    expect(() => inputField.int(0, 1.5)).toThrow(RangeError);
    expect(() => inputField.number(1, 0)).toThrow(RangeError);
    expect(() => inputField.number(0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(inputField.int(-3, -3)).toEqual({ kind: "int", min: -3, max: -3 });
  });
});
