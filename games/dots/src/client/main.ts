import { type ClientEntity, connect } from "@tickwire/client";
import { createNetGraph } from "@tickwire/client/netgraph";
import { type DotState, prediction } from "../shared/movement.js";
import { DOT_RADIUS, type DotsInput, input, schema, WORLD_HEIGHT, WORLD_WIDTH } from "../shared/schema.js";

type Dots = typeof schema;

/** Event lines kept in the HUD. */
const LOG_LINES = 5;
/** Fraction of the window the world fills, leaving a margin around it. */
const WORLD_FILL = 0.94;

const canvas = document.querySelector<HTMLCanvasElement>("#game")!;
const context = canvas.getContext("2d")!;
const stateLabel = document.querySelector<HTMLElement>("#state")!;
const whoLabel = document.querySelector<HTMLElement>("#who")!;
const problemLabel = document.querySelector<HTMLElement>("#problem")!;
const logBox = document.querySelector<HTMLElement>("#log")!;

const params = new URLSearchParams(location.search);
const name = params.get("name") ?? `dot-${crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, "0")}`;
const world = params.get("world") ?? "main";

// Keyboard → one input object, reused every tick (the prediction copies it).
const pressed = new Set<string>();
const current: DotsInput = { dx: 0, dy: 0 };
const KEYS: Record<string, [number, number]> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};
addEventListener("keydown", (event) => {
  if (event.code in KEYS) {
    pressed.add(event.code);
    event.preventDefault();
  }
});
addEventListener("keyup", (event) => pressed.delete(event.code));
addEventListener("blur", () => pressed.clear());

function sampleKeys(): DotsInput {
  let dx = 0;
  let dy = 0;
  for (const code of pressed) {
    dx += KEYS[code][0];
    dy += KEYS[code][1];
  }
  current.dx = Math.sign(dx);
  current.dy = Math.sign(dy);
  return current;
}

const client = connect<Dots, DotsInput, DotState>(`/ws?world=${encodeURIComponent(world)}`, {
  name,
  game: { schema, input, predict: prediction },
  input: sampleKeys,
});
const graph = createNetGraph(client.stats);

function log(line: string): void {
  const row = document.createElement("div");
  row.textContent = line;
  logBox.prepend(row);
  while (logBox.childElementCount > LOG_LINES) logBox.lastElementChild!.remove();
}

client.on("state", (state) => {
  stateLabel.textContent = state;
  stateLabel.dataset.state = state;
  if (state === "open") problemLabel.textContent = "";
});
client.on("welcome", (welcome) => {
  whoLabel.textContent = `as ${name} in "${welcome.world}"${welcome.resumed ? " (resumed)" : ""}`;
});
client.on("error", (error) => {
  problemLabel.textContent = error.retrying ? `${error.message} (retrying)` : error.message;
});
client.on("close", (info) => {
  problemLabel.textContent = info.byClient ? "closed" : `closed: ${info.reason}`;
});
client.on("event", (event) => {
  const data = event.data as { name?: string; text?: string } | null;
  if (event.name === "join") log(`${data?.name} joined`);
  else if (event.name === "leave") log(`${data?.name} left`);
  else if (event.name === "chat") log(`${data?.name}: ${data?.text}`);
});

function resize(): void {
  const ratio = devicePixelRatio || 1;
  canvas.width = Math.round(innerWidth * ratio);
  canvas.height = Math.round(innerHeight * ratio);
}
addEventListener("resize", resize);
resize();

function drawDot(entity: ClientEntity<Dots>, scale: number): void {
  const x = entity.render.x;
  const y = entity.render.y;
  const radius = (entity.type === "npc" ? DOT_RADIUS * 0.7 : DOT_RADIUS) * scale;
  context.beginPath();
  context.arc(x * scale, y * scale, radius, 0, 2 * Math.PI);
  context.fillStyle = `hsl(${entity.values.hue} 70% ${entity.type === "npc" ? 45 : 60}%)`;
  context.fill();
  if (entity.local) {
    context.lineWidth = 2;
    context.strokeStyle = "#ffffff";
    context.stroke();
  }
  if (entity.type === "player") {
    context.fillStyle = "#d0d6de";
    context.fillText(entity.values.name, x * scale, y * scale - radius - 4);
  }
}

function frame(): void {
  client.update();
  const ratio = devicePixelRatio || 1;
  const scale = Math.min(canvas.width / WORLD_WIDTH, canvas.height / WORLD_HEIGHT) * WORLD_FILL;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.fillStyle = "#11141a";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate((canvas.width - WORLD_WIDTH * scale) / 2, (canvas.height - WORLD_HEIGHT * scale) / 2);
  context.fillStyle = "#181c24";
  context.fillRect(0, 0, WORLD_WIDTH * scale, WORLD_HEIGHT * scale);
  context.strokeStyle = "#2c3340";
  context.lineWidth = 1;
  context.strokeRect(0.5, 0.5, WORLD_WIDTH * scale - 1, WORLD_HEIGHT * scale - 1);
  context.font = `${Math.round(11 * ratio)}px ui-sans-serif, system-ui, sans-serif`;
  context.textAlign = "center";
  // NPCs first so players are drawn on top; the local dot last.
  for (const entity of client.entities) if (entity.type === "npc") drawDot(entity, scale);
  for (const entity of client.entities) if (entity.type === "player" && !entity.local) drawDot(entity, scale);
  const local = client.local;
  if (local !== undefined) drawDot(local, scale);
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// A handle for the browser test and for poking around in the devtools console.
(globalThis as { dots?: unknown }).dots = { client, graph };
