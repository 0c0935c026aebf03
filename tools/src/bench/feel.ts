/**
 * `npm run feel -w @tickwire/tools`: how the game feels to two players on bad networks. A
 * real server, the real client package in two headless Node clients, both through one
 * `tickwire-netsim`. Player A walks right at constant speed and chats twice a second;
 * player B watches A. Per scenario it prints one row of the table in the client README ("How
 * it feels on bad networks"):
 * A's corrections (count, largest), B's frames of A beyond 1.5× speed and backwards, A's
 * interpolation delay before the trouble and 2 s after it, the time from the link's return
 * to snapshots flowing again, chat lines the server lost or got twice from A, and the chat
 * events (server → B) B missed or got twice.
 *   --only NAME   one scenario (see SCENARIOS)
 */
import { parseArgs } from "node:util";
import { connect, type TickwireClient } from "@tickwire/client";
import { defineInput, defineSchema, inputField, type PredictionModel, t } from "@tickwire/engine";
import { createServer, defineGame, silentLogger } from "@tickwire/server";
import { WebSocket } from "ws";
import type { LinkConditions } from "../netsim/conditions.js";
import { createNetsim } from "../netsim/index.js";

const SPEED = 160;
const NPC_SPEED = 80;
const WORLD = 20_000;
const FRAME_MS = 1000 / 60;
const CHAT_EVERY_MS = 500;
/** Frames of B's view of A faster than this × SPEED count as a burst. */
const FAST = 1.5;
/** After the last link return, the run goes on this long (the "after" delay is read at its end). */
const AFTER_MS = 2_000;

interface Scenario {
  name: string;
  /** Each direction's conditions (RTT ± jitter: each way half). */
  link: Partial<LinkConditions>;
  down?: Partial<LinkConditions>;
  runMs: number;
  /** When the link freezes and returns, ms after the netsim starts (for the before/after figures). */
  outages: { from: number; to: number }[];
}

function stallsEvery(everyMs: number, forMs: number, runMs: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let end = everyMs; end <= runMs; end += everyMs) out.push({ from: end - forMs, to: end });
  return out;
}

const SCENARIOS: Scenario[] = [
  { name: "150±30 ms", link: { latencyMs: 75, jitterMs: 15 }, runMs: 15_000, outages: [] },
  { name: "300±60 ms", link: { latencyMs: 150, jitterMs: 30 }, runMs: 15_000, outages: [] },
  {
    name: "300±60 ms + 500 ms stalls / 5 s",
    link: { latencyMs: 150, jitterMs: 30, stallEveryMs: 5_000, stallForMs: 500 },
    runMs: 17_000,
    outages: stallsEvery(5_000, 500, 15_000),
  },
  {
    name: "150±30 ms + 7 s downlink stall",
    link: { latencyMs: 75, jitterMs: 15 },
    down: { stallEveryMs: 16_000, stallForMs: 7_000 },
    runMs: 16_000 + 4_000,
    outages: [{ from: 9_000, to: 16_000 }],
  },
];

const schema = defineSchema({
  player: { x: t.fixed(1 / 16, { min: 0, max: WORLD }), y: t.fixed(1 / 16, { min: 0, max: WORLD }), name: t.string(32) },
  npc: { x: t.fixed(1 / 16, { min: 0, max: WORLD }), y: t.fixed(1 / 16, { min: 0, max: WORLD }) },
});
type Input = { dx: number; dy: number };
const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
interface Pos {
  x: number;
  y: number;
}
function step(state: Pos, move: Input, dt: number): void {
  state.x = Math.min(WORLD, Math.max(0, Math.round((state.x + move.dx * SPEED * dt) * 16) / 16));
  state.y = Math.min(WORLD, Math.max(0, Math.round((state.y + move.dy * SPEED * dt) * 16) / 16));
}
const model: PredictionModel<Pos, Input> = {
  step,
  copy(from, to) {
    to.x = from.x;
    to.y = from.y;
  },
  create: () => ({ x: 0, y: 0 }),
  error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  createInput: () => ({ dx: 0, dy: 0 }),
  copyInput(from, to) {
    to.dx = from.dx;
    to.dy = from.dy;
  },
};

