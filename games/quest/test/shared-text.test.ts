import { describe, expect, it } from "vitest";
import { checkName, MAX_CHAT_LENGTH, sanitizeChat } from "../src/shared/text.js";

describe("sanitizeChat", () => {
  it("trims and collapses whitespace", () => {
    expect(sanitizeChat("  hello \t\n  world  ")).toBe("hello world");
  });

  it("strips control characters and bidi overrides, isolates and marks", () => {
    expect(sanitizeChat("a\u0000b\u0007c\u001b[31md")).toBe("abc[31md");
    expect(sanitizeChat("evil\u202egnp.exe")).toBe("evilgnp.exe");
    expect(sanitizeChat("\u2066x\u2069\u200f\u200e\u061cy\u200bz\ufeff")).toBe("xyz");
  });

  it("keeps at most 60 characters, never splitting an emoji's surrogate pair", () => {
    expect(sanitizeChat("x".repeat(100))).toHaveLength(MAX_CHAT_LENGTH);
    const emoji = sanitizeChat("🙂".repeat(70));
    expect(Array.from(emoji)).toHaveLength(MAX_CHAT_LENGTH);
    expect(emoji.endsWith("🙂")).toBe(true);
  });

  it("leaves nothing of a line that is only invisible characters", () => {
    expect(sanitizeChat(" \u202e\u0000 ")).toBe("");
  });
});

describe("checkName", () => {
  it("accepts 1 to 15 visible characters, trimmed, with single inner spaces", () => {
    expect(checkName("  Ada  ")).toEqual({ ok: true, name: "Ada" });
    expect(checkName("Sir Lancelot")).toEqual({ ok: true, name: "Sir Lancelot" });
    expect(checkName("x".repeat(15)).ok).toBe(true);
  });

  it("refuses empty, too long, invisible or control characters, and odd spacing, with a reason", () => {
    for (const bad of ["", "   ", "x".repeat(16), "a\u202eb", "tab\tname", "two  spaces", "nul\u0000"]) {
      const check = checkName(bad);
      expect(check.ok, JSON.stringify(bad)).toBe(false);
      if (!check.ok) expect(check.reason.length).toBeGreaterThan(0);
    }
  });
});
