import { connect } from "@tickwire/client";
import { createNetGraph } from "@tickwire/client/netgraph";
import { HEIGHT, input, type Move, prediction, schema, WIDTH } from "../shared/game.js";

const RADIUS = 8;
const canvas = document.querySelector<HTMLCanvasElement>("#game")!;
const context = canvas.getContext("2d")!;
const stateLabel = document.querySelector<HTMLElement>("#state")!;

// Keyboard → one input object, sampled once per server tick (the prediction copies it).
const pressed = new Set<string>();
const KEYS: Record<string, Move> = {
  ArrowUp: { dx: 0, dy: -1 },
  KeyW: { dx: 0, dy: -1 },
  ArrowDown: { dx: 0, dy: 1 },
  KeyS: { dx: 0, dy: 1 },
  ArrowLeft: { dx: -1, dy: 0 },
  KeyA: { dx: -1, dy: 0 },
  ArrowRight: { dx: 1, dy: 0 },
  KeyD: { dx: 1, dy: 0 },
};
addEventListener("keydown", (event) => event.code in KEYS && pressed.add(event.code));
addEventListener("keyup", (event) => pressed.delete(event.code));
addEventListener("blur", () => pressed.clear());
const move: Move = { dx: 0, dy: 0 };
function sampleKeys(): Move {
  move.dx = 0;
  move.dy = 0;
  for (const code of pressed) {
    move.dx += KEYS[code].dx;
    move.dy += KEYS[code].dy;
  }
  move.dx = Math.sign(move.dx);
  move.dy = Math.sign(move.dy);
  return move;
}

const name = new URLSearchParams(location.search).get("name") ?? `player-${Math.floor(Math.random() * 1000)}`;
const client = connect("/ws?world=main", { name, game: { schema, input, predict: prediction }, input: sampleKeys });
client.on("state", (state) => {
  stateLabel.textContent = state;
});
createNetGraph(client.stats);

function frame(): void {
  client.update();
  canvas.width = innerWidth;
  canvas.height = innerHeight;
  const scale = Math.min(innerWidth / WIDTH, innerHeight / HEIGHT);
  context.fillStyle = "#181c24";
  context.fillRect(0, 0, WIDTH * scale, HEIGHT * scale);
  for (const entity of client.entities) {
    const { x, y } = entity.render; // interpolated, or predicted for your own dot
    context.beginPath();
    context.arc(x * scale, y * scale, RADIUS * scale, 0, 2 * Math.PI);
    context.fillStyle = entity.local ? "#81c784" : "#90a4ae";
    context.fill();
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
