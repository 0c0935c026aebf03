/**
 * Field types of entity schemas and how their values are quantized.
 *
 * Every field is held as a quantized number (strings excepted) so that change
 * detection is one `!==` and the wire carries small integers:
 * - uint/int: `Math.round`, clamped to the width; NaN throws a TypeError.
 * - bool: 0/1. enum: the index of the value in its list (unknown values throw).
 * - fixed: `q = Math.round(value / resolution)` clamped to the range; value = `q * resolution`.
 * - string: truncated to `maxLength` UTF-16 code units (never splitting a surrogate
 *   pair) and lone surrogates replaced by U+FFFD, so what a receiver decodes is
 *   exactly what the server holds.
 */

export interface UintType {
  readonly kind: "uint";
  readonly bits: 8 | 16 | 32;
}
export interface IntType {
  readonly kind: "int";
  readonly bits: 8 | 16 | 32;
}
export interface BoolType {
  readonly kind: "bool";
}
export interface EnumType<V extends readonly string[] = readonly string[]> {
  readonly kind: "enum";
  readonly values: V;
}
export interface StringType {
  readonly kind: "string";
  readonly maxLength: number;
}
export interface FixedType {
  readonly kind: "fixed";
  readonly resolution: number;
  readonly min: number;
  readonly max: number;
}
export type FieldType = UintType | IntType | BoolType | EnumType | StringType | FixedType;

/** The JS value a game reads and writes for a field of type `F`. */
export type FieldValue<F extends FieldType> = F extends BoolType
  ? boolean
  : F extends EnumType<infer V>
    ? V[number]
    : F extends StringType
      ? string
      : number;

/** Longest string field: bounds what a decoder may allocate for one value. */
export const MAX_STRING_LENGTH = 0xffff;
/** Widest fixed range in quantization steps per side: any delta stays exact and within 5 varint bytes. */
export const MAX_FIXED_STEPS = 2 ** 31;
/** Slack for `range / resolution` landing a hair under an integer (0.3 / 0.1 = 2.9999999999999996). */
const STEP_EPSILON = 1e-9;
const WIDTHS: readonly number[] = [8, 16, 32];

function checkBits(kind: string, bits: number): void {
  if (!WIDTHS.includes(bits)) throw new TypeError(`t.${kind}(bits): bits must be 8, 16 or 32, got ${bits}`);
}

export const t = {
  uint(bits: 8 | 16 | 32): UintType {
    checkBits("uint", bits);
    return { kind: "uint", bits };
  },
  int(bits: 8 | 16 | 32): IntType {
    checkBits("int", bits);
    return { kind: "int", bits };
  },
  bool(): BoolType {
    return { kind: "bool" };
  },
  enum<const V extends readonly string[]>(values: V): EnumType<V> {
    if (values.length === 0) throw new TypeError("t.enum(values): needs at least one value");
    if (new Set(values).size !== values.length) throw new TypeError("t.enum(values): values must be unique");
    return { kind: "enum", values };
  },
  string(maxLength: number): StringType {
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_STRING_LENGTH) {
      throw new TypeError(`t.string(maxLength): must be an integer in [1, ${MAX_STRING_LENGTH}], got ${maxLength}`);
    }
    return { kind: "string", maxLength };
  },
  fixed(resolution: number, range: { min: number; max: number }): FixedType {
    const { min, max } = range;
    if (!(resolution > 0) || !Number.isFinite(resolution)) {
      throw new TypeError(`t.fixed(resolution): must be a positive finite number, got ${resolution}`);
    }
    if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
      throw new TypeError(`t.fixed(range): needs finite min <= max, got [${min}, ${max}]`);
    }
    if (Math.abs(min / resolution) > MAX_FIXED_STEPS || Math.abs(max / resolution) > MAX_FIXED_STEPS) {
      throw new TypeError(`t.fixed: range [${min}, ${max}] exceeds ${MAX_FIXED_STEPS} steps of ${resolution}`);
    }
    return { kind: "fixed", resolution, min, max };
  },
};

/** How a field's quantized value travels on the wire. */
export const Wire = {
  VARUINT: 0,
  VARINT: 1,
  BOOL: 2,
  FIXED: 3,
  STRING: 4,
} as const;
export type Wire = (typeof Wire)[keyof typeof Wire];

