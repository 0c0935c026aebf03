/** Leases held in this process's memory: the single-process stores' side of the PlayerStore lease rules. */
import type { Clock } from "../clock.js";

interface Lease {
  readonly holder: string;
  readonly expiresAt: number;
}

export class LeaseTable {
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly clock: Clock) {}

  acquire(key: string, holder: string, ttlMs: number): boolean {
    const current = this.live(key);
    if (current !== undefined && current.holder !== holder) return false;
    this.leases.set(key, { holder, expiresAt: this.clock() + ttlMs });
    return true;
  }

  renew(key: string, holder: string, ttlMs: number): boolean {
    if (!this.holds(key, holder)) return false;
    this.leases.set(key, { holder, expiresAt: this.clock() + ttlMs });
    return true;
  }

  release(key: string, holder: string): boolean {
    if (!this.holds(key, holder)) return false;
    this.leases.delete(key);
    return true;
  }

  holds(key: string, holder: string): boolean {
    return this.live(key)?.holder === holder;
  }

  private live(key: string): Lease | undefined {
    const lease = this.leases.get(key);
    if (lease === undefined) return undefined;
    if (lease.expiresAt > this.clock()) return lease;
    this.leases.delete(key);
    return undefined;
  }
}
