// What a game's shared code declares with `@tickwire/engine`, for its server and its client
// alike: the entities, the input, the step both ends run, and how the client predicts.
import { definePrediction, defineInput, defineSchema, inputField, t } from "@tickwire/engine";

export const ARENA = 500;
const position = t.fixed(1 / 16, { min: 0, max: ARENA });
export const schema = defineSchema({
  hero: { x: position, y: position, hp: t.uint(8) },
  coin: { x: position, y: position },
});
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
/** Units per second. */
export const SPEED = 80;

/** The shared step: deterministic (no clock, no Math.random), so the client's replay matches the server. */
export function step(hero: { x: number; y: number }, move: { dx: number; dy: number }, dt: number): void {
  hero.x = Math.min(ARENA, Math.max(0, hero.x + move.dx * SPEED * dt));
  hero.y = Math.min(ARENA, Math.max(0, hero.y + move.dy * SPEED * dt));
}

// The client's `game.predict`. A field `hero` lacks, or one that is not a number, does not compile.
export const prediction = definePrediction({ schema, entity: "hero", fields: ["x", "y"], input, step });
