/** The preflight: a plain GET on /ws answers what the upgrade would, as JSON, and reserves nothing. */
import { PROTOCOL_VERSION, SUBPROTOCOL } from "@tickwire/engine/wire";
import { afterEach, describe, expect, it } from "vitest";
import { TestClient } from "./helpers/client.js";
import { testGame } from "./helpers/games.js";
import { metricValue } from "./helpers/metrics.js";
import { type StartedServer, startServer } from "./helpers/server.js";

const servers: StartedServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.drop();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: Parameters<typeof startServer>[0]): Promise<StartedServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}

interface Query {
  world?: string;
  token?: string;
  v?: string;
}

async function preflight(
  server: StartedServer,
  query: Query = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; allowOrigin: string | null }> {
  const params = new URLSearchParams({ world: query.world ?? "main", v: query.v ?? String(PROTOCOL_VERSION) });
  if (query.token !== undefined) params.set("token", query.token);
  const response = await fetch(server.httpUrl(`/ws?${params}`), { headers });
  return { status: response.status, body: await response.json(), allowOrigin: response.headers.get("access-control-allow-origin") };
}

async function joined(server: StartedServer, token?: string): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl("main", token));
  clients.push(client);
  return client;
}

describe("server: preflight (GET /ws without upgrade)", () => {
  it("answers { ok: true } with 200 when the upgrade would be admitted", async () => {
    const server = await serve({ game: testGame(), auth: (token) => token === "good" && { user: "ann" } });
    expect(await preflight(server, { token: "good" })).toMatchObject({ status: 200, body: { ok: true } });
  });

  it.each([
    ["an older protocol version", { token: "good", v: "0" }, 400, "protocol_mismatch"],
    ["no protocol version (edge: v absent)", { token: "good", v: "" }, 400, "protocol_mismatch"],
    ["a missing world (edge: world empty)", { token: "good", world: "" }, 400, "missing_world"],
    ["an unknown world", { token: "good", world: "nowhere" }, 404, "unknown_world"],
    ["a bad token", { token: "wrong" }, 401, "auth"],
    ["a missing token", {}, 401, "auth"],
  ] as const)("refuses %s with the upgrade's status and reason, not retryable", async (_name, query, status, code) => {
    const server = await serve({ game: testGame(), auth: (token) => token === "good" && { user: "ann" } });
    const answer = await preflight(server, query);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ ok: false, status, code, retryable: false });
  });

  it("names the server's subprotocol and the offered one in a version mismatch", async () => {
    const server = await serve({ game: testGame() });
    const { body } = await preflight(server, { v: "0" });
    expect((body as { reason: string }).reason).toContain(SUBPROTOCOL);
    expect((body as { reason: string }).reason).toContain("tickwire.v0");
  });

  it("refuses an origin outside the allow-list with 403 and lets that page read the answer", async () => {
    const server = await serve({ game: testGame(), origins: ["https://game.example"] });
    const refused = await preflight(server, {}, { origin: "https://evil.example" });
    expect(refused).toEqual({
      status: 403,
      body: { ok: false, status: 403, code: "origin", reason: "origin not allowed", retryable: false },
      allowOrigin: "https://evil.example",
    });
    const allowed = await preflight(server, {}, { origin: "https://game.example" });
    expect(allowed).toEqual({ status: 200, body: { ok: true }, allowOrigin: "https://game.example" });
  });

  it("refuses with 500 when the auth hook throws, retryable", async () => {
    const server = await serve({
      game: testGame(),
      auth: () => {
        throw new Error("auth backend down");
      },
    });
    expect(await preflight(server, { token: "x" })).toMatchObject({
      status: 500,
      body: { ok: false, code: "auth_error", reason: "authentication error", retryable: true },
    });
  });

  it("refuses a full world with 503, retryable, with the upgrade's reason", async () => {
    const server = await serve({ game: testGame({ capacity: 1 }) });
    await (await joined(server)).join("ann");
    expect(await preflight(server)).toMatchObject({
      status: 503,
      body: { ok: false, status: 503, code: "world_full", reason: "world full", retryable: true },
    });
  });

  it("refuses an address over the per-IP cap with 429, retryable", async () => {
    const server = await serve({ game: testGame(), limits: { maxConnectionsPerIp: 1 } });
    await joined(server);
    expect(await preflight(server)).toMatchObject({
      status: 429,
      body: { ok: false, status: 429, code: "per_ip_cap", retryable: true },
    });
  });

  it("refuses with 503 when shutdown began while the auth hook ran (edge: slow auth)", async () => {
    let approve: (identity: unknown) => void = () => {};
    let asked: () => void = () => {};
    const authAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const server = await startServer({
      game: testGame(),
      auth: () =>
        new Promise((resolve) => {
          approve = resolve;
          asked();
        }),
    });
    const answer = preflight(server, { token: "t" });
    await authAsked;
    const closing = server.close();
    approve({ user: "late" });
    expect(await answer).toMatchObject({
      status: 503,
      body: { ok: false, code: "server_shutting_down", reason: "server shutting down", retryable: true },
    });
    await closing;
  });

  it("reserves nothing: preflights at the capacity and per-IP limits leave room for the real connection", async () => {
    const server = await serve({ game: testGame({ capacity: 1 }), limits: { maxConnectionsPerIp: 1 } });
    for (let i = 0; i < 5; i++) expect((await preflight(server)).body).toEqual({ ok: true });
    await (await joined(server)).join("ann");
    // The player took the only slot: now the preflight sees the world full.
    expect((await preflight(server)).status).toBe(503);
  });

  it("counts no handshake refusal (edge: the client preflights after a refused upgrade)", async () => {
    const server = await serve({ game: testGame() });
    expect((await preflight(server, { world: "nowhere" })).status).toBe(404);
    expect(await metricValue(server, "tickwire_handshake_refusals_total", { reason: "unknown_world" })).toBe(0);
  });
});
