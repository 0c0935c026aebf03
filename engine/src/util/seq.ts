/**
 * Input sequence numbers are 16-bit on the wire (3 msgpack bytes, wrapping about every
 * 55 minutes at 20 Hz), so every comparison must be wrap-aware.
 */
export const SEQ_MODULO = 0x10000;
const HALF_SEQ = SEQ_MODULO / 2;

export function nextSeq(seq: number): number {
  return (seq + 1) & 0xffff;
}

/** True when `a` comes after `b`, treating the 16-bit space as a circle. */
export function seqNewer(a: number, b: number): boolean {
  const diff = (a - b + SEQ_MODULO) % SEQ_MODULO;
  return diff !== 0 && diff < HALF_SEQ;
}

/** Signed distance from `b` to `a` in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  const diff = (a - b + SEQ_MODULO) % SEQ_MODULO;
  return diff >= HALF_SEQ ? diff - SEQ_MODULO : diff;
}
