/** The README's minimal game: started, played, and shut down by a signal like a deployment would. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CloseCode } from "@tickwire/engine";
import { Reconciler } from "@tickwire/engine/wire";
import { describe, expect, it } from "vitest";
import { game, prediction, SIZE, SPEED, schema } from "../examples/minimal.js";
import { TestClient } from "./helpers/client.js";
import { startServer } from "./helpers/server.js";

describe("examples/minimal.ts", () => {
  it("is the README's complete game, verbatim", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/minimal.ts", import.meta.url), "utf8");
    const block = /## A complete game[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(example);
  });

  it("plays: two players join, one moves as its client predicted, the other sees it", async () => {
    const server = await startServer({ game });
    try {
      const ann = await TestClient.join(server.wsUrl(), "ann", { schema });
      const bob = await TestClient.join(server.wsUrl(), "bob", { schema });
      await bob.nextSnapshot(() => bob.mirror?.has(ann.entityId) === true);
      const start = { ...bob.mirror!.get(ann.entityId)!.values };
      const predicted = new Reconciler(prediction.model, { dt: 1 / 20 });
      predicted.reset({ x: start.x as number, y: start.y as number });
      predicted.predict({ dx: 1, dy: 0 });
      const seq = ann.sendInput([1, 0]);
      await ann.nextSnapshot((s) => s.ackSeq === seq);
      const moved = await bob.nextSnapshot(() => bob.mirror!.get(ann.entityId)!.values.x !== start.x);
      expect(moved.tick).toBeGreaterThan(0);
      expect(bob.mirror!.get(ann.entityId)!.values).toEqual({ x: Math.min(SIZE, (start.x as number) + SPEED), y: start.y });
      expect(bob.mirror!.get(ann.entityId)!.values).toEqual(predicted.state);
      ann.drop();
      bob.drop();
    } finally {
      await server.close();
    }
  });

  it("shuts down on SIGTERM: every client closed with 1001, exit code 0, within the bound", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", fileURLToPath(new URL("../examples/minimal.ts", import.meta.url))],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), env: { ...process.env, PORT: "0", NODE_ENV: "production" } },
    );
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ws:\/\/127\.0\.0\.1:\d+\/ws\?world=main/.exec(output);
        if (match !== null) resolve(match[0]);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code} before listening: ${output}`)));
    });
    const clients = await Promise.all(["ann", "bob"].map((name) => TestClient.join(url, name, { schema })));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    const closes = await Promise.all(clients.map((client) => client.waitForClose()));
    expect(closes).toEqual([
      { code: CloseCode.GoingAway, reason: "server shutting down" },
      { code: CloseCode.GoingAway, reason: "server shutting down" },
    ]);
    expect(await exited).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(5_000);
    expect(output).toContain("shutting down");
  });
});
