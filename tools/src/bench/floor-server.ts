/**
 * Child-process entry of the floor benchmark: a bare uWebSockets.js server on 127.0.0.1 that
 * sends one prebuilt binary message to every open socket each 50 ms tick, timing each tick's
 * sends, and measuring its CPU and RSS for the window the parent opens. Incoming messages
 * are ignored. Argument: FloorServerArgs as JSON. Talks to the parent over IPC (floor.ts).
 */
import { randomBytes } from "node:crypto";
import uWS from "uWebSockets.js";
import { FLOOR_TICK_MS, type FloorServerArgs, type FloorServerReply, type FloorServerRequest } from "./floor.js";
import { WindowMeter } from "./harness.js";

const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Far above one tick's message, so a slow client never makes uWS drop or close. */
const MAX_BACKPRESSURE_BYTES = 1024 * 1024;
/** uWS's return from send() when the message went straight out (0: buffered, 2: dropped). */
const SEND_SUCCESS = 1;

const args = JSON.parse(process.argv[2] ?? "{}") as FloorServerArgs;
const reply = (message: FloorServerReply): void => {
  process.send?.(message);
};

const message = randomBytes(args.messageBytes);
const sockets = new Set<uWS.WebSocket<unknown>>();

const app = uWS.App().ws("/ws", {
  compression: uWS.DISABLED,
  maxPayloadLength: MAX_PAYLOAD_BYTES,
  maxBackpressure: MAX_BACKPRESSURE_BYTES,
  // The typings say number; uWS reads it as a boolean.
  closeOnBackpressureLimit: false as unknown as number,
  // 0 disables the idle timeout: no pings, nothing but the ticks' sends.
  idleTimeout: 0,
  open: (ws) => {
    sockets.add(ws);
  },
  message: () => {},
  close: (ws) => {
    sockets.delete(ws);
  },
});

const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
  app.listen("127.0.0.1", 0, (socket) => {
    if (socket === false) reject(new Error("could not listen on 127.0.0.1"));
    else resolve(socket);
  });
});

const meter = new WindowMeter();
let backpressured = 0;
// One corked send function for every socket, so a tick allocates no closures.
let corkedSocket: uWS.WebSocket<unknown> | undefined;
const sendCorked = (): void => {
  if (corkedSocket !== undefined && corkedSocket.send(message, true) !== SEND_SUCCESS) backpressured++;
};

function tick(): void {
  const start = performance.now();
  for (const ws of sockets) {
    corkedSocket = ws;
    ws.cork(sendCorked);
  }
  corkedSocket = undefined;
  meter.record(performance.now() - start);
}

// Fixed rate without drift: tick n is due at loopStart + n * FLOOR_TICK_MS; late ticks run at once.
const loopStart = performance.now();
let nextTick = 1;
function onTimer(): void {
  const now = performance.now();
  while (loopStart + nextTick * FLOOR_TICK_MS <= now) {
    tick();
    nextTick++;
  }
  setTimeout(onTimer, Math.ceil(loopStart + nextTick * FLOOR_TICK_MS - performance.now()));
}
setTimeout(onTimer, FLOOR_TICK_MS);

process.on("message", (request: FloorServerRequest) => {
  switch (request.type) {
    case "reset":
      meter.reset();
      backpressured = 0;
      return;
    case "report": {
      const figures = meter.figures();
      reply({
        type: "report",
        report: {
          cpuPct: figures.cpuPct,
          rssMb: figures.rssMb,
          ticks: figures.count,
          sendP50Ms: figures.p50Ms,
          sendP99Ms: figures.p99Ms,
          backpressured,
        },
      });
      return;
    }
    case "stop":
      uWS.us_listen_socket_close(listenSocket);
      process.exit(0);
  }
});
// The parent going away must not leave a server running.
process.on("disconnect", () => process.exit(0));

reply({ type: "ready", port: uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket) });
