/**
 * The field scene as a persisting game, for the scale benchmark: each player (keyed by its
 * name; bot names are unique) is saved with its position, and a player who comes back
 * starts where it was saved. Welcome says whether a saved record was found, so a bot that
 * lands on another process after a drain can tell its state came with it.
 */
import { defineGame, type GameDefinition, type PlayerRecord } from "@tickwire/server";
import { type FieldVariant, fieldGame } from "./field-game.js";
import { FIELD, type fieldSchema } from "./field-scene.js";

/** Welcome's `data` for this game. */
export interface ScaleWelcomeData {
  /** The player's saved record was loaded at this join. */
  readonly restored: boolean;
}

interface SavedSpot {
  readonly saved: boolean;
  readonly x: number;
  readonly y: number;
}

/** A stored position, checked: it comes from storage. */
function spotOf(record: PlayerRecord | undefined): SavedSpot {
  const x = record?.x;
  const y = record?.y;
  const inside = (value: unknown): value is number => typeof value === "number" && value >= 0 && value <= FIELD.size;
  return inside(x) && inside(y) ? { saved: true, x, y } : { saved: false, x: 0, y: 0 };
}

export function persistingFieldGame(options: { name: string; mobs: number; variant: FieldVariant; capacity: number }) {
  const field = fieldGame(options);
  const game: GameDefinition<typeof fieldSchema, { dx: number; dy: number }, undefined, SavedSpot> = defineGame({
    name: options.name,
    schema: field.schema,
    input: field.input,
    tickRate: field.tickRate,
    capacity: field.capacity,
    bounds: field.bounds,
    interest: field.interest,
    onCreate: (ctx) => field.onCreate?.(ctx as never),
    onInput: (ctx, player, input) => field.onInput?.(ctx as never, player as never, input),
    step: (ctx, dt) => field.step?.(ctx as never, dt),
    playerData: (_ctx, _player, saved) => spotOf(saved),
    persist: {
      key: (player) => player.name,
      save: (_ctx, player) => ({ x: player.entity?.x ?? 0, y: player.entity?.y ?? 0 }),
    },
    onJoin(ctx, player) {
      const { saved, x, y } = player.data;
      const at = saved ? { x, y } : { x: ctx.rng.range(0, FIELD.size), y: ctx.rng.range(0, FIELD.size) };
      return ctx.spawn("player", { ...at, hp: 100, kind: 0 });
    },
    welcomeData: (_ctx, player) => ({ restored: player.data.saved }),
  });
  return game;
}