/** A field as laid out in one entity type: everything hot loops need, precomputed. */
export interface FieldDef {
  readonly name: string;
  /** Position in declaration order; also the bit index in change masks. */
  readonly index: number;
  readonly bit: number;
  readonly type: FieldType;
  readonly wire: Wire;
  /** Inclusive bounds of the quantized value (unused for strings). */
  readonly qmin: number;
  readonly qmax: number;
  /** Value of one quantization step (1 for integers). */
  readonly resolution: number;
  /** Strings: longest accepted UTF-8 encoding (3 bytes per UTF-16 code unit at most). */
  readonly maxBytes: number;
  /** Game value → quantized number (strings: normalized string). Throws TypeError on invalid input. */
  readonly quantize: (value: unknown) => number | string;
  /** Quantized number → game value (strings pass through). */
  readonly dequantize: (q: number) => number | boolean | string;
  /** Quantized default (0 clamped into range, first enum value, false, ""). */
  readonly initial: number | string;
}

function checkNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`field "${name}" needs a number, got ${String(value)}`);
  }
  return value;
}

function clamp(q: number, min: number, max: number): number {
  // `+ 0` folds -0 into 0 so equal values compare and serialize identically.
  return Math.min(Math.max(q, min), max) + 0;
}

const identity = (q: number): number => q;

/** Truncates to `maxLength` code units without splitting a pair, and replaces lone surrogates. */
export function normalizeString(value: string, maxLength: number): string {
  let end = value.length;
  if (end > maxLength) {
    end = maxLength;
    const last = value.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && (value.charCodeAt(end) & 0xfc00) === 0xdc00) end--;
  }
  let result = end === value.length ? value : value.slice(0, end);
  for (let i = 0; i < result.length; i++) {
    const code = result.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const pairs = code <= 0xdbff && i + 1 < result.length && (result.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pairs) i++;
    else result = result.slice(0, i) + "\ufffd" + result.slice(i + 1);
  }
  return result;
}

export function createFieldDef(name: string, index: number, type: FieldType): FieldDef {
  const base = { name, index, bit: 2 ** index, type, maxBytes: 0 };
  switch (type.kind) {
    case "uint": {
      const qmax = 2 ** type.bits - 1;
      return {
        ...base,
        wire: Wire.VARUINT,
        qmin: 0,
        qmax,
        resolution: 1,
        quantize: (value) => clamp(Math.round(checkNumber(name, value)), 0, qmax),
        dequantize: identity,
        initial: 0,
      };
    }
    case "int": {
      const qmax = 2 ** (type.bits - 1) - 1;
      const qmin = -qmax - 1;
      return {
        ...base,
        wire: Wire.VARINT,
        qmin,
        qmax,
        resolution: 1,
        quantize: (value) => clamp(Math.round(checkNumber(name, value)), qmin, qmax),
        dequantize: identity,
        initial: 0,
      };
    }
    case "bool":
      return {
        ...base,
        wire: Wire.BOOL,
        qmin: 0,
        qmax: 1,
        resolution: 1,
        quantize: (value) => (value ? 1 : 0),
        dequantize: (q) => q === 1,
        initial: 0,
      };
    case "enum": {
      const values = type.values;
      const indexOf = new Map(values.map((value, i) => [value, i]));
      return {
        ...base,
        wire: Wire.VARUINT,
        qmin: 0,
        qmax: values.length - 1,
        resolution: 1,
        quantize: (value) => {
          const q = indexOf.get(value as string);
          if (q === undefined) throw new TypeError(`field "${name}" accepts ${values.join(" | ")}, got ${String(value)}`);
          return q;
        },
        dequantize: (q) => values[q],
        initial: 0,
      };
    }
    case "string": {
      const maxLength = type.maxLength;
      return {
        ...base,
        wire: Wire.STRING,
        qmin: 0,
        qmax: 0,
        resolution: 1,
        maxBytes: maxLength * 3,
        quantize: (value) => {
          if (typeof value !== "string") throw new TypeError(`field "${name}" needs a string, got ${String(value)}`);
          return normalizeString(value, maxLength);
        },
        dequantize: identity,
        initial: "",
      };
    }
    case "fixed": {
      const resolution = type.resolution;
      const qmin = Math.ceil(type.min / resolution - STEP_EPSILON);
      const qmax = Math.floor(type.max / resolution + STEP_EPSILON);
      if (qmin > qmax) throw new TypeError(`field "${name}": range holds no multiple of ${resolution}`);
      return {
        ...base,
        wire: Wire.FIXED,
        qmin,
        qmax,
        resolution,
        quantize: (value) => clamp(Math.round(checkNumber(name, value) / resolution), qmin, qmax),
        dequantize: (q) => q * resolution,
        initial: clamp(0, qmin, qmax),
      };
    }
  }
}
