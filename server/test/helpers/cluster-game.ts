/**
 * The game of the multi-process tests: players keyed by their token (the auth hook returns
 * it), placed where they were saved, moved 10 units per input; a chat line starting with
 * "/g " is said in every world of every process (`ctx.globalChat`), and arrives as a
 * `chat` event with `global: true`; the `total` command answers `ctx.totalPlayers`.
 */
import { defineGame, type GameDefinition } from "@tickwire/server";
import { type TestInput, type TestSchema, testInput, testSchema, WORLD_SIZE } from "./games.js";

const GLOBAL_PREFIX = "/g ";
/** Where a new player starts; its Welcome data is where it starts. */
export const CLUSTER_START = { x: 100, y: 100 };

export type ClusterGame = GameDefinition<TestSchema, TestInput, undefined, { x: number; y: number }>;

export function clusterGame(capacity: number): ClusterGame {
  return defineGame<TestSchema, TestInput, undefined, { x: number; y: number }>({
    name: "cluster",
    schema: testSchema,
    input: testInput,
    capacity,
    bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
    playerData: (_ctx, _player, saved) => ({
      x: typeof saved?.x === "number" ? saved.x : CLUSTER_START.x,
      y: typeof saved?.y === "number" ? saved.y : CLUSTER_START.y,
    }),
    persist: {
      key: (player) => (typeof player.identity === "string" && player.identity !== "" ? player.identity : undefined),
      save: (_ctx, player) => {
        const entity = player.entity;
        return entity?.type === "player" ? { x: entity.x, y: entity.y } : { x: player.data.x, y: player.data.y };
      },
    },
    onJoin: (ctx, player) => ctx.spawn("player", { x: player.data.x, y: player.data.y, hp: 100 }),
    onInput: (_ctx, player, input) => {
      const entity = player.entity;
      if (entity?.type !== "player") return;
      entity.x += input.dx * 10;
      entity.y += input.dy * 10;
    },
    onChat: (ctx, player, text) => {
      if (text.startsWith(GLOBAL_PREFIX)) ctx.globalChat(player.name, text.slice(GLOBAL_PREFIX.length));
      else ctx.emit("all", "chat", { from: player.name, text });
    },
    onGlobalChat: (ctx, message) => ctx.emit("all", "chat", { ...message, global: true }),
    onCommand: (ctx, player, name) => {
      if (name === "total") ctx.emit(player, "total", { total: ctx.totalPlayers });
    },
    welcomeData: (_ctx, player) => ({ x: player.data.x, y: player.data.y }),
  });
}
