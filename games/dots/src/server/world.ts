import type { Entity, Rng } from "@tickwire/engine";
import { defineGame } from "@tickwire/server";
import { type DotState, step } from "../shared/movement.js";
import { input, NPC_SPEED, schema, TICK_RATE, WORLD_HEIGHT, WORLD_WIDTH } from "../shared/schema.js";

type Dots = typeof schema;

/** Wandering dots that make the world feel alive with a single player. */
export const NPC_COUNT = 12;
/** An NPC keeps its heading this long (seconds, uniform) before picking a new one. */
const NPC_MIN_HEADING_S = 1;
const NPC_MAX_HEADING_S = 3;
/** Players and NPCs spawn at least this far from the walls. */
const SPAWN_MARGIN = 40;

interface Wander {
  vx: number;
  vy: number;
  /** Seconds until the next change of heading. */
  left: number;
}

function headFor(rng: Rng, wander: Wander): void {
  const angle = rng.range(0, 2 * Math.PI);
  wander.vx = Math.cos(angle) * NPC_SPEED;
  wander.vy = Math.sin(angle) * NPC_SPEED;
  wander.left = rng.range(NPC_MIN_HEADING_S, NPC_MAX_HEADING_S);
}

/** Moves along the heading and bounces off the walls. */
function wanderStep(npc: Entity<Dots, "npc">, wander: Wander, dt: number): void {
  let x = npc.x + wander.vx * dt;
  let y = npc.y + wander.vy * dt;
  if (x < 0 || x > WORLD_WIDTH) {
    wander.vx = -wander.vx;
    x = Math.min(WORLD_WIDTH, Math.max(0, x));
  }
  if (y < 0 || y > WORLD_HEIGHT) {
    wander.vy = -wander.vy;
    y = Math.min(WORLD_HEIGHT, Math.max(0, y));
  }
  npc.x = x;
  npc.y = y;
}

function spawnPoint(rng: Rng): { x: number; y: number } {
  return {
    x: Math.round(rng.range(SPAWN_MARGIN, WORLD_WIDTH - SPAWN_MARGIN)),
    y: Math.round(rng.range(SPAWN_MARGIN, WORLD_HEIGHT - SPAWN_MARGIN)),
  };
}

/** One world's own state: each NPC's heading by entity id, and a scratch for the shared step. */
interface DotsWorld {
  readonly wanderers: Map<number, Wander>;
  readonly scratch: DotState;
}

/**
 * The dots world: every player is a dot moved by the shared `step`; a dozen NPC dots wander
 * (seeded, so a run repeats). Joins and leaves are announced with events.
 */
export function createDotsGame(options: { seed?: number; npcs?: number } = {}) {
  return defineGame({
    name: "dots",
    schema,
    input,
    tickRate: TICK_RATE,
    capacity: 64,
    bounds: { width: WORLD_WIDTH, height: WORLD_HEIGHT },
    interest: "all",
    seed: options.seed ?? 1,
    state: (): DotsWorld => ({ wanderers: new Map(), scratch: { x: 0, y: 0 } }),
    onCreate(ctx) {
      for (let i = 0; i < (options.npcs ?? NPC_COUNT); i++) {
        const npc = ctx.spawn("npc", { ...spawnPoint(ctx.rng), hue: ctx.rng.int(0, 359) });
        const wander: Wander = { vx: 0, vy: 0, left: 0 };
        headFor(ctx.rng, wander);
        ctx.state.wanderers.set(npc.id, wander);
      }
    },
    onJoin(ctx, player) {
      ctx.emit("all", "join", { name: player.name });
      return ctx.spawn("player", { ...spawnPoint(ctx.rng), hue: ctx.rng.int(0, 359), name: player.name });
    },
    onLeave(ctx, player) {
      ctx.emit("all", "leave", { name: player.name });
    },
    onInput(ctx, player, move) {
      const dot = player.entity;
      if (dot?.type !== "player") return;
      const { scratch } = ctx.state;
      scratch.x = dot.x;
      scratch.y = dot.y;
      step(scratch, move, 1 / ctx.tickRate);
      dot.x = scratch.x;
      dot.y = scratch.y;
    },
    onChat(ctx, player, text) {
      ctx.emit("all", "chat", { name: player.name, text });
    },
    step(ctx, dt) {
      for (const [id, wander] of ctx.state.wanderers) {
        const npc = ctx.store.get(id);
        if (npc?.type !== "npc") continue;
        wander.left -= dt;
        if (wander.left <= 0) headFor(ctx.rng, wander);
        wanderStep(npc, wander, dt);
      }
    },
  });
}
