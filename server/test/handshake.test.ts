import { SUBPROTOCOL } from "@tickwire/engine/wire";
import { describe, expect, it } from "vitest";
import { IpCounter, offersSubprotocol, originAllowed, refusals } from "../src/handshake.js";

describe("offersSubprotocol", () => {
  it("finds the protocol in a comma-separated offer list", () => {
    expect(offersSubprotocol(SUBPROTOCOL)).toBe(true);
    expect(offersSubprotocol(`chat, ${SUBPROTOCOL}`)).toBe(true);
    expect(offersSubprotocol(`  ${SUBPROTOCOL} ,x`)).toBe(true);
  });

  it.each([
    ["an older version", "tickwire.v0"],
    ["a prefix of the name", "tickwire.v"],
    ["nothing", ""],
  ])("refuses %s", (_name, header) => {
    expect(offersSubprotocol(header)).toBe(false);
  });

  it("names the expected subprotocol in the refusal text", () => {
    const refusal = refusals.protocolMismatch("tickwire.v0");
    expect(refusal.status).toBe("400 Bad Request");
    expect(refusal.reason).toContain(SUBPROTOCOL);
    expect(refusal.reason).toContain("tickwire.v0");
  });
});

describe("originAllowed", () => {
  it("allows any origin without an allow-list or with '*'", () => {
    expect(originAllowed("https://anything.example", undefined)).toBe(true);
    expect(originAllowed("https://anything.example", ["*"])).toBe(true);
  });

  it("allows only listed origins, exactly", () => {
    const list = ["https://game.example"];
    expect(originAllowed("https://game.example", list)).toBe(true);
    expect(originAllowed("https://game.example.evil", list)).toBe(false);
    expect(originAllowed("http://game.example", list)).toBe(false);
  });

  it("allows a request without Origin (edge: not a browser page)", () => {
    expect(originAllowed("", ["https://game.example"])).toBe(true);
  });
});

describe("IpCounter", () => {
  it("caps connections per address and frees slots on release", () => {
    const counter = new IpCounter(2);
    expect(counter.acquire("1.1.1.1")).toBe(true);
    expect(counter.acquire("1.1.1.1")).toBe(true);
    expect(counter.acquire("1.1.1.1")).toBe(false);
    expect(counter.acquire("2.2.2.2")).toBe(true);
    counter.release("1.1.1.1");
    expect(counter.acquire("1.1.1.1")).toBe(true);
    expect(counter.count("1.1.1.1")).toBe(2);
  });

  it("forgets an address once its last connection is released", () => {
    const counter = new IpCounter(1);
    counter.acquire("1.1.1.1");
    counter.release("1.1.1.1");
    counter.release("1.1.1.1"); // a stray release never goes negative
    expect(counter.count("1.1.1.1")).toBe(0);
    expect(counter.acquire("1.1.1.1")).toBe(true);
  });
});
