/**
 * Issue 10 point 6, from the client's side: events the server had to discard while the
 * player was away are never lost silently. The resume is answered with EventOverflow,
 * which the client reports as a `disconnect` with code 4006, and it resumes again.
 */
import type { Socket } from "node:net";
import { CloseCode } from "@tickwire/engine";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/client.js";
import type { DisconnectInfo } from "../src/connection.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { createTestGame, input, model, type Pos, schema, type TestInput, type TestSchema } from "./helpers/test-game.js";
import { everyFrame, nextEvent, until } from "./helpers/wait.js";

/** Small, so a handful of events overflows it. */
const MAX_PENDING_EVENTS = 8;
/** A port nothing listens on: while "offline", the client's connection attempts fail there. */
const NOWHERE = "ws://127.0.0.1:1/ws?world=main";

let offline = false;
const sockets: WebSocket[] = [];
/** A `ws` socket that can be taken offline: its attempts go nowhere until `offline` is false. */
class SwitchableWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(offline ? NOWHERE : url, protocols);
    sockets.push(this);
  }
}

let server: TickwireServer | undefined;
let client: TickwireClient<TestSchema, TestInput, Pos> | undefined;
let stopFrames: (() => void) | undefined;

afterEach(async () => {
  stopFrames?.();
  client?.close();
  await server?.close();
  offline = false;
  sockets.length = 0;
});

describe("missed events", () => {
  it("reports a resume refused with EventOverflow as a 4006 disconnect that will retry, then resumes the same player", async () => {
    server = await createServer({
      host: "127.0.0.1",
      port: 0,
      worlds: [{ id: "main", game: createTestGame({ movers: 0 }).game }],
      logger: silentLogger(),
      defaultMetrics: false,
      limits: { maxPendingEvents: MAX_PENDING_EVENTS },
    });
    const world = server.worlds.get("main")!;
    client = connect<TestSchema, TestInput, Pos>(`ws://127.0.0.1:${server.port}/ws?world=main`, {
      name: "away",
      game: { schema, input, predict: { model, fields: ["x", "y"] } },
      runtime: { WebSocket: SwitchableWebSocket as unknown as WebSocketConstructor },
      tuning: { reconnect: { baseMs: 20, maxMs: 50 } },
    });
    const running = client;
    stopFrames = everyFrame(() => running.update(), 10);
    const [first] = await nextEvent(client, "welcome");
    const disconnects: DisconnectInfo[] = [];
    client.on("disconnect", (info) => disconnects.push(info));

    offline = true;
    (sockets.at(-1) as unknown as { _socket: Socket })._socket.destroy();
    const session = [...world.sessions][0];
    await until(() => !session.connected, "the server to notice the drop");
    for (let i = 0; i <= MAX_PENDING_EVENTS; i++) world.emit(session, "news", i);
    offline = false;

    const [second] = await nextEvent(client, "welcome");
    expect(second.resumed).toBe(true);
    expect(second.entityId).toBe(first.entityId);
    const overflow = disconnects.find((info) => info.code === CloseCode.EventOverflow);
    expect(overflow).toMatchObject({ willRetry: true, welcomed: false });
    expect(overflow?.reason).toMatch(/events/);
  });
});
