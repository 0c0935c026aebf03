/**
 * BrowserQuest's combat numbers, shared so the client can show what the server decides
 * (max HP bars, regeneration). The server rolls with its world's seeded rng.
 */
import type { Rng } from "@tickwire/engine";

/** HP regenerate this often… */
export const REGEN_INTERVAL_MS = 2000;
/** …by a 25th of the maximum. */
const REGEN_DIVISOR = 25;

/** damage = weapon × rand(5–10) − armor × rand(1–3); when that is ≤ 0, rand(0–3). */
export function rollDamage(weapon: number, armor: number, rng: Rng): number {
  const dealt = weapon * rng.int(5, 10);
  const absorbed = armor * rng.int(1, 3);
  const damage = dealt - absorbed;
  return damage > 0 ? damage : rng.int(0, 3);
}

/** Bounds of `rollDamage` for this pair: what a test (or a tooltip) can rely on. */
export function damageBounds(weapon: number, armor: number): { min: number; max: number } {
  const max = weapon * 10 - armor;
  const min = weapon * 5 - armor * 3;
  return { min: min > 0 ? min : 0, max: Math.max(max, 3) };
}

/** A player's maximum HP: 80 + 30 × (armor − 1). */
export function maxHpFor(armor: number): number {
  return 80 + 30 * (armor - 1);
}

/** HP regenerated every REGEN_INTERVAL_MS. */
export function regenAmount(maxHp: number): number {
  return Math.floor(maxHp / REGEN_DIVISOR);
}

/** Attacks land only from a tile next to the target, not diagonal. */
export function adjacent(a: { tx: number; ty: number }, b: { tx: number; ty: number }): boolean {
  return Math.abs(a.tx - b.tx) + Math.abs(a.ty - b.ty) === 1;
}
