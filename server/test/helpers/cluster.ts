/**
 * A test deployment: a real redis-server and N server processes (fixtures/cluster-server.ts)
 * sharing it, and players that find their world the way a client does: /matchmake, then the
 * answered URL with their token.
 */
import { CloseCode } from "@tickwire/engine";
import { ChildServer } from "./child.js";
import { TestClient } from "./client.js";
import { testSchema } from "./games.js";
import { LocalRedisServer } from "../../src/local-redis.js";

const FIXTURE = new URL("../fixtures/cluster-server.ts", import.meta.url);
/** How long a polled condition may take before the test fails with a message. */
export const POLL_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

export class Cluster {
  private constructor(
    readonly redis: LocalRedisServer,
    readonly processes: ChildServer[],
    readonly ids: string[],
    readonly prefix: string,
  ) {}

  /** Redis and `count` processes named p1…pN; `env` goes to every process. */
  static async start(count: number, env: Record<string, string> = {}): Promise<Cluster> {
    const redis = await LocalRedisServer.start();
    const prefix = "test:";
    const ids = Array.from({ length: count }, (_, i) => `p${i + 1}`);
    const processes = await Promise.all(
      ids.map((id) => ChildServer.start(FIXTURE, { REDIS_URL: redis.url, PREFIX: prefix, PROCESS_ID: id, ...env })),
    );
    return new Cluster(redis, processes, ids, prefix);
  }

  http(index: number, path: string): string {
    return `http://127.0.0.1:${this.processes[index]?.port}${path}`;
  }

  /** Port → process index, to tell which process a matchmaking answer points at. */
  processOfUrl(url: string): number {
    const port = Number(new URL(url).port);
    return this.processes.findIndex((process) => process.port === port);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
    await this.redis.stop();
  }
}

export type ClusterClient = TestClient<typeof testSchema>;

export interface Placed {
  readonly client: ClusterClient;
  readonly world: string;
  /** The process that hosts it (index in the cluster). */
  readonly process: number;
}

/** Matchmakes through process `entry` (preferring `world`), connects with `token` and joins as `name`; rejects if refused. */
export async function matchmakeAndJoin(cluster: Cluster, entry: number, name: string, token: string, world?: string): Promise<Placed> {
  const query = `/matchmake?game=cluster${world === undefined ? "" : `&world=${encodeURIComponent(world)}`}`;
  const response = await fetch(cluster.http(entry, query));
  if (response.status !== 200) throw new Error(`matchmake answered ${response.status}: ${await response.text()}`);
  const answer = (await response.json()) as { world: string; url: string };
  const client = await TestClient.connect(`${answer.url}&token=${encodeURIComponent(token)}`, { schema: testSchema });
  const closed = client.closed.then((info) => {
    throw new Error(`closed before Welcome: ${info.code} ${info.reason}`);
  });
  try {
    await Promise.race([client.join(name), closed]);
  } catch (error) {
    client.drop();
    throw error;
  }
  closed.catch(() => undefined);
  return { client, world: answer.world, process: cluster.processOfUrl(answer.url) };
}

/**
 * What a client does after losing its server: matchmake again (preferring its last world)
 * and join as the same player, retrying while that fails (the dead process still listed,
 * the player's lease not yet free) until `deadlineMs`.
 */
export async function rejoin(cluster: Cluster, entries: readonly number[], name: string, token: string, world: string, deadlineMs: number): Promise<Placed> {
  let attempt = 0;
  let lastError: unknown;
  while (performance.now() < deadlineMs) {
    const entry = entries[attempt++ % entries.length] as number;
    try {
      return await matchmakeAndJoin(cluster, entry, name, token, world);
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${name} did not rejoin in time: ${String(lastError)}`);
}

/** The data of the first event `name` that passes `test`, waiting for it. */
export async function eventOf(client: ClusterClient, name: string, test: (data: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  const found = await poll(() => client.events.find((event) => event.name === name && test(event.data as Record<string, unknown>)));
  return found.data as Record<string, unknown>;
}

/** Calls `probe` until it returns something other than undefined/false. */
export async function poll<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = POLL_TIMEOUT_MS): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export { CloseCode };
