import { describe, expect, it } from "vitest";
import { Emitter } from "../src/emitter.js";

type Events = { value: (n: number) => void; other: () => void };

describe("Emitter", () => {
  it("calls listeners of an event in registration order with the arguments", () => {
    const emitter = new Emitter<Events>(() => {});
    const calls: string[] = [];
    emitter.on("value", (n) => calls.push(`a${n}`));
    emitter.on("value", (n) => calls.push(`b${n}`));
    emitter.on("other", () => calls.push("other"));
    emitter.emit("value", 1);
    expect(calls).toEqual(["a1", "b1"]);
  });

  it("has(event) says whether the event has a listener now", () => {
    const emitter = new Emitter<Events>(() => {});
    expect(emitter.has("value")).toBe(false);
    const off = emitter.on("value", () => {});
    expect([emitter.has("value"), emitter.has("other")]).toEqual([true, false]);
    off();
    expect(emitter.has("value")).toBe(false);
  });

  it("a throwing listener does not stop the next ones; the error is reported", () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<Events>((error, event) => errors.push([event, (error as Error).message]));
    const seen: number[] = [];
    emitter.on("value", () => {
      throw new Error("boom");
    });
    emitter.on("value", (n) => seen.push(n));
    emitter.emit("value", 7);
    expect(seen).toEqual([7]);
    expect(errors).toEqual([["value", "boom"]]);
  });

  it("removing a listener during an emit does not skip the others of that emit", () => {
    const emitter = new Emitter<Events>(() => {});
    const seen: string[] = [];
    const offA = emitter.on("value", () => {
      seen.push("a");
      offA();
    });
    emitter.on("value", () => seen.push("b"));
    emitter.emit("value", 1);
    emitter.emit("value", 2);
    expect(seen).toEqual(["a", "b", "b"]);
  });

  it("the function `on` returns removes the listener; off for an unknown one is a no-op", () => {
    const emitter = new Emitter<Events>(() => {});
    const seen: number[] = [];
    const off = emitter.on("value", (n) => seen.push(n));
    emitter.off("other", () => {});
    emitter.emit("value", 1);
    off();
    emitter.emit("value", 2);
    expect(seen).toEqual([1]);
  });

  it("passes both arguments of a two-argument event", () => {
    const emitter = new Emitter<{ pair: (a: string, b: number) => void }>(() => {});
    const seen: [string, number][] = [];
    emitter.on("pair", (a, b) => seen.push([a, b]));
    emitter.emit("pair", "x", 2);
    expect(seen).toEqual([["x", 2]]);
  });
});
