import { BlockList, isIP } from "node:net";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * True for "localhost", 127.0.0.0/8, ::1 and IPv4-mapped 127.x addresses. Other names
 * are refused without a DNS lookup: a tool that floods a target must not reach
 * another machine by accident.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  const family = isIP(bare);
  if (family === 0) return false;
  return loopback.check(bare, family === 6 ? "ipv6" : "ipv4");
}
