/**
 * Populations of the worlds this process hosts, so each world can tell its players how many
 * play in it and in all worlds together. Each world writes its own count every tick; all run
 * on the one event loop, so a plain map is consistent.
 */
export class Lobby {
  private readonly populations = new Map<string, number>();

  set(worldId: string, population: number): void {
    this.populations.set(worldId, population);
  }

  total(): number {
    let sum = 0;
    for (const population of this.populations.values()) sum += population;
    return sum;
  }
}
