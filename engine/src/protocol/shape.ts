import { malformed } from "./errors.js";

/**
 * A structural pass over msgpack bytes before msgpackr sees them. It costs one walk with no
 * allocation and guarantees what msgpackr alone does not promise for hostile input:
 * - every length header fits in the bytes that remain (a 10-byte frame claiming a 4 GiB
 *   array or string is refused at its header);
 * - containers nest at most `maxNesting` deep (no stack exhaustion);
 * - no extension types: the protocol uses none, and msgpackr would otherwise build records,
 *   structured-clone references, Errors, RegExps or typed arrays from peer data;
 * - map keys are strings, so maps decode to plain records;
 * - exactly one value fills the frame (no trailing bytes).
 * Throws ProtocolViolation(Malformed).
 */
export function checkShape(bytes: Uint8Array, maxNesting: number): void {
  const end = skipValue(bytes, 0, 0, maxNesting);
  if (end !== bytes.length) throw malformed(`${bytes.length - end} trailing bytes after the message`);
}

function skipValue(bytes: Uint8Array, offset: number, nesting: number, maxNesting: number): number {
  if (offset >= bytes.length) throw truncated();
  const tag = bytes[offset];
  // positive fixint 0x00–0x7f, negative fixint 0xe0–0xff
  if (tag < 0x80 || tag >= 0xe0) return offset + 1;
  if (tag < 0x90) return skipEntries(bytes, offset + 1, tag & 0x0f, true, nesting, maxNesting);
  if (tag < 0xa0) return skipEntries(bytes, offset + 1, tag & 0x0f, false, nesting, maxNesting);
  if (tag < 0xc0) return skipBytes(bytes, offset + 1, tag & 0x1f, "string");
  switch (tag) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return offset + 1;
    case 0xc4:
      return skipBytes(bytes, offset + 2, readLength(bytes, offset, 1), "binary");
    case 0xc5:
      return skipBytes(bytes, offset + 3, readLength(bytes, offset, 2), "binary");
    case 0xc6:
      return skipBytes(bytes, offset + 5, readLength(bytes, offset, 4), "binary");
    case 0xcc: // uint8
    case 0xd0: // int8
      return skipFixed(bytes, offset, 1);
    case 0xcd: // uint16
    case 0xd1: // int16
      return skipFixed(bytes, offset, 2);
    case 0xca: // float32
    case 0xce: // uint32
    case 0xd2: // int32
      return skipFixed(bytes, offset, 4);
    case 0xcb: // float64
    case 0xcf: // uint64
    case 0xd3: // int64
      return skipFixed(bytes, offset, 8);
    case 0xd9:
      return skipBytes(bytes, offset + 2, readLength(bytes, offset, 1), "string");
    case 0xda:
      return skipBytes(bytes, offset + 3, readLength(bytes, offset, 2), "string");
    case 0xdb:
      return skipBytes(bytes, offset + 5, readLength(bytes, offset, 4), "string");
    case 0xdc:
      return skipEntries(bytes, offset + 3, readLength(bytes, offset, 2), false, nesting, maxNesting);
    case 0xdd:
      return skipEntries(bytes, offset + 5, readLength(bytes, offset, 4), false, nesting, maxNesting);
    case 0xde:
      return skipEntries(bytes, offset + 3, readLength(bytes, offset, 2), true, nesting, maxNesting);
    case 0xdf:
      return skipEntries(bytes, offset + 5, readLength(bytes, offset, 4), true, nesting, maxNesting);
    default:
      // 0xc1 is never used; 0xc7–0xc9 and 0xd4–0xd8 are extensions.
      throw malformed(`msgpack type 0x${tag.toString(16)} is not part of the protocol`);
  }
}

/** Skips an array's elements or a map's key/value pairs. */
function skipEntries(
  bytes: Uint8Array,
  offset: number,
  count: number,
  isMap: boolean,
  nesting: number,
  maxNesting: number,
): number {
  if (nesting >= maxNesting) throw malformed(`containers nested deeper than ${maxNesting}`);
  // Every element takes at least one byte, so the header alone can be checked against the rest.
  const minimumBytes = isMap ? count * 2 : count;
  if (minimumBytes > bytes.length - offset) {
    throw malformed(`${isMap ? "map" : "array"} header claims ${count} entries but ${bytes.length - offset} bytes remain`);
  }
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (isMap) {
      if (at >= bytes.length) throw truncated();
      if (!isStringTag(bytes[at])) throw malformed("map keys must be strings");
      at = skipValue(bytes, at, nesting + 1, maxNesting);
    }
    at = skipValue(bytes, at, nesting + 1, maxNesting);
  }
  return at;
}

/** Skips a string or binary payload of `length` bytes starting at `offset`. */
function skipBytes(bytes: Uint8Array, offset: number, length: number, what: string): number {
  if (length > bytes.length - offset) {
    throw malformed(`${what} claims ${length} bytes but ${bytes.length - offset} remain`);
  }
  return offset + length;
}

/** Skips a number of `size` bytes following the tag at `offset`. */
function skipFixed(bytes: Uint8Array, offset: number, size: number): number {
  if (offset + size >= bytes.length) throw truncated();
  return offset + 1 + size;
}

/** Big-endian length of `size` bytes following the tag at `offset`. */
function readLength(bytes: Uint8Array, offset: number, size: number): number {
  if (offset + size >= bytes.length) throw truncated();
  let length = 0;
  for (let i = 1; i <= size; i++) length = length * 0x100 + bytes[offset + i];
  return length;
}

function isStringTag(tag: number): boolean {
  return (tag >= 0xa0 && tag < 0xc0) || tag === 0xd9 || tag === 0xda || tag === 0xdb;
}

function truncated() {
  return malformed("message truncated");
}

/** True when the first byte opens an array: every message is a `[type, ...fields]` array. */
export function startsWithArray(bytes: Uint8Array): boolean {
  const tag = bytes[0];
  return (tag >= 0x90 && tag < 0xa0) || tag === 0xdc || tag === 0xdd;
}
