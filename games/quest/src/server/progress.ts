/**
 * Where a returning player's progress is kept between visits. The server saves it when the
 * player leaves (and every half minute while they play) and reads it when they come back;
 * the client never sends progress, only its secret (see identity.ts).
 *
 * For now an in-memory store behind a small interface; the framework's `PlayerStore`
 * (LMDB by default, Redis later; loaded before onJoin, saved off the tick) replaces it.
 */
import type { Direction } from "../shared/movement.js";

export interface SavedProgress {
  /** The tile the player stood on (or was walking to) when they left. */
  tx: number;
  ty: number;
  dir: Direction;
  look: number;
  /** Part 2 (absent in older saves: a fresh player's values). 0 HP: dead, back at the checkpoint. */
  hp?: number;
  weapon?: number;
  armor?: number;
  /** Name of the last checkpoint reached. */
  checkpoint?: string;
  achievements?: string[];
  /** Kills by mob kind. */
  kills?: Record<string, number>;
}

export interface ProgressStore {
  load(key: string): SavedProgress | undefined;
  save(key: string, progress: SavedProgress): void;
}

/** Progress kept for this process's lifetime. */
export class InMemoryProgressStore implements ProgressStore {
  private readonly saved = new Map<string, SavedProgress>();

  load(key: string): SavedProgress | undefined {
    return this.saved.has(key) ? structuredClone(this.saved.get(key)) : undefined;
  }

  save(key: string, progress: SavedProgress): void {
    this.saved.set(key, structuredClone(progress));
  }
}