function feelGame(chats: string[]) {
  const scratch: Pos = { x: 0, y: 0 };
  let spawned = false;
  return defineGame({
    name: "feel",
    schema,
    input,
    bounds: { width: WORLD, height: WORLD },
    onJoin: (ctx, player) => ctx.spawn("player", { x: 100, y: 100 + 40 * (player.id % 50), name: player.name }),
    onInput(_ctx, player, move) {
      const entity = player.entity;
      if (entity?.type !== "player") return;
      scratch.x = entity.x;
      scratch.y = entity.y;
      step(scratch, move, 1 / 20);
      entity.x = scratch.x;
      entity.y = scratch.y;
    },
    onChat(ctx, player, text) {
      chats.push(`${player.name}:${text}`);
      ctx.emit("all", "chat", `${player.name}:${text}`);
    },
    step(ctx, dt) {
      if (!spawned) {
        spawned = true;
        ctx.spawn("npc", { x: 100, y: 3000 });
      }
      for (const entity of ctx.store.values()) if (entity.type === "npc") entity.x = (entity.x + NPC_SPEED * dt) % WORLD;
    },
  });
}

type Client = TickwireClient<typeof schema, Input, Pos>;

interface Row {
  scenario: string;
  corrections: number;
  largestCorrection: number;
  frames: number;
  fastFrames: number;
  backwardsFrames: number;
  npcJumps: number;
  /** The NPC's fastest frame (wraps aside), in multiples of its speed. */
  npcFastest: number;
  delayBefore: number;
  delayAfter: number;
  backWithinMs: number;
  chatsSent: number;
  chatsLost: number;
  chatsDuplicated: number;
  /** Chat events the server sent B that B never got (lost with a socket that died). */
  eventsMissed: number;
  /** Chat events B got more than once. */
  eventsDuplicated: number;
}

