/**
 * Child-process entry of the floor benchmark: raw `ws` clients (no tickwire client, no
 * decoding) spread over loopback source addresses, each sending a 12-byte input every 50 ms
 * like a field bot and counting the payload bytes it receives, measured over a window.
 * Argument: FloorLoadArgs as JSON. Talks to the parent over IPC (floor.ts).
 */
import { WebSocket } from "ws";
import { BOTS_PER_SOURCE_ADDRESS } from "../bots/constants.js";
import { sourceAddressFor } from "../bots/target.js";
import { FLOOR_TICK_MS, type FloorLoadArgs, type FloorLoadMessage, type FloorLoadRequest } from "./floor.js";

/** About the size of a field input (`{seq, dx, dy}` in a frame). */
const INPUT_BYTES = 12;
/** Clients are started in batches this often, `rampPerSec` spread over a second. */
const RAMP_STEP_MS = 50;
const POLL_MS = 100;

const args = JSON.parse(process.argv[2] ?? "{}") as FloorLoadArgs;
const send = (message: FloorLoadMessage): void => {
  process.send?.(message);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
process.on("message", (request: FloorLoadRequest) => {
  if (request.type === "stop") process.exit(0);
});
process.on("disconnect", () => process.exit(0));

const open = new Set<WebSocket>();
const input = Buffer.alloc(INPUT_BYTES);
let bytesIn = 0;

function connect(index: number): void {
  const ws = new WebSocket(args.url, { perMessageDeflate: false, localAddress: sourceAddressFor(index, BOTS_PER_SOURCE_ADDRESS) });
  ws.on("open", () => open.add(ws));
  // binaryType is "nodebuffer": every message arrives as one Buffer.
  ws.on("message", (data) => {
    bytesIn += (data as Buffer).length;
  });
  ws.on("close", () => open.delete(ws));
  // A failed client is just not counted as connected; `close` follows.
  ws.on("error", () => {});
}

// One timer sends every client's input, as a field bot does at 20 Hz.
if (args.inputs) {
  setInterval(() => {
    for (const ws of open) ws.send(input);
  }, FLOOR_TICK_MS);
}

const connectDeadline = performance.now() + args.connectTimeoutSec * 1000;
const perStep = Math.max(1, Math.round((args.rampPerSec * RAMP_STEP_MS) / 1000));
for (let index = 0; index < args.clients; index += perStep) {
  for (let i = index; i < Math.min(args.clients, index + perStep); i++) connect(i);
  await sleep(RAMP_STEP_MS);
}
while (open.size < args.clients && performance.now() < connectDeadline) await sleep(POLL_MS);
await sleep(args.warmupSec * 1000);

send({ type: "window-start" });
const bytesStart = bytesIn;
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
await sleep(args.windowSec * 1000);
const windowSec = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
const connected = open.size;
send({
  type: "window-end",
  report: {
    windowSec,
    connected,
    bytesPerClientSec: connected === 0 ? 0 : (bytesIn - bytesStart) / connected / windowSec,
    cpuPct: ((cpu.user + cpu.system) / 1000 / (windowSec * 1000)) * 100,
  },
});
