/**
 * A game's prediction in one call: the engine derives the `PredictionModel` plumbing
 * (create, copy, error, input copies) from the schema and the input schema, so a game gives
 * only its shared step and the entity fields it predicts.
 */
import type { InputSchema } from "../protocol/input.js";
import type { FieldValue } from "../state/fields.js";
import type { Schema, TypeName } from "../state/schema.js";
import type { PredictionModel } from "./reconciler.js";

/** Fields of entity type `K` whose values are numbers: the ones a prediction can hold and smooth. */
export type NumericFieldName<S extends Schema, K extends TypeName<S>> = {
  [F in keyof S["definition"][K] & string]: FieldValue<S["definition"][K][F]> extends number ? F : never;
}[keyof S["definition"][K] & string];

/** The predicted part of an entity: its predicted fields, by name. */
export type PredictedState<F extends string> = { [K in F]: number };

export interface PredictionSpec<S extends Schema, K extends TypeName<S>, F extends NumericFieldName<S, K>, I> {
  readonly schema: S;
  /** The entity type a player controls. */
  readonly entity: K;
  /** The fields `step` moves; each a number field of `entity` (a misspelt name does not compile). */
  readonly fields: readonly F[];
  readonly input: InputSchema<I>;
  /**
   * The game's deterministic shared step, the one the server runs for the player's inputs:
   * advances `state` in place by one input; `dt` is the tick length in seconds. The client
   * replays it, so it must not read clocks or `Math.random`, and should not allocate.
   */
  readonly step: (state: PredictedState<F>, input: I, dt: number) => void;
}

/** What a client's `game.predict` takes: the model and the entity fields it predicts. */
export interface Prediction<P, I> {
  readonly model: PredictionModel<P, I>;
  readonly fields: readonly string[];
}

/**
 * Declares how a client predicts the entity it controls. The prediction state holds the
 * given fields under their names; a misprediction's size is the Euclidean distance over them.
 * Inputs are copied into the reconciler's own slots, so a page may reuse one input object.
 *
 * @example
 * const prediction = definePrediction({ schema, entity: "player", fields: ["x", "y"], input, step });
 * connect(url, { name, game: { schema, input, predict: prediction } });
 */
export function definePrediction<S extends Schema, K extends TypeName<S>, const F extends NumericFieldName<S, K>, I>(
  spec: PredictionSpec<S, K, F, I>,
): Prediction<PredictedState<F>, I> {
  const type = spec.schema.type(spec.entity);
  if (spec.fields.length === 0) throw new TypeError("a prediction needs at least one field");
  for (const name of spec.fields) {
    const index = type.fieldIndex.get(name);
    if (index === undefined) throw new TypeError(`entity type "${type.name}" has no field "${name}"`);
    const kind = type.fields[index].type.kind;
    if (kind === "bool" || kind === "string" || kind === "enum") {
      throw new TypeError(`field "${name}" of "${type.name}" is a ${kind}; only number fields can be predicted`);
    }
  }
  const fields = [...spec.fields];
  const inputNames = spec.input.names;
  const inputDefaults = spec.input.fields.map((field) => (field.kind === "bool" ? false : 0));
  type State = PredictedState<F>;
  const model: PredictionModel<State, I> = {
    step: spec.step,
    create() {
      const state = {} as Record<string, number>;
      for (const name of fields) state[name] = 0;
      return state as State;
    },
    copy(from, to) {
      for (const name of fields) to[name] = from[name];
    },
    error(a, b) {
      let sum = 0;
      for (const name of fields) sum += (a[name] - b[name]) ** 2;
      return Math.sqrt(sum);
    },
    createInput() {
      const input = {} as Record<string, number | boolean>;
      for (let i = 0; i < inputNames.length; i++) input[inputNames[i]] = inputDefaults[i];
      return input as I;
    },
    copyInput(from, to) {
      const source = from as Record<string, unknown>;
      const target = to as Record<string, unknown>;
      for (const name of inputNames) target[name] = source[name];
    },
  };
  return { model, fields };
}
