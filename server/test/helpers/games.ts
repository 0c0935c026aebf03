/**
 * A scriptable test game: players placed by their join name (`"ann@100,200"`), moved
 * by inputs, and a world that tests drive with commands (spawn, move, despawn, emit).
 */
import { type CommandArg, defineInput, defineSchema, type InputSchema, inputField, t } from "@tickwire/engine";
import { defineGame, type GameContext, type GameDefinition, type InterestOptions, type Player } from "@tickwire/server";

export const WORLD_SIZE = 4000;
const position = t.fixed(1 / 16, { min: 0, max: WORLD_SIZE });

export const testSchema = defineSchema({
  player: { x: position, y: position, hp: t.uint(8) },
  mob: { x: position, y: position, kind: t.uint(8), label: t.string(200) },
  /** No position: every client sees it, whatever its interest. */
  scoreboard: { round: t.uint(16), leader: t.string(32) },
});
export type TestSchema = typeof testSchema;

export const testInput = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
export type TestInput = typeof testInput extends InputSchema<infer T> ? T : never;

/** Units a player moves per applied input. */
export const PLAYER_SPEED = 10;

export interface TestGameOptions {
  readonly interest?: InterestOptions | "all";
  readonly capacity?: number;
  readonly tickRate?: number;
  readonly step?: (ctx: GameContext<TestSchema>, dt: number) => void;
  readonly onLeave?: (ctx: GameContext<TestSchema>, player: Player<TestSchema>) => void;
  readonly onJoin?: GameDefinition<TestSchema, TestInput>["onJoin"];
  readonly onInput?: GameDefinition<TestSchema, TestInput>["onInput"];
  readonly onChat?: GameDefinition<TestSchema, TestInput>["onChat"];
  readonly welcomeData?: GameDefinition<TestSchema, TestInput>["welcomeData"];
}

/** `"name@x,y"` → (x, y); anything else → the world's centre. */
export function placeFromName(name: string): { x: number; y: number } {
  const match = /@(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(name);
  return match === null ? { x: WORLD_SIZE / 2, y: WORLD_SIZE / 2 } : { x: Number(match[1]), y: Number(match[2]) };
}

/**
 * Commands: `spawn x y [kind]` (emits "spawned" {id} to the caller), `move id x y`,
 * `despawn id`, `emit all|me name n` (n copies), `near x y radius name`, `kick`, `throw`,
 * `label id text`.
 */
function runCommand(ctx: GameContext<TestSchema>, player: Player<TestSchema>, name: string, args: readonly CommandArg[]): void {
  const n = (i: number) => Number(args[i]);
  switch (name) {
    case "spawn": {
      const mob = ctx.spawn("mob", { x: n(0), y: n(1), kind: args[2] === undefined ? 0 : n(2) });
      ctx.emit(player, "spawned", { id: mob.id });
      return;
    }
    case "move": {
      const entity = ctx.store.get(n(0));
      if (entity === undefined || entity.type === "scoreboard") throw new Error("no such entity");
      entity.x = n(1);
      entity.y = n(2);
      return;
    }
    case "despawn":
      ctx.despawn(n(0));
      return;
    case "emit":
      for (let i = 0; i < (args[2] === undefined ? 1 : n(2)); i++) {
        ctx.emit(args[0] === "all" ? "all" : player, String(args[1]), i);
      }
      return;
    case "near":
      ctx.emit({ x: n(0), y: n(1), radius: n(2) }, String(args[3]));
      return;
    case "kick":
      ctx.kick(player);
      return;
    case "label": {
      const entity = ctx.store.get(n(0));
      if (entity?.type === "mob") entity.label = String(args[1]);
      return;
    }
    case "throw":
      throw new Error("command handler failure (on purpose)");
    default:
      throw new Error(`unknown command ${name}`);
  }
}

export function testGame(options: TestGameOptions = {}): GameDefinition<TestSchema, TestInput> {
  return defineGame<TestSchema, TestInput>({
    name: "test",
    schema: testSchema,
    input: testInput,
    tickRate: options.tickRate ?? 20,
    capacity: options.capacity ?? 100,
    bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
    interest: options.interest ?? "all",
    onJoin:
      options.onJoin ??
      ((ctx, player) => {
        const { x, y } = placeFromName(player.name);
        return ctx.spawn("player", { x, y, hp: 100 });
      }),
    onInput:
      options.onInput ??
      ((_ctx, player, input) => {
        const entity = player.entity;
        if (entity?.type !== "player") return;
        entity.x += input.dx * PLAYER_SPEED;
        entity.y += input.dy * PLAYER_SPEED;
      }),
    onCommand: runCommand,
    onChat: options.onChat ?? ((ctx, player, text) => ctx.emit("all", "chat", { from: player.name, text })),
    onLeave: options.onLeave,
    step: options.step,
    welcomeData: options.welcomeData,
  });
}
