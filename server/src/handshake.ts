/**
 * Checks an upgrade request before any socket exists (issue "Must have" 2). Every refusal
 * is a plain HTTP status with a one-line text body a client can show; nothing here
 * touches uWS, so the rules are unit-testable.
 */
import { SUBPROTOCOL } from "@tickwire/engine/wire";
import { TokenBucket } from "./rate-limit.js";

/** The only WebSocket version (RFC 6455); anything else gets 426 naming it (§4.2.2). */
export const WEBSOCKET_VERSION = "13";
/**
 * Addresses whose refusals are remembered at once; past it the oldest is forgotten, so a
 * flood from many addresses costs bounded memory (each forgotten one starts a fresh burst).
 */
const MAX_TRACKED_ADDRESSES = 10_000;

/** What the auth hook sees of the upgrade request (uWS's request object dies at the first await). */
export interface UpgradeRequest {
  readonly ip: string;
  readonly origin: string;
  /** The world id from `?world=`. */
  readonly world: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Resolves a token (from `?token=`, "" when absent) to the player's identity, or refuses
 * with null/undefined/false. It may be async; a throw refuses with 500.
 */
export type AuthHook = (token: string, request: UpgradeRequest) => unknown | Promise<unknown>;

export interface Refusal {
  /** uWS status line, e.g. "400 Bad Request". */
  readonly status: string;
  /** Text body: what the player is shown. */
  readonly reason: string;
  /** Metrics label. */
  readonly label: string;
  /** Extra response headers. */
  readonly headers?: readonly (readonly [string, string])[];
}

export const refusals = {
  protocolMismatch: (offered: string): Refusal => ({
    status: "400 Bad Request",
    reason: `protocol mismatch: this server speaks ${SUBPROTOCOL}, the client offered ${offered === "" ? "none" : offered}; reload or update the client`,
    label: "protocol_mismatch",
  }),
  missingWorld: (): Refusal => ({ status: "400 Bad Request", reason: "missing ?world= parameter", label: "missing_world" }),
  unknownWorld: (world: string): Refusal => ({
    status: "404 Not Found",
    reason: `unknown world "${world.slice(0, 64)}"`,
    label: "unknown_world",
  }),
  malformedReservation: (): Refusal => ({
    status: "400 Bad Request",
    reason: "malformed ?reservation= parameter",
    label: "malformed_reservation",
  }),
  badOrigin: (): Refusal => ({ status: "403 Forbidden", reason: "origin not allowed", label: "origin" }),
  unauthorized: (): Refusal => ({ status: "401 Unauthorized", reason: "invalid or missing token", label: "auth" }),
  authError: (): Refusal => ({ status: "500 Internal Server Error", reason: "authentication error", label: "auth_error" }),
  tooManyFromIp: (): Refusal => ({
    status: "429 Too Many Requests",
    reason: "too many connections from this address",
    label: "per_ip_cap",
  }),
  addressShare: (): Refusal => ({
    status: "429 Too Many Requests",
    reason: "this address holds its share of the world",
    label: "address_share",
  }),
  refusalRate: (): Refusal => ({
    status: "429 Too Many Requests",
    reason: "too many refused attempts from this address; retry later",
    label: "refusal_rate",
  }),
  websocketVersion: (): Refusal => ({
    status: "426 Upgrade Required",
    reason: `unsupported WebSocket version: this server speaks ${WEBSOCKET_VERSION} (RFC 6455)`,
    label: "websocket_version",
    headers: [["Sec-WebSocket-Version", WEBSOCKET_VERSION]],
  }),
  unavailable: (reason: string): Refusal => ({
    status: "503 Service Unavailable",
    reason,
    label: reason.replace(/ /g, "_"),
  }),
} as const;

/** Whether the comma-separated Sec-WebSocket-Protocol header offers our subprotocol. */
export function offersSubprotocol(header: string): boolean {
  for (const offered of header.split(",")) {
    if (offered.trim() === SUBPROTOCOL) return true;
  }
  return false;
}

/**
 * Whether `origin` may connect: no allow-list or "*" allows all. A request without an
 * Origin header is allowed: browsers always send one, so it is not a cross-site page
 * (what the check defends against), and other clients could send any origin anyway.
 */
export function originAllowed(origin: string, allowList: readonly string[] | undefined): boolean {
  if (allowList === undefined || origin === "" || allowList.includes("*")) return true;
  return allowList.includes(origin);
}

/** The subprotocol a preflight's `?v=<version>` stands for ("" when absent), so both paths share one check. */
export function subprotocolOfVersion(version: string): string {
  return version === "" ? "" : `tickwire.v${version}`;
}

/** What the admission checks read of a request, from an upgrade or a preflight. */
export interface AdmissionRequest {
  readonly ip: string;
  readonly origin: string;
  readonly worldId: string;
  /** The offered Sec-WebSocket-Protocol header (a preflight maps `?v=` through `subprotocolOfVersion`). */
  readonly protocol: string;
}

/** What the checks need of a world. */
export interface AdmittingWorld {
  admissionRefusal(): string | undefined;
  addressRefusal(ip: string): Refusal | undefined;
}

/** The server state the checks consult; none of it is changed by them. */
export interface AdmissionGate<W extends AdmittingWorld> {
  readonly shuttingDown: boolean;
  readonly origins: readonly string[] | undefined;
  readonly worlds: ReadonlyMap<string, W>;
  readonly ipCounter: IpCounter;
  readonly refusalLimiter: RefusalLimiter;
  readonly now: number;
}

/**
 * The synchronous admission checks, in order, shared by the upgrade and the preflight. It
 * reserves nothing: the upgrade takes its slots in the same turn, so the answer still holds.
 */
export function checkAdmission<W extends AdmittingWorld>(
  request: AdmissionRequest,
  gate: AdmissionGate<W>,
): { readonly refusal: Refusal } | { readonly world: W } {
  if (gate.shuttingDown) return { refusal: refusals.unavailable("server shutting down") };
  if (gate.refusalLimiter.blocked(request.ip, gate.now)) return { refusal: refusals.refusalRate() };
  if (!offersSubprotocol(request.protocol)) return { refusal: refusals.protocolMismatch(request.protocol) };
  if (!originAllowed(request.origin, gate.origins)) return { refusal: refusals.badOrigin() };
  if (request.worldId === "") return { refusal: refusals.missingWorld() };
  const world = gate.worlds.get(request.worldId);
  if (world === undefined) return { refusal: refusals.unknownWorld(request.worldId) };
  const full = world.admissionRefusal();
  if (full !== undefined) return { refusal: refusals.unavailable(full) };
  if (!gate.ipCounter.hasRoom(request.ip)) return { refusal: refusals.tooManyFromIp() };
  const byAddress = world.addressRefusal(request.ip);
  if (byAddress !== undefined) return { refusal: byAddress };
  return { world };
}

export type AuthOutcome =
  | { readonly ok: true; readonly identity: unknown }
  | { readonly ok: false; readonly refusal: Refusal; readonly error?: unknown };

/** Runs the auth hook; a falsy identity refuses with 401, a throw with 500 (`error` set for the log). */
export async function authenticate(auth: AuthHook, token: string, request: UpgradeRequest): Promise<AuthOutcome> {
  try {
    const identity = await auth(token, request);
    if (identity === null || identity === undefined || identity === false) return { ok: false, refusal: refusals.unauthorized() };
    return { ok: true, identity };
  } catch (error) {
    return { ok: false, refusal: refusals.authError(), error };
  }
}

/** Numeric HTTP status of a refusal ("503 Service Unavailable" → 503). */
export function refusalStatusCode(refusal: Refusal): number {
  return Number.parseInt(refusal.status, 10);
}

/** Whether a client may retry a refusal: overload (429) and unavailability (5xx) pass, other 4xx never will. */
export function refusalRetryable(refusal: Refusal): boolean {
  const status = refusalStatusCode(refusal);
  return status === 429 || status >= 500;
}

/** The preflight's JSON answer to a refusal. */
export function preflightRefusal(refusal: Refusal): {
  ok: false;
  status: number;
  code: string;
  reason: string;
  retryable: boolean;
} {
  return {
    ok: false,
    status: refusalStatusCode(refusal),
    code: refusal.label,
    reason: refusal.reason,
    retryable: refusalRetryable(refusal),
  };
}

/**
 * Handshake refusals per address, as token buckets: past a burst, every upgrade from the
 * address is refused with 429 before any other check (or the auth hook) runs.
 */
export class RefusalLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxAddresses = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Records one refusal of `ip`. */
  record(ip: string, now: number): void {
    let bucket = this.buckets.get(ip);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxAddresses) this.sweep(now);
      if (this.buckets.size >= this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.burst, this.perSecond, now);
      this.buckets.set(ip, bucket);
    }
    bucket.take(now);
  }

  /** Whether `ip` has used up its refusals. */
  blocked(ip: string, now: number): boolean {
    const bucket = this.buckets.get(ip);
    return bucket !== undefined && !bucket.has(now);
  }

  /** Forgets addresses whose allowance has refilled. */
  sweep(now: number): void {
    for (const [ip, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(ip);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Counts open connections per remote address for the per-IP cap. */
export class IpCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `ip`; false when it is at the cap. */
  acquire(ip: string): boolean {
    const count = this.counts.get(ip) ?? 0;
    if (count >= this.max) return false;
    this.counts.set(ip, count + 1);
    return true;
  }

  /** Whether `ip` could take another slot, without taking it. */
  hasRoom(ip: string): boolean {
    return (this.counts.get(ip) ?? 0) < this.max;
  }

  release(ip: string): void {
    const count = this.counts.get(ip) ?? 0;
    if (count <= 1) this.counts.delete(ip);
    else this.counts.set(ip, count - 1);
  }

  count(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }
}
