import { invalidField, malformed } from "./errors.js";

// Field validators for decoded envelopes. Each returns the value narrowed to its type or
// throws ProtocolViolation naming the field and the limit.

export function expectArity(envelope: readonly unknown[], arity: number, message: string): void {
  if (envelope.length !== arity) throw malformed(`${message} takes ${arity - 1} fields, got ${envelope.length - 1}`);
}

export function expectMinArity(envelope: readonly unknown[], arity: number, message: string): void {
  if (envelope.length < arity) {
    throw malformed(`${message} takes at least ${arity - 1} fields, got ${envelope.length - 1}`);
  }
}

export function integer(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidField(`${field} must be an integer in ${min}..${max}`);
  }
  return value;
}

export function finite(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidField(`${field} must be a finite number`);
  return value;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw invalidField(`${field} must be a boolean`);
  return value;
}

export function text(value: unknown, field: string, minLength: number, maxLength: number): string {
  if (typeof value !== "string") throw invalidField(`${field} must be a string`);
  if (value.length < minLength || value.length > maxLength) {
    throw invalidField(`${field} must be ${minLength}..${maxLength} characters`);
  }
  return value;
}

/** Text shown to other players: one line, no control characters. */
export function displayText(value: unknown, field: string, maxLength: number): string {
  const checked = text(value, field, 1, maxLength);
  if (hasControlCharacter(checked)) throw invalidField(`${field} must not contain control characters`);
  return checked;
}

/** C0 controls, DEL and C1 controls. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** An identifier-like word: no whitespace or control characters. */
export function word(value: unknown, field: string, maxLength: number): string {
  const checked = text(value, field, 1, maxLength);
  if (hasControlCharacter(checked) || /\s/.test(checked)) {
    throw invalidField(`${field} must not contain whitespace or control characters`);
  }
  return checked;
}
