import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as game from "../src/index.js";
import * as wire from "../src/wire.js";

describe("the engine's two entry points", () => {
  it("gives games what they use at the root, and keeps wire internals out of it", () => {
    for (const name of ["defineSchema", "t", "defineInput", "inputField", "definePrediction", "Rng", "angleDelta", "EntityStore", "CloseCode"]) {
      expect(game, name).toHaveProperty(name);
    }
    for (const name of ["writeUpdateHead", "UPDATE_HEAD_FORMS", "beginSnapshotMessage", "encodeDelta", "encodeServerMessage", "ByteWriter", "SpatialGrid", "Reconciler"]) {
      expect(game, name).not.toHaveProperty(name);
      expect(wire, name).toHaveProperty(name);
    }
  });

  it("exports each name from one entry point only", () => {
    const shared = Object.keys(game).filter((name) => name in wire);
    expect(shared).toEqual([]);
  });

  it("publishes the wire entry point as the `@tickwire/engine/wire` subpath", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.exports["./wire"]).toEqual({ source: "./src/wire.ts", types: "./dist/wire.d.ts", default: "./dist/wire.js" });
  });
});
