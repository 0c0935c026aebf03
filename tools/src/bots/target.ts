import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isLoopbackHost } from "../netsim/loopback.js";

/**
 * A target the swarm cannot load: `refused` when it is not this machine (without
 * allowRemote) or not a WebSocket/matchmaking URL; `unreachable` when matchmaking fails.
 */
export class TargetError extends Error {
  override name = "TargetError";

  constructor(
    message: string,
    readonly kind: "refused" | "unreachable" = "refused",
  ) {
    super(message);
  }
}

/** Every address a host name resolves to. */
export type Lookup = (hostname: string) => Promise<string[]>;

export const systemLookup: Lookup = async (hostname) => (await dnsLookup(hostname, { all: true })).map((entry) => entry.address);

/** A matchmaking endpoint that does not answer within this time is down. */
const MATCHMAKING_TIMEOUT_MS = 10_000;

export interface TargetOptions {
  allowRemote: boolean;
  lookup?: Lookup;
  fetch?: typeof fetch;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Refuses a URL whose host is not this machine: an IP literal must be loopback
 * (127.0.0.0/8, ::1); a name must resolve only to loopback addresses ("localhost" is
 * resolved too). A load generator must not reach another machine by accident.
 */
export async function assertLoopbackUrl(url: URL, options: TargetOptions): Promise<void> {
  if (options.allowRemote) return;
  const host = bareHost(url);
  const refuse = (detail: string): never => {
    throw new TargetError(`refusing ${url.host}: ${detail}; pass --allow-remote (allowRemote) to load another machine`);
  };
  if (isIP(host) !== 0) {
    if (!isLoopbackHost(host)) refuse("not a loopback address");
    return;
  }
  let addresses: string[];
  try {
    addresses = await (options.lookup ?? systemLookup)(host);
  } catch (error) {
    return refuse(`cannot resolve it (${(error as Error).message})`);
  }
  const remote = addresses.filter((address) => !isLoopbackHost(address));
  if (addresses.length === 0) refuse("it resolves to no address");
  if (remote.length > 0) refuse(`it resolves to ${remote.join(", ")}, not only to loopback`);
}

/**
 * The world WebSocket URL a bot connects to: `url` itself (ws:, wss:), or what an http(s)
 * matchmaking endpoint answers (`{ url }`, tickwire's `/matchmake`). Both the endpoint and
 * the URL it hands out must pass the loopback check.
 */
export async function resolveWorldUrl(url: string, options: TargetOptions): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`--url must be a ws://, wss://, http:// or https:// URL, got "${url}"`);
  }
  await assertLoopbackUrl(parsed, options);
  if (parsed.protocol === "ws:" || parsed.protocol === "wss:") return parsed.href;
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TargetError(`--url must be a ws://, wss://, http:// or https:// URL, got "${url}"`);
  }
  let answer: unknown;
  try {
    const response = await (options.fetch ?? fetch)(parsed, { signal: AbortSignal.timeout(MATCHMAKING_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    answer = await response.json();
  } catch (error) {
    throw new TargetError(`matchmaking at ${parsed.href} failed: ${(error as Error).message}`, "unreachable");
  }
  const world = (answer as { url?: unknown } | null)?.url;
  if (typeof world !== "string") throw new TargetError(`matchmaking at ${parsed.href} answered without a "url"`, "unreachable");
  let worldUrl: URL;
  try {
    worldUrl = new URL(world, parsed);
  } catch {
    throw new TargetError(`matchmaking at ${parsed.href} answered an invalid url "${world}"`);
  }
  if (worldUrl.protocol !== "ws:" && worldUrl.protocol !== "wss:") {
    throw new TargetError(`matchmaking at ${parsed.href} answered a non-WebSocket url "${world}"`);
  }
  await assertLoopbackUrl(worldUrl, options);
  return worldUrl.href;
}

/** True when the URL's host is an IPv4 loopback literal: bots can then spread over 127.1.0.0/16 source addresses. */
export function isIpv4Loopback(url: string): boolean {
  const host = bareHost(new URL(url));
  return isIP(host) === 4 && isLoopbackHost(host);
}

/** Source address for bot `index`: 127.1.x.y, BOTS_PER_SOURCE_ADDRESS bots each. */
export function sourceAddressFor(index: number, botsPerAddress: number): string {
  const slot = Math.floor(index / botsPerAddress);
  // 250 hosts per /24 (1–250), 256 /24s: 64,000 addresses, far beyond MAX_BOTS / botsPerAddress.
  return `127.1.${Math.floor(slot / 250) % 256}.${(slot % 250) + 1}`;
}
