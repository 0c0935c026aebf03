/** PlayerPersistence without sockets: periodic saves spread over the ticks, a replaced session's save before the reload. */
import { CloseCode } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import { InMemoryPlayerStore, type PlayerRecord } from "../src/persistence/index.js";
import { type PersistenceHost, PlayerPersistence } from "../src/persistence/world-persistence.js";
import { capturedLogger } from "./helpers/logs.js";
import { ManualTimers } from "./helpers/timers.js";

interface FakePlayer {
  readonly id: number;
  readonly name: string;
  x: number;
}

/** A world with players and a tick length; records are the players' x. */
class FakeWorld implements PersistenceHost<FakePlayer> {
  readonly id = "main";
  readonly tickMs = 50;
  readonly sessions = new Set<FakePlayer>();
  readonly kicked: { player: FakePlayer; code: CloseCode; reason: string }[] = [];
  recorded: number[] = [];

  recordOf(player: FakePlayer): PlayerRecord {
    this.recorded.push(player.id);
    return { x: player.x };
  }

  kick(player: FakePlayer, reason: string, code: CloseCode): void {
    this.kicked.push({ player, code, reason });
    this.sessions.delete(player);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(saveIntervalMs: number) {
  const store = new InMemoryPlayerStore();
  const timers = new ManualTimers();
  const persistence = new PlayerPersistence({ store, logger: capturedLogger().logger, saveIntervalMs, timers });
  return { store, persistence, world: new FakeWorld() };
}

async function admitted(persistence: PlayerPersistence, world: FakeWorld, player: FakePlayer): Promise<void> {
  const key = `game:${player.name}`;
  const admission = await persistence.admit(world, key);
  if (!admission.ok) throw new Error(admission.reason);
  world.sessions.add(player);
  persistence.joined(world, player, key);
}

describe("PlayerPersistence", () => {
  it("saves each player once per interval, on a tick of its own (5 ticks per interval, 5 players)", async () => {
    const { persistence, world } = setup(250);
    for (let id = 1; id <= 5; id++) await admitted(persistence, world, { id, name: `p${id}`, x: id });
    for (let tick = 1; tick <= 10; tick++) {
      world.recorded = [];
      persistence.tick(world, tick);
      expect(world.recorded).toHaveLength(1);
    }
  });

  it("lets a second join of a player replace the first, loading what the first saved on its way out", async () => {
    const { store, persistence, world } = setup(30_000);
    const first: FakePlayer = { id: 1, name: "ann", x: 42 };
    await admitted(persistence, world, first);
    const second: FakePlayer = { id: 2, name: "ann", x: 0 };
    // The world's leave hook runs when the first session is kicked.
    const kick = world.kick.bind(world);
    world.kick = (player, reason, code) => {
      kick(player, reason, code);
      persistence.left(world, player);
    };
    const admission = await persistence.admit(world, "game:ann");
    expect(world.kicked).toEqual([{ player: first, code: CloseCode.SessionReplaced, reason: expect.any(String) }]);
    expect(admission).toEqual({ ok: true, record: { x: 42 } });
    persistence.joined(world, second, "game:ann");
    await settle();
    expect(persistence.leases.held.has("game:ann")).toBe(true);
    expect(await store.load("game:ann")).toEqual({ x: 42 });
  });
});
