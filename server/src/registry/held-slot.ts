/**
 * HeldSlot: a matchmaking reservation as the hosting process holds it, from the upgrade
 * that named it (`/ws?…&reservation=<id>`) to the Join that uses it (commit) or the close
 * that never joined (cancel). Settles once; the registry calls run off the tick and their
 * failures are logged and counted, never thrown: a reservation not settled expires on its own.
 */
import type { Logger } from "../log.js";
import type { Reservation, WorldRegistry } from "./registry.js";

/** Reservation ids are UUIDs; anything longer or with other characters is not one of ours. */
const RESERVATION_ID = /^[A-Za-z0-9-]{1,64}$/;

export type SlotOutcome = "committed" | "expired" | "cancelled" | "failed";

export class HeldSlot {
  private settled = false;

  constructor(
    readonly reservation: Reservation,
    private readonly registry: WorldRegistry,
    private readonly logger: Logger,
    private readonly count: (outcome: SlotOutcome) => void,
  ) {}

  /** The reservation a request names, or undefined when it names none; null when the id is malformed. */
  static parse(worldId: string, id: string): Reservation | undefined | null {
    if (id === "") return undefined;
    return RESERVATION_ID.test(id) ? { worldId, id } : null;
  }

  /** The player joined: the reserved slot becomes a counted player. */
  commit(): void {
    if (this.settled) return;
    this.settled = true;
    this.registry.commit(this.reservation).then(
      (committed) => this.count(committed ? "committed" : "expired"),
      (error: unknown) => this.fail(error, "commit"),
    );
  }

  /** The connection ended without a Join: the slot goes back at once instead of at its expiry. */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.registry.cancel(this.reservation).then(
      () => this.count("cancelled"),
      (error: unknown) => this.fail(error, "cancel"),
    );
  }

  private fail(error: unknown, step: string): void {
    this.count("failed");
    this.logger.warn({ err: error, world: this.reservation.worldId, step }, "reservation update failed; it expires on its own");
  }
}
