import { describe, expect, it } from "vitest";
import {
  CloseCode,
  closeReason,
  ErrorCode,
  isErrorCode,
  MAX_CLOSE_REASON_BYTES,
  MsgType,
  retryable,
} from "../../src/protocol/index.js";
import { allCloseCodes } from "./helpers.js";

/** The specification: can a reconnect (same endpoint, same credentials) help after this close? */
const RETRYABLE: Record<CloseCode, boolean> = {
  [CloseCode.Normal]: false,
  [CloseCode.GoingAway]: true,
  [CloseCode.Abnormal]: true,
  [CloseCode.PolicyViolation]: false,
  [CloseCode.MessageTooBig]: false,
  [CloseCode.InternalError]: true,
  [CloseCode.ProtocolError]: false,
  [CloseCode.VersionMismatch]: false,
  [CloseCode.AuthFailed]: false,
  [CloseCode.Kicked]: false,
  [CloseCode.InvalidMessages]: false,
  [CloseCode.InputFlood]: true,
  [CloseCode.EventOverflow]: true,
  [CloseCode.StalledReader]: true,
  [CloseCode.SessionReplaced]: false,
  [CloseCode.ResumeFailed]: true,
  [CloseCode.WorldClosed]: false,
  [CloseCode.WorldFull]: true,
  [CloseCode.JoinTimeout]: true,
  [CloseCode.ClientReconnecting]: true,
  [CloseCode.JoinRefused]: false,
  [CloseCode.PlayerHeldElsewhere]: true,
  [CloseCode.StoreUnavailable]: true,
  [CloseCode.ServerRestarting]: true,
};

describe("close codes", () => {
  it.each(allCloseCodes.map((code) => [CloseCode[code], code, RETRYABLE[code]] as const))(
    "retryable(%s = %i) is %s",
    (_name, code, expected) => {
      expect(retryable(code)).toBe(expected);
    },
  );

  it("does not retry after a bad token, a version mismatch or a kick", () => {
    expect(retryable(CloseCode.AuthFailed)).toBe(false);
    expect(retryable(CloseCode.VersionMismatch)).toBe(false);
    expect(retryable(CloseCode.Kicked)).toBe(false);
  });

  it("retries after a close code it does not know, as after a dropped connection", () => {
    expect(retryable(1005)).toBe(true);
    expect(retryable(4999)).toBe(true);
  });

  it("gives every close code a distinct reason that fits in a close frame", () => {
    const reasons = allCloseCodes.map(closeReason);
    for (const reason of reasons) {
      expect(reason.length).toBeGreaterThan(0);
      expect(new TextEncoder().encode(reason).length).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    }
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it("names an unknown close code in its reason", () => {
    expect(closeReason(4321)).toContain("4321");
  });

  it("tells a player closed for event overflow that the player is kept for resume", () => {
    expect(closeReason(CloseCode.EventOverflow)).toContain("too slow to receive events");
    expect(closeReason(CloseCode.EventOverflow)).toContain("kept for resume");
  });

  it("keeps application close codes in the 4000–4999 range RFC 6455 reserves for them", () => {
    for (const code of allCloseCodes) {
      const standard = code >= 1000 && code <= 1015;
      const application = code >= 4000 && code <= 4999;
      expect(standard || application).toBe(true);
    }
  });
});

describe("message type ids", () => {
  it("are distinct one-byte msgpack fixints with separate client and server ranges", () => {
    const ids = Object.values(MsgType).filter((value): value is MsgType => typeof value === "number");
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id >= 0 && id <= 0x7f).toBe(true);
    const client = [MsgType.Join, MsgType.Resume, MsgType.Input, MsgType.Ping, MsgType.Chat, MsgType.Command];
    const server = [MsgType.Welcome, MsgType.Snapshot, MsgType.Pong, MsgType.Events, MsgType.Error];
    expect(Math.max(...client)).toBeLessThan(Math.min(...server));
  });
});

describe("error codes", () => {
  it("recognises every ErrorCode and nothing else", () => {
    const codes = Object.values(ErrorCode).filter((value): value is ErrorCode => typeof value === "number");
    for (const code of codes) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode(0)).toBe(false);
    expect(isErrorCode(Math.max(...codes) + 1)).toBe(false);
    expect(isErrorCode("1")).toBe(false);
    expect(isErrorCode("Malformed")).toBe(false);
  });
});
