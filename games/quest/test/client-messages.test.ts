import { describe, expect, it } from "vitest";
import { announcement, chatLine, GLOBAL_CHAT_MARK, movingNotice, speakerLabel, welcomeNotice } from "../src/client/messages.js";
import { describeError } from "../src/client/session.js";

describe("what the HUD writes for chat, announcements and moves", () => {
  it("marks a global chat line, naming the speaker's world when it is another, with no speaker entity for a bubble", () => {
    // As the Quest server sends them: `from` 0, the speaker's world.
    const here = chatLine({ from: 0, name: "ada", text: "hi all", global: true, world: "quest-1" })!;
    const elsewhere = chatLine({ from: 0, name: "bob", text: "hello", global: true, world: "quest-2" })!;
    expect(here).toMatchObject({ global: true, from: -1 });
    expect(speakerLabel(here, "quest-1")).toBe(`${GLOBAL_CHAT_MARK} ada`);
    expect(speakerLabel(elsewhere, "quest-1")).toBe(`${GLOBAL_CHAT_MARK} bob @quest-2`);
  });

  it("leaves a local chat line unmarked, and ignores a chat event without a name or text", () => {
    const local = chatLine({ from: 7, name: "ada", text: "hi" })!;
    expect(local).toEqual({ from: 7, name: "ada", text: "hi", global: false, world: null });
    expect(speakerLabel(local, "quest-1")).toBe("ada");
    expect(chatLine({ from: 7, text: "hi" })).toBeNull();
  });

  it("shows an announcement's text, and nothing for an empty one", () => {
    expect(announcement({ text: "Restart at 18:00" })).toBe("Restart at 18:00");
    expect(announcement({ text: "" })).toBeNull();
    expect(announcement({})).toBeNull();
  });

  it("tells the player the server is restarting and they are being moved, or that it was lost", () => {
    expect(movingNotice("server-restarting")).toMatch(/restarting.*moving you/i);
    // A lost server may be the player's own link: no promise of a move.
    expect(movingNotice("server-lost")).toMatch(/connection lost/i);
    expect(movingNotice("join")).toBeNull();
  });

  it("says 'Moved to' only when the world changed: a blip that found the same world is a reconnect", () => {
    expect(welcomeNotice("quest-w0-1", "quest-w1-1", false, true)).toBe("Moved to quest-w1-1");
    expect(welcomeNotice("quest-1", "quest-1", true, true)).toBe("Reconnected");
    expect(welcomeNotice("quest-1", "quest-1", true, false)).toBe("Reconnected");
    expect(welcomeNotice(null, "quest-1", false, false)).toBeNull();
  });
});

describe("what the title says when the matchmaker cannot place the player", () => {
  it("says every world is full only for 'no world available', and names an unreachable server", () => {
    const failure = (status: number, message: string) => ({ kind: "matchmaking" as const, status, message, retrying: false });
    expect(describeError(failure(503, "no world available"))).toMatch(/every world is full/i);
    expect(describeError(failure(503, "registry unavailable"))).toMatch(/restarting or busy/i);
    expect(describeError(failure(0, "matchmaker unreachable: fetch failed"))).toMatch(/cannot be reached/i);
  });
});
