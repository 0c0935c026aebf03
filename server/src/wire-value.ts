import { MAX_WIRE_VALUE_DEPTH } from "@tickwire/engine/wire";

/**
 * Why `value` is not a WireValue the codec can send and the client's decoder accepts, or
 * undefined: null, booleans, numbers, strings, Uint8Arrays, arrays and plain objects of
 * them, nested at most MAX_WIRE_VALUE_DEPTH deep, without cycles. Checked at `emit`, so a
 * bad event throws to the game code that made it instead of failing a tick later.
 */
export function wireValueProblem(value: unknown): string | undefined {
  return problemAt(value, "data", 0, new Set());
}

function problemAt(value: unknown, path: string, depth: number, ancestors: Set<object>): string | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return undefined;
  }
  if (value instanceof Uint8Array) return undefined;
  if (typeof value !== "object") return `holds ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`} at ${path}: not sendable`;
  if (ancestors.has(value)) return `is circular at ${path}`;
  if (depth >= MAX_WIRE_VALUE_DEPTH) return `is nested deeper than ${MAX_WIRE_VALUE_DEPTH} at ${path}`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = problemAt(value[i], `${path}[${i}]`, depth + 1, ancestors);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return `has a ${prototype?.constructor?.name ?? "class"} instance at ${path}: only plain objects are sendable`;
    }
    for (const key of Object.keys(value)) {
      const problem = problemAt((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}
