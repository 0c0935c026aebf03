import { ErrorCode } from "./codes.js";

export interface ProtocolError {
  readonly code: ErrorCode;
  /** Names the field and the limit, never echoes the offending data. */
  readonly message: string;
  /** The message's type when its envelope was readable (e.g. a Join with a blank name). */
  readonly messageType?: number;
}

/** What every decoder returns: bad bytes are a value, never an exception. */
export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ProtocolError };

/** Thrown inside the decoders and turned into a ProtocolError at the API boundary. */
export class ProtocolViolation extends Error {
  override name = "ProtocolViolation";

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function invalidField(message: string): ProtocolViolation {
  return new ProtocolViolation(ErrorCode.InvalidField, message);
}

export function malformed(message: string): ProtocolViolation {
  return new ProtocolViolation(ErrorCode.Malformed, message);
}

/** Anything thrown while decoding that is not ours (msgpackr, a stack overflow) is malformed input. */
function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolViolation) return { code: error.code, message: error.message };
  return { code: ErrorCode.Malformed, message: "not a valid msgpack message" };
}

export function failure(error: unknown, messageType?: unknown): { readonly ok: false; readonly error: ProtocolError } {
  const problem = toProtocolError(error);
  return { ok: false, error: typeof messageType === "number" ? { ...problem, messageType } : problem };
}
