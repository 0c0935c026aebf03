import { MAX_INPUT_FIELDS } from "./constants.js";
import { type DecodeResult, failure, invalidField } from "./errors.js";

export interface IntInputField {
  readonly kind: "int";
  readonly min: number;
  readonly max: number;
}

/** Travels as 0 or 1. */
export interface BoolInputField {
  readonly kind: "bool";
}

/** A float64 in [min, max], sent exactly so client prediction and server agree bit for bit. */
export interface NumberInputField {
  readonly kind: "number";
  readonly min: number;
  readonly max: number;
}

export type InputField = IntInputField | BoolInputField | NumberInputField;

export const inputField = {
  int(min: number, max: number): IntInputField {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new RangeError(`int input field needs integer bounds with min <= max, got ${min}..${max}`);
    }
    return { kind: "int", min, max };
  },
  bool(): BoolInputField {
    return { kind: "bool" };
  },
  number(min: number, max: number): NumberInputField {
    if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
      throw new RangeError(`number input field needs finite bounds with min <= max, got ${min}..${max}`);
    }
    return { kind: "number", min, max };
  },
};

export type InputFields = Readonly<Record<string, InputField>>;

/** The game's input object for a field declaration: booleans for bool fields, numbers otherwise. */
export type InputOf<F extends InputFields> = {
  -readonly [K in keyof F]: F[K] extends BoolInputField ? boolean : number;
};

/** A game's input layout: the order of values on the wire and the rule for each. */
export interface InputSchema<T> {
  /** Field names in wire order (declaration order). */
  readonly names: readonly string[];
  readonly fields: readonly InputField[];
  /** The wire values of an input; throws RangeError/TypeError when a value breaks its field's rule. */
  encode(input: T): number[];
  /** Checks count, type, integer-ness and range of wire values and builds the input object. */
  validate(values: readonly unknown[]): DecodeResult<T>;
}

/**
 * Declares a game's input. Values travel in declaration order, so field names must not be
 * integer-like (JavaScript would move them to the front of the key order).
 *
 * @example
 * const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1), attack: inputField.bool() });
 */
export function defineInput<const F extends InputFields>(fields: F): InputSchema<InputOf<F>> {
  return new DeclaredInputSchema<InputOf<F>>(fields);
}

const INTEGER_LIKE = /^\d+$/;

class DeclaredInputSchema<T> implements InputSchema<T> {
  readonly names: readonly string[];
  readonly fields: readonly InputField[];
  /** `input.<name>`, built once so validation allocates no strings. */
  private readonly labels: readonly string[];

  constructor(declaration: InputFields) {
    this.names = Object.keys(declaration);
    if (this.names.length > MAX_INPUT_FIELDS) {
      throw new RangeError(`an input has at most ${MAX_INPUT_FIELDS} fields, got ${this.names.length}`);
    }
    for (const name of this.names) {
      if (INTEGER_LIKE.test(name)) throw new TypeError(`input field name "${name}" is integer-like`);
    }
    this.fields = this.names.map((name) => declaration[name]);
    this.labels = this.names.map((name) => `input.${name}`);
  }

  encode(input: T): number[] {
    const record = input as Record<string, unknown>;
    const values = new Array<number>(this.fields.length);
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i];
      const value = record[this.names[i]];
      if (field.kind === "bool") {
        if (typeof value !== "boolean") throw new TypeError(`${this.labels[i]} must be a boolean`);
        values[i] = value ? 1 : 0;
        continue;
      }
      const problem = wireProblem(field, value);
      if (problem !== undefined) throw new RangeError(`${this.labels[i]} ${problem}`);
      values[i] = value as number;
    }
    return values;
  }

  validate(values: readonly unknown[]): DecodeResult<T> {
    if (values.length !== this.fields.length) {
      return failure(invalidField(`input has ${values.length} values, expected ${this.fields.length}`));
    }
    const input: Record<string, number | boolean> = {};
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i];
      const value = values[i];
      const problem = wireProblem(field, value);
      if (problem !== undefined) return failure(invalidField(`${this.labels[i]} ${problem}`));
      input[this.names[i]] = field.kind === "bool" ? value === 1 : (value as number);
    }
    return { ok: true, value: input as T };
  }
}

/** Why a wire value breaks its field's rule, or undefined when it is valid. */
function wireProblem(field: InputField, value: unknown): string | undefined {
  if (typeof value !== "number") return "must be a number";
  switch (field.kind) {
    case "bool":
      return value === 0 || value === 1 ? undefined : "must be 0 or 1";
    case "int":
      return Number.isInteger(value) && value >= field.min && value <= field.max
        ? undefined
        : `must be an integer in ${field.min}..${field.max}`;
    case "number":
      // NaN fails both comparisons; ±Infinity falls outside the finite bounds.
      return value >= field.min && value <= field.max ? undefined : `must be a number in ${field.min}..${field.max}`;
  }
}
