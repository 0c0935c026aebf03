/**
 * Refusals the game or the framework gives a player reach the application with their
 * reason: a kick (`ctx.kick(player, reason)`), a join the game refuses (`JoinRefused`), and a
 * name the protocol refuses, at once rather than after the Welcome timeout.
 */
import { CloseCode } from "@tickwire/engine";
import { MAX_CLOSE_REASON_BYTES } from "@tickwire/engine/wire";
import { defineGame, JoinRefused } from "@tickwire/server";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TickwireClient } from "../src/client.js";
import type { ClientError, DisconnectInfo } from "../src/connection.js";
import type { WebSocketConstructor } from "../src/socket.js";
import { startServer, type TestServer } from "./helpers/server.js";
import { input, schema, WORLD_SIZE } from "./helpers/test-game.js";
import { nextEvent } from "./helpers/wait.js";

const LONG_REASON = "ä".repeat(100);

const game = defineGame({
  schema,
  input,
  bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
  onJoin: (ctx, player) => {
    if (player.name.startsWith("admin")) throw new JoinRefused(`the name "${player.name}" is reserved`);
    return ctx.spawn("player", { x: 100, y: 100, name: player.name });
  },
  onCommand: (ctx, player, name) => {
    if (name === "spam") ctx.kick(player, "kicked for spamming the chat");
    if (name === "rant") ctx.kick(player, LONG_REASON);
  },
});

let server: TestServer | undefined;
const clients: TickwireClient<typeof schema>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function open(name: string): Promise<{ client: TickwireClient<typeof schema>; errors: ClientError[] }> {
  server ??= await startServer(game);
  const client = connect(server.wsUrl(), {
    name,
    game: { schema, input },
    tuning: { reconnect: { baseMs: 10, maxMs: 40 } },
    runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
  });
  clients.push(client);
  const errors: ClientError[] = [];
  client.on("error", (error) => errors.push(error));
  return { client, errors };
}

describe("reasons reach the client", () => {
  it("surfaces a kick's reason in 'disconnect', 'error' and 'close', and does not reconnect", async () => {
    const { client, errors } = await open("ann");
    await nextEvent(client, "welcome");
    const disconnected = nextEvent(client, "disconnect");
    const closed = nextEvent(client, "close");
    client.command("spam");
    const [info] = (await disconnected) as [DisconnectInfo];
    expect(info).toEqual({ code: CloseCode.Kicked, reason: "kicked for spamming the chat", willRetry: false, welcomed: true, status: 0 });
    expect((await closed)[0]).toMatchObject({ code: CloseCode.Kicked, reason: "kicked for spamming the chat", byClient: false });
    expect(errors.at(-1)).toMatchObject({ kind: "closed", message: "kicked for spamming the chat", retrying: false });
    expect(client.state).toBe("closed");
  });

  it("gets a kick reason cut to the close frame's 123 bytes, whole characters only", async () => {
    const { client } = await open("bob");
    await nextEvent(client, "welcome");
    const disconnected = nextEvent(client, "disconnect");
    client.command("rant");
    const [info] = (await disconnected) as [DisconnectInfo];
    expect(new TextEncoder().encode(info.reason).length).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(info.reason).toBe("ä".repeat(Math.floor(MAX_CLOSE_REASON_BYTES / 2)));
  });

  it("surfaces a join the game refused (JoinRefused) with its reason, and does not retry", async () => {
    const { client, errors } = await open("admin");
    const closed = nextEvent(client, "close");
    const [info] = (await nextEvent(client, "disconnect")) as [DisconnectInfo];
    expect(info).toEqual({
      code: CloseCode.JoinRefused,
      reason: 'the name "admin" is reserved',
      willRetry: false,
      welcomed: false,
      status: 0,
    });
    await closed;
    expect(errors).toEqual([expect.objectContaining({ kind: "closed", code: CloseCode.JoinRefused, retrying: false })]);
    expect(server?.server.worlds.get("main")?.sessions.size).toBe(0);
  });

  it("surfaces a blank name's refusal at once, not after the 5 s Welcome timeout", async () => {
    const started = performance.now();
    const { client } = await open(" \u200b ");
    const closed = nextEvent(client, "close");
    const [info] = (await nextEvent(client, "disconnect")) as [DisconnectInfo];
    expect(info).toMatchObject({ code: CloseCode.JoinRefused, reason: "name must not be blank or invisible", willRetry: false });
    expect(performance.now() - started).toBeLessThan(1_000);
    await closed;
    expect(client.state).toBe("closed");
  });
});
