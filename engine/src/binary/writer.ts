import { ensureLength } from "../util/grow.js";

const INITIAL_CAPACITY = 256;
const textEncoder = new TextEncoder();

/**
 * A growable byte buffer for hand-rolled wire formats. Reuse one writer per hot loop
 * (`reset()`), so steady-state encoding allocates nothing.
 */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.bytes = new Uint8Array(capacity);
  }

  reset(): this {
    this.length = 0;
    return this;
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    this.bytes = ensureLength(this.bytes, needed);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  /** Unsigned LEB128; values up to 2^53 - 1. */
  varuint(value: number): void {
    this.ensure(8);
    const bytes = this.bytes;
    let offset = this.length;
    while (value >= 0x80) {
      bytes[offset++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[offset++] = value;
    this.length = offset;
  }

  /** Zigzag-encoded signed varint: small magnitudes of either sign take one byte. */
  varint(value: number): void {
    this.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  f64(value: number): void {
    this.ensure(8);
    new DataView(this.bytes.buffer, this.bytes.byteOffset + this.length, 8).setFloat64(0, value, true);
    this.length += 8;
  }

  raw(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    this.ensure(count);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += count;
  }

  /** UTF-8 string prefixed by its byte length. */
  string(value: string): void {
    // Short strings (at most 127 UTF-8 bytes) have a one-byte length: encode in place.
    if (value.length <= 42) {
      this.ensure(value.length * 3 + 1);
      const { written } = textEncoder.encodeInto(value, this.bytes.subarray(this.length + 1));
      this.bytes[this.length] = written;
      this.length += 1 + written;
      return;
    }
    const encoded = textEncoder.encode(value);
    this.varuint(encoded.length);
    this.raw(encoded);
  }

  /** A view of the written bytes; valid until the next write or reset. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** A copy of the written bytes that outlives the writer's reuse. */
  copy(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
