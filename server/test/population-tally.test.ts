/** PopulationTally: the total every HUD shows, summed from each process's reports on the bus. */
import { describe, expect, it } from "vitest";
import { DEFAULT_POPULATION_STALE_MS, InProcessBus, InProcessHub, PopulationTally } from "../src/bus/index.js";

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("PopulationTally", () => {
  it("sums the latest report of each process; a process that stops reporting drops out after the stale time", async () => {
    let now = 0;
    const hub = new InProcessHub();
    const p1 = new InProcessBus({ hub });
    const p2 = new InProcessBus({ hub });
    const tally = new PopulationTally(p1, { clock: () => now });
    await p1.publish({ type: "population", process: "p1", players: 10 });
    await p2.publish({ type: "population", process: "p2", players: 5 });
    await p2.publish({ type: "population", process: "p2", players: 7 });
    await settle();
    expect(tally.total()).toBe(17);
    now = DEFAULT_POPULATION_STALE_MS / 2;
    await p1.publish({ type: "population", process: "p1", players: 11 });
    await settle();
    now = DEFAULT_POPULATION_STALE_MS + 1;
    expect(tally.total()).toBe(11);
    tally.close();
    await p2.publish({ type: "population", process: "p2", players: 100 });
    await settle();
    expect(tally.total()).toBe(11);
  });
});
