/** The README's persistence example, run embedded (twice, as two restarts) and on a real Redis. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../examples/persistence.js";
import { LocalRedisServer } from "../src/local-redis.js";

describe("examples/persistence.ts", () => {
  let redis: LocalRedisServer;
  beforeAll(async () => {
    redis = await LocalRedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("is quoted verbatim in the README", () => {
    const source = readFileSync(new URL("../examples/persistence.ts", import.meta.url), "utf8");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it("embedded: a player saved by one run is back at her level in the next", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tickwire-example-"));
    try {
      const first = await run({ dataDir });
      expect(first).toEqual([
        "reservations: granted, granted, full",
        "population: 2",
        "ann is new",
        "saved: true",
        "another process may take ann: false",
        "announcement: restart in 5 minutes",
      ]);
      expect((await run({ dataDir }))[2]).toBe("ann is back at level 1");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("on Redis: the same lines, and the record is there for the next process", async () => {
    expect(await run({ redisUrl: redis.url })).toEqual([
      "reservations: granted, granted, full",
      "population: 2",
      "ann is new",
      "saved: true",
      "another process may take ann: false",
      "announcement: restart in 5 minutes",
    ]);
    expect((await run({ redisUrl: redis.url }))[2]).toBe("ann is back at level 1");
  });
});