async function run(scenario: Scenario): Promise<Row> {
  const serverChats: string[] = [];
  const server = await createServer({
    host: "127.0.0.1",
    port: 0,
    worlds: [{ id: "main", game: feelGame(serverChats) }],
    logger: silentLogger(),
    defaultMetrics: false,
  });
  const netsim = await createNetsim({
    target: { host: "127.0.0.1", port: server.port },
    up: scenario.link,
    down: { ...scenario.link, ...scenario.down },
    seed: 7,
  });
  const started = performance.now();
  const url = `ws://127.0.0.1:${netsim.port}/ws?world=main`;
  const walk: Input = { dx: 1, dy: 0 };
  const still: Input = { dx: 0, dy: 0 };
  const open = (name: string, move: Input): Client =>
    connect<typeof schema, Input, Pos>(url, {
      name,
      game: { schema, input, predict: { model, fields: ["x", "y"] } },
      input: () => move,
      runtime: { WebSocket: WebSocket as never, fetch: null },
    });
  const a = open("a", walk);
  const b = open("b", still);
  const received = new Map<string, number>();
  b.on("event", (event) => {
    if (event.name === "chat" && typeof event.data === "string" && event.data.startsWith("a:")) {
      received.set(event.data, (received.get(event.data) ?? 0) + 1);
    }
  });
  let lastSnapshotAt = 0;
  a.on("snapshot", (_snapshot, now) => {
    lastSnapshotAt = now;
  });
  const row: Row = {
    scenario: scenario.name,
    corrections: 0,
    largestCorrection: 0,
    frames: 0,
    fastFrames: 0,
    backwardsFrames: 0,
    npcJumps: 0,
    npcFastest: 0,
    delayBefore: Number.NaN,
    delayAfter: Number.NaN,
    backWithinMs: Number.NaN,
    chatsSent: 0,
    chatsLost: 0,
    chatsDuplicated: 0,
    eventsMissed: 0,
    eventsDuplicated: 0,
  };
  const firstTrouble = scenario.outages[0]?.from ?? 4_000;
  const returns = scenario.outages.map((outage) => outage.to);
  let lastX = Number.NaN;
  let lastNpcX = Number.NaN;
  let lastAt = Number.NaN;
  let lastCorrections = 0;
  let nextChat = 3_000;
  await new Promise<void>((resolve) => {
    const frame = () => {
      const now = performance.now();
      const elapsed = now - started;
      a.update(now);
      b.update(now);
      if (a.stats.corrections > lastCorrections) {
        row.corrections += a.stats.corrections - lastCorrections;
        row.largestCorrection = Math.max(row.largestCorrection, a.stats.lastCorrectionSize);
      }
      lastCorrections = a.stats.corrections;
      if (elapsed >= nextChat && elapsed < scenario.runMs - AFTER_MS) {
        if (a.chat(`${row.chatsSent}`)) row.chatsSent++;
        nextChat += CHAT_EVERY_MS;
      }
      if (Number.isNaN(row.delayBefore) && elapsed >= firstTrouble - 100) row.delayBefore = a.interpolationDelayMs;
      // Time to playing again: from each link return until A's snapshots flow again; the longest.
      for (const back of returns) {
        if (elapsed >= back && lastSnapshotAt - started >= back && a.state === "open") {
          const took = lastSnapshotAt - started - back;
          row.backWithinMs = Number.isNaN(row.backWithinMs) ? took : Math.max(row.backWithinMs, took);
          returns.splice(returns.indexOf(back), 1);
          break;
        }
      }
      const seen = a.entityId >= 0 ? b.get(a.entityId) : undefined;
      const npc = b.entities.find((entity) => entity.type === "npc");
      if (elapsed > 3_000 && seen !== undefined) {
        const x = seen.render.x;
        if (!Number.isNaN(lastX) && now > lastAt) {
          row.frames++;
          const speed = (x - lastX) / ((now - lastAt) / 1000);
          if (speed > FAST * SPEED) row.fastFrames++;
          if (x < lastX - 1e-6) row.backwardsFrames++;
          if (npc !== undefined && !Number.isNaN(lastNpcX)) {
            const npcSpeed = Math.abs(npc.render.x - lastNpcX) / ((now - lastAt) / 1000);
            if (npcSpeed < WORLD) row.npcFastest = Math.max(row.npcFastest, npcSpeed / NPC_SPEED);
            // Faster than 3× its speed in one frame: a visible jump.
            if (npcSpeed > 3 * NPC_SPEED && npcSpeed < WORLD) row.npcJumps++;
          }
        }
        lastX = x;
        lastNpcX = npc?.render.x ?? Number.NaN;
        lastAt = now;
      }
      if (elapsed < scenario.runMs) setTimeout(frame, FRAME_MS);
      else resolve();
    };
    frame();
  });
  row.delayAfter = a.interpolationDelayMs;
  // Chat still in flight gets a few seconds to arrive.
  const deadline = performance.now() + 5_000;
  while (a.pendingReliable > 0 && performance.now() < deadline) {
    a.update();
    b.update();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  // Exactly once from A to the server (the client's promise); what B got is counted apart.
  for (let i = 0; i < row.chatsSent; i++) {
    const count = serverChats.filter((line) => line === `a:${i}`).length;
    if (count === 0) row.chatsLost++;
    if (count > 1) row.chatsDuplicated += count - 1;
    if (count > 0 && !received.has(`a:${i}`)) row.eventsMissed++;
    row.eventsDuplicated += Math.max(0, (received.get(`a:${i}`) ?? 0) - 1);
  }
  a.leave();
  b.leave();
  await netsim.close();
  await server.close();
  return row;
}

function format(row: Row): string {
  const ms = (value: number) => (Number.isNaN(value) ? "—" : `${Math.round(value)} ms`);
  const fast = `${row.fastFrames} / ${row.frames} (${((100 * row.fastFrames) / Math.max(1, row.frames)).toFixed(1)}%)`;
  return `| ${row.scenario} | ${row.corrections} (max ${row.largestCorrection.toFixed(1)}) | ${fast} | ${row.backwardsFrames} | ${row.npcJumps} (${row.npcFastest.toFixed(1)}×) | ${ms(row.delayBefore)} → ${ms(row.delayAfter)} | ${ms(row.backWithinMs)} | ${row.chatsLost} / ${row.chatsDuplicated} of ${row.chatsSent} | ${row.eventsMissed} / ${row.eventsDuplicated} |`;
}

const { values } = parseArgs({ options: { only: { type: "string" } } });
const chosen = values.only === undefined ? SCENARIOS : SCENARIOS.filter((scenario) => scenario.name.startsWith(values.only ?? ""));
if (chosen.length === 0) throw new Error(`--only matches none of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
console.log("| network | A's corrections | B's frames of A > 1.5× speed | backwards | NPC jumps (fastest frame) | A's interp. delay before → after | snapshots again after the link returns | chat lost / duplicated (A → server) | chat events lost / duplicated (server → B) |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const scenario of chosen) console.log(format(await run(scenario)));
process.exit(0);
