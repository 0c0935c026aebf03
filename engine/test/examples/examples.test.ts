/** The README's examples: the files themselves, verbatim, and what they do. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { prediction, SPEED, step } from "../../examples/shared-game.js";
import { Reconciler } from "../../src/predict/reconciler.js";

const engineDir = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", engineDir), "utf8");
const codeBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

describe("engine README examples", () => {
  it("shows examples/shared-game.ts and examples/quickstart.ts verbatim", () => {
    for (const file of ["shared-game.ts", "quickstart.ts"]) {
      expect(codeBlocks).toContain(readFileSync(new URL(`examples/${file}`, engineDir), "utf8"));
    }
  });

  it("shared-game: the prediction replays the shared step from the server's state", () => {
    const reconciler = new Reconciler(prediction.model, { dt: 1 / 20 });
    reconciler.reset({ x: 100, y: 100 });
    reconciler.predict({ dx: 1, dy: 0 });
    reconciler.predict({ dx: 0, dy: -1 });
    const server = { x: 100, y: 100 };
    step(server, { dx: 1, dy: 0 }, 1 / 20);
    // The server applied the first input: the second is replayed on top of its state.
    reconciler.reconcile(server, 0);
    expect(reconciler.state).toEqual({ x: 100 + SPEED / 20, y: 100 - SPEED / 20 });
  });

  it("quickstart: a FULL then an 8-byte RELATIVE delta bring the client's copy to x = 12.5", () => {
    const output = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", "examples/quickstart.ts"], {
      cwd: fileURLToPath(engineDir),
      encoding: "utf8",
    });
    expect(output.trim()).toBe("delta of 8 bytes, ok=true, x on the client = 12.5");
  });
});
