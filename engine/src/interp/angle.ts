const TURN = 2 * Math.PI;

/**
 * Signed shortest rotation from `from` to `to` in radians, in [-π, π). Plain modular math,
 * so inputs in any range (e.g. [0, 2π) or (-π, π]) work; an exact half turn goes negative.
 */
export function angleDelta(from: number, to: number): number {
  const delta = to - from;
  return delta - TURN * Math.floor((delta + Math.PI) / TURN);
}
