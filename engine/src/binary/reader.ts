const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Thrown by ByteReader on truncated or malformed input; caught at decode boundaries. */
export class DecodeError extends Error {
  override name = "DecodeError";
}

/** Bounds-checked reader matching ByteWriter. Every read validates before it allocates. */
export class ByteReader {
  offset: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  u8(): number {
    if (this.offset >= this.end) throw new DecodeError("unexpected end of data");
    return this.bytes[this.offset++];
  }

  varuint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
    throw new DecodeError("varint longer than 8 bytes");
  }

  varint(): number {
    const zigzag = this.varuint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  f64(): number {
    if (this.remaining < 8) throw new DecodeError("unexpected end of data");
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8).getFloat64(0, true);
    this.offset += 8;
    return value;
  }

  /** A length-prefixed UTF-8 string, refused when longer than `maxBytes`. */
  string(maxBytes: number): string {
    const length = this.varuint();
    if (length > maxBytes) throw new DecodeError(`string of ${length} bytes exceeds ${maxBytes}`);
    if (length > this.remaining) throw new DecodeError("unexpected end of data");
    const start = this.offset;
    this.offset += length;
    try {
      return textDecoder.decode(this.bytes.subarray(start, this.offset));
    } catch {
      throw new DecodeError("invalid UTF-8");
    }
  }

  /** A count that must be at most `max` and fit in the remaining bytes (≥ 1 byte each). */
  count(max: number): number {
    const value = this.varuint();
    if (value > max || value > this.remaining) throw new DecodeError(`count ${value} out of range`);
    return value;
  }
}
