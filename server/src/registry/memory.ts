import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import {
  assertCapacity,
  DEFAULT_RESERVATION_TTL_MS, type Reservation, type ReserveResult, type WorldListing, type WorldRegistry } from "./registry.js";

/** Listings without a heartbeat for this long belong to a dead process: 5 missed beats. */
export const DEFAULT_LISTING_TTL_MS = 5_000;

export interface InMemoryRegistryOptions {
  ttlMs?: number;
  reservationTtlMs?: number;
  clock?: Clock;
  /** Reservation ids; default random UUIDs. */
  newId?: () => string;
}

/** The single-process registry: a Map, with the same expiry and admission rules a shared one has. */
export class InMemoryRegistry implements WorldRegistry {
  private readonly listings = new Map<string, WorldListing>();
  /** Per world: reservation id → expiry (clock ms). */
  private readonly reservations = new Map<string, Map<string, number>>();
  private readonly ttlMs: number;
  private readonly reservationTtlMs: number;
  private readonly clock: Clock;
  private readonly newId: () => string;

  constructor(options: InMemoryRegistryOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LISTING_TTL_MS;
    this.reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomUUID;
  }

  async upsert(listing: WorldListing): Promise<void> {
    this.listings.set(listing.id, listing);
  }

  async remove(id: string): Promise<void> {
    this.listings.delete(id);
    this.reservations.delete(id);
  }

  async list(game?: string): Promise<WorldListing[]> {
    const live: WorldListing[] = [];
    for (const id of [...this.listings.keys()]) {
      const listing = this.live(id);
      if (listing !== undefined && (game === undefined || listing.game === game)) live.push(listing);
    }
    return live;
  }

  async reserve(worldId: string, capacity: number): Promise<ReserveResult> {
    assertCapacity(capacity);
    const listing = this.live(worldId);
    if (listing === undefined) return { ok: false, reason: "unlisted" };
    const held = this.liveReservations(worldId) ?? new Map<string, number>();
    this.reservations.set(worldId, held);
    if (listing.population + held.size >= capacity) return { ok: false, reason: "full" };
    const id = this.newId();
    held.set(id, this.clock() + this.reservationTtlMs);
    return { ok: true, reservation: { worldId, id } };
  }

  async commit(reservation: Reservation): Promise<boolean> {
    if (this.liveReservations(reservation.worldId)?.delete(reservation.id) !== true) return false;
    const listing = this.listings.get(reservation.worldId);
    if (listing !== undefined) this.listings.set(listing.id, { ...listing, population: listing.population + 1 });
    return true;
  }

  async cancel(reservation: Reservation): Promise<boolean> {
    return this.liveReservations(reservation.worldId)?.delete(reservation.id) === true;
  }

  async close(): Promise<void> {}

  private live(id: string): WorldListing | undefined {
    const listing = this.listings.get(id);
    if (listing === undefined) return undefined;
    if (listing.updatedAt >= this.clock() - this.ttlMs) return listing;
    this.listings.delete(id);
    this.reservations.delete(id);
    return undefined;
  }

  /** The world's unexpired reservations (pruned now), if it has any record of them. */
  private liveReservations(worldId: string): Map<string, number> | undefined {
    const held = this.reservations.get(worldId);
    if (held === undefined) return undefined;
    const now = this.clock();
    for (const [id, expiresAt] of held) if (expiresAt <= now) held.delete(id);
    return held;
  }
}
