import { describe, expect, it } from "vitest";
import {
  decodeClientMessage,
  encodeClientMessage,
  MAX_CHAT_LENGTH,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_COMMAND_ARG_LENGTH,
  MAX_COMMAND_ARGS,
  MAX_COMMAND_NAME_LENGTH,
  MAX_UINT32,
  MsgType,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "../../src/protocol/index.js";

describe("protocol constants", () => {
  it("derives the subprotocol string from the protocol version", () => {
    expect(SUBPROTOCOL).toBe(`tickwire.v${PROTOCOL_VERSION}`);
    expect(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });

  it("has room in MAX_CLIENT_MESSAGE_BYTES for the largest valid command with ASCII arguments", () => {
    const bytes = encodeClientMessage({
      type: MsgType.Command,
      rid: MAX_UINT32,
      name: "c".repeat(MAX_COMMAND_NAME_LENGTH),
      args: Array.from({ length: MAX_COMMAND_ARGS }, () => "a".repeat(MAX_COMMAND_ARG_LENGTH)),
    });
    expect(bytes.length).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
    expect(decodeClientMessage(bytes).ok).toBe(true);
  });

  it("has room in MAX_CLIENT_MESSAGE_BYTES for the longest chat line of 4-byte characters", () => {
    const text = "😀".repeat(MAX_CHAT_LENGTH / 2);
    const bytes = encodeClientMessage({ type: MsgType.Chat, rid: MAX_UINT32, text });
    expect(bytes.length).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
    expect(decodeClientMessage(bytes)).toEqual({ ok: true, value: { type: MsgType.Chat, rid: MAX_UINT32, text } });
  });
});
