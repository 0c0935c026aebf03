import { describe, expect, it } from "vitest";
import { ReliableBuffer } from "../src/reliable.js";

interface Msg {
  rid: number;
  text: string;
}
const msg = (text: string): Msg => ({ rid: 0, text });

describe("ReliableBuffer", () => {
  it("numbers messages with increasing rids starting at 1", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const a = msg("a");
    const b = msg("b");
    buffer.add(a);
    buffer.add(b);
    expect([a.rid, b.rid]).toEqual([1, 2]);
    expect(buffer.lastAssignedRid).toBe(2);
  });

  it("refuses (returns false, keeps nothing) when full instead of dropping an older message", () => {
    const buffer = new ReliableBuffer<Msg>(2);
    expect(buffer.add(msg("a"))).toBe(true);
    expect(buffer.add(msg("b"))).toBe(true);
    const c = msg("c");
    expect(buffer.add(c)).toBe(false);
    expect(c.rid).toBe(0);
    expect(buffer.size).toBe(2);
  });

  it("forgets messages once a pong confirms their rid", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const a = msg("a");
    const b = msg("b");
    buffer.add(a);
    buffer.markSent(a, 5);
    buffer.add(b);
    buffer.markSent(b, 6);
    expect(buffer.confirm(0, 4)).toEqual([]);
    expect(buffer.size).toBe(2);
    expect(buffer.confirm(1, 5)).toEqual([]);
    expect(buffer.size).toBe(1);
    expect(buffer.confirm(2, 6)).toEqual([]);
    expect(buffer.size).toBe(0);
  });

  it("a message sent before the ping but unconfirmed by its pong goes again, with everything after it, in order", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const [a, b, c] = ["a", "b", "c"].map(msg);
    for (const m of [a, b]) {
      buffer.add(m);
      buffer.markSent(m, 2);
    }
    buffer.add(c);
    buffer.markSent(c, 3);
    // The server processed only a: b was dropped, so c (after the gap) was too.
    expect(buffer.confirm(1, 2)).toEqual([b, c]);
    expect(buffer.size).toBe(2);
  });

  it("does not re-send a message that was never sent on the socket", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const a = msg("a");
    buffer.add(a);
    expect(buffer.confirm(0, 10)).toEqual([]);
    expect(buffer.size).toBe(1);
  });

  it("after a connection loss, a pong of the old socket re-sends nothing (the next Welcome decides)", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const a = msg("a");
    buffer.add(a);
    buffer.markSent(a, 3);
    buffer.connectionLost();
    expect(buffer.confirm(0, 3)).toEqual([]);
    expect(buffer.size).toBe(1);
  });

  it("on a resumed Welcome, drops rids the server has and returns the rest in order", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    const messages = ["a", "b", "c", "d"].map(msg);
    for (const m of messages) buffer.add(m);
    buffer.connectionLost();
    const resend = buffer.welcome(2, true);
    expect(resend.map((m) => m.text)).toEqual(["c", "d"]);
    expect(resend.map((m) => m.rid)).toEqual([3, 4]);
    const e = msg("e");
    buffer.add(e);
    expect(e.rid).toBe(5);
  });

  it("on a new session's Welcome, renumbers waiting messages after its lastReliableId", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    for (const m of ["a", "b", "c"].map(msg)) buffer.add(m);
    buffer.welcome(1, true);
    const resend = buffer.welcome(0, false);
    expect(resend.map((m) => [m.text, m.rid])).toEqual([
      ["b", 1],
      ["c", 2],
    ]);
    const d = msg("d");
    buffer.add(d);
    expect(d.rid).toBe(3);
  });

  it("keeps rids increasing when the server reports a lastReliableId above ours", () => {
    const buffer = new ReliableBuffer<Msg>(8);
    buffer.add(msg("a"));
    expect(buffer.welcome(9, true)).toEqual([]);
    const b = msg("b");
    buffer.add(b);
    expect(b.rid).toBe(10);
  });
});
