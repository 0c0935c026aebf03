import type { PredictConfig } from "@tickwire/client";
import { defineInput, type InputSchema, inputField, type Schema } from "@tickwire/engine";
import { type BehaviorSet, splitModuleSpec } from "./behavior.js";

/**
 * What bots know about the game they play. The server's Welcome carries no schema, so the
 * target cannot tell the bots its input layout: it comes from the game's own shared
 * module (`--game ./src/shared/schema.ts`), the code its browser client imports too.
 */
export interface BotGame {
  /** The game's input layout; every input a behaviour produces is checked against it before sending. */
  readonly input: InputSchema<unknown>;
  /** The entity schema: with it bots apply snapshots as a browser would; without it they run light. */
  readonly schema?: Schema;
  /** Prediction of the bot's own entity (counts corrections); needs `schema`. */
  // biome-ignore lint/suspicious/noExplicitAny: the game's own prediction state and input types.
  readonly predict?: PredictConfig<any, any>;
  /** Behaviours the game provides (`--behavior fight`). */
  readonly behaviors?: BehaviorSet;
}

export class GameModuleError extends Error {
  override name = "GameModuleError";
}

/**
 * Without `--game`: `dx`, `dy` ∈ {-1, 0, 1}, the input of the field scene and of the dots
 * game. No schema, so snapshots are tracked (ticks, acks, bytes) but not applied.
 */
export const DEFAULT_BOT_GAME: BotGame = Object.freeze({
  input: defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) }) as InputSchema<unknown>,
});

function isInputSchema(value: unknown): value is InputSchema<unknown> {
  const input = value as Partial<InputSchema<unknown>> | null;
  return typeof input === "object" && input !== null && typeof input.encode === "function" && Array.isArray(input.names);
}

function isSchema(value: unknown): value is Schema {
  const schema = value as Partial<Schema> | null;
  return typeof schema === "object" && schema !== null && Array.isArray(schema.types);
}

/** Checks what a game module exports; throws GameModuleError naming the problem. */
export function checkBotGame(candidate: unknown, source: string): BotGame {
  const game = candidate as Record<string, unknown> | null;
  if (typeof game !== "object" || game === null) throw new GameModuleError(`${source} exports no game object`);
  if (!isInputSchema(game.input)) throw new GameModuleError(`${source} has no \`input\` (the game's defineInput(...) schema)`);
  if (game.schema !== undefined && !isSchema(game.schema)) throw new GameModuleError(`${source}: \`schema\` is not a defineSchema(...) schema`);
  const predict = game.predict as Partial<PredictConfig<unknown, unknown>> | undefined;
  if (predict !== undefined) {
    if (game.schema === undefined) throw new GameModuleError(`${source}: \`predict\` needs \`schema\` too`);
    if (typeof predict?.model?.step !== "function" || !Array.isArray(predict.fields)) {
      throw new GameModuleError(`${source}: \`predict\` must be { model, fields } (the client's PredictConfig)`);
    }
  }
  return {
    input: game.input,
    schema: game.schema as Schema | undefined,
    predict: predict as BotGame["predict"],
    behaviors: game.behaviors as BehaviorSet | undefined,
  };
}

/**
 * Loads `path[#export]`: the named export, or the module itself, must have `input` and may
 * have `schema`, `predict` and `behaviors`. A game's shared schema module usually fits as is.
 */
export async function loadBotGame(spec: string, cwd: string): Promise<BotGame> {
  const { url, exportName } = splitModuleSpec(spec, cwd);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new GameModuleError(`cannot load game module ${url}: ${(error as Error).message}`);
  }
  const candidate = exportName === undefined ? module : module[exportName];
  return checkBotGame(candidate, exportName === undefined ? url : `${url}#${exportName}`);
}
