/**
 * Issue 10's bounded soak: 500 join/leave/drop/resume cycles with random close codes from
 * eight addresses against a server in its own process; afterwards its population,
 * admission and RSS are back where they started.
 */
import { CloseCode } from "@tickwire/engine";
import { MsgType } from "@tickwire/engine/wire";
import { afterEach, describe, expect, it } from "vitest";
import { ChildServer } from "./helpers/child.js";
import { expectRefused, TestClient } from "./helpers/client.js";
import { type TestSchema, testSchema } from "./helpers/games.js";

const SCRIPT = new URL("./fixtures/robust-server.ts", import.meta.url);
const CYCLES = 500;
const WARM_UP_CYCLES = 250;
const ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"];
/** dots' capacity: a quarter of it (16) per address. */
const CAPACITY = 64;
/** Players kept for resume and never resumed expire quickly, so the soak ends in seconds. */
const RESUME_GRACE_MS = 300;
/** Codes a client may close with that keep its player for resume. */
const RESUMABLE_CODES = [CloseCode.GoingAway, 3000, 4000, 4004, 4999];
/**
 * What 500 cycles may leave behind in a process of ~100 MB. Measured: +4 to +6.4 MiB after
 * 500 cycles and +3.3 MiB after 1500 (native allocator slack that does not grow with the
 * cycles), while the JS heap after a full GC stays within 0.1 MiB.
 */
const MAX_RSS_GROWTH_BYTES = 12 * 1024 * 1024;
/** A leaked session (its view bitmaps, input ring, entity) is kilobytes: 500 of them would show. */
const MAX_HEAP_GROWTH_BYTES = 1024 * 1024;
const SEED = 0x5eed10;

interface Memory {
  [key: string]: unknown;
  cmd: "rss";
  rss: number;
  heapUsed: number;
}

interface State {
  [key: string]: unknown;
  cmd: "state";
  population: number;
  openSlots: number;
  unjoined: number;
}

let server: ChildServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** mulberry32: a seeded generator, so a failing run repeats. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Tally {
  cycles: number;
  joins: number;
  resumes: number;
  refusals: number;
}

describe("soak", () => {
  it(`survives ${CYCLES} join/leave/drop/resume cycles from ${ADDRESSES.length} addresses with population, admission and RSS back where they started`, async () => {
    server = await ChildServer.start(
      SCRIPT,
      { CAPACITY: String(CAPACITY), LIMITS: JSON.stringify({ resumeGraceMs: RESUME_GRACE_MS, joinTimeoutMs: 1_000 }) },
      ["--expose-gc"],
    );
    const child = server;
    const url = `ws://127.0.0.1:${child.port}/ws?world=main`;
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const tally: Tally = { cycles: 0, joins: 0, resumes: 0, refusals: 0 };
    const state = () => child.request<State>("state");

    /**
     * Connects and sends Join or Resume; a refusal (upgrade or close) is retried as a client's
     * backoff would. Undefined when a resume comes too late (the player expired meanwhile).
     */
    const enter = async (
      address: string,
      send: (client: TestClient<TestSchema>) => Promise<unknown>,
    ): Promise<TestClient<TestSchema> | undefined> => {
      for (;;) {
        let client: TestClient<TestSchema> | undefined;
        try {
          client = await TestClient.connect(url, { schema: testSchema, localAddress: address });
          const closed = client.closed.then((info) => Promise.reject(new Error(`closed ${info.code}`)));
          await Promise.race([send(client), closed]);
          return client;
        } catch {
          if (client?.closeCode === CloseCode.ResumeFailed) return undefined;
          client?.drop();
          tally.refusals++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };

    const cycle = async (address: string): Promise<void> => {
      const client = (await enter(address, (c) => c.join(`p${tally.cycles}`))) as TestClient<TestSchema>;
      tally.joins++;
      await client.nextSnapshot();
      const token = client.welcome!.resumeToken;
      const action = random();
      if (action < 0.25) {
        await client.close();
      } else if (action < 0.35) {
        client.command("kick");
        await client.closed;
      } else {
        if (action < 0.65) {
          client.ws.close(pick(RESUMABLE_CODES));
          await client.closed;
        } else {
          client.drop();
        }
        // Half resume (from any address), the rest are left to expire.
        if (random() < 0.5) {
          const back = await enter(pick(ADDRESSES), (c) => c.resume(token));
          if (back !== undefined) {
            tally.resumes++;
            await back.nextSnapshot();
            if (random() < 0.5) await back.close();
            else back.ws.close(pick(RESUMABLE_CODES));
            await back.closed;
          }
        }
      }
      tally.cycles++;
    };

    const run = async (cycles: number): Promise<void> => {
      let next = 0;
      await Promise.all(
        ADDRESSES.map(async (address) => {
          while (next < cycles) {
            next++;
            await cycle(address);
          }
        }),
      );
    };
    const settled = () =>
      until(async () => {
        const s = await state();
        return s.population === 0 && s.unjoined === 0;
      }, "every player to leave or expire");

    await run(WARM_UP_CYCLES);
    await settled();
    const before = await child.request<Memory>("rss");
    const started = performance.now();
    Object.assign(tally, { cycles: 0, joins: 0, resumes: 0, refusals: 0 });
    await run(CYCLES);
    const elapsedMs = performance.now() - started;
    await settled();
    const after = await child.request<Memory>("rss");
    const end = await state();
    console.log(
      `soak: ${tally.cycles} cycles in ${Math.round(elapsedMs)} ms, ${tally.joins} joins, ${tally.resumes} resumes, ` +
        `${tally.refusals} refused attempts; RSS ${mib(before.rss)} → ${mib(after.rss)} MiB, heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB`,
    );
    expect(tally.cycles).toBeGreaterThanOrEqual(CYCLES);
    expect(end).toMatchObject({ population: 0, openSlots: CAPACITY, unjoined: 0 });
    expect(after.rss - before.rss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    const health = await fetch(`http://127.0.0.1:${child.port}/healthz`);
    expect(health.status).toBe(200);

    // Admission is whole again: the world fills to capacity (a quarter per address), then refuses.
    const filled: TestClient<TestSchema>[] = [];
    for (let i = 0; i < CAPACITY; i++) {
      filled.push(await TestClient.join(url, `fill${i}`, { schema: testSchema, localAddress: ADDRESSES[i % 4] }));
    }
    expect(filled.every((c) => c.welcome !== undefined)).toBe(true);
    expect(await expectRefused(url, { localAddress: ADDRESSES[7] })).toEqual({ status: 503, body: "world full" });
    await Promise.all(filled.map((c) => c.close()));
    await until(async () => (await state()).population === 0, "the fill to leave");
    expect(filled[0].messages.some((m) => m.type === MsgType.Welcome)).toBe(true);
  }, 60_000);
});
