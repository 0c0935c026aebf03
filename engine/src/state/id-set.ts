import { ensureLength } from "../util/grow.js";

/**
 * A set of entity ids as a bitmap: add, delete and has are a word operation each (no
 * hashing), which matters where every client's view changes every tick; iteration goes
 * by increasing id. Ids are small (IdAllocator reuses them), so the words stay few.
 */
export class IdSet {
  private words: Uint32Array;
  private count = 0;

  constructor(ids: Iterable<number> = []) {
    this.words = new Uint32Array(4);
    for (const id of ids) this.add(id);
  }

  /** The bitmap itself (id's bit: `1 << (id & 31)` of word `id >>> 5`), for word-wise work; read only. */
  get bitmap(): Uint32Array {
    return this.words;
  }

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.words.length && (this.words[word] & (1 << (id & 31))) !== 0;
  }

  /** Adds `id`; false when it was already in. */
  add(id: number): boolean {
    const word = id >>> 5;
    if (word >= this.words.length) this.words = ensureLength(this.words, word + 1);
    const bit = 1 << (id & 31);
    if ((this.words[word] & bit) !== 0) return false;
    this.words[word] |= bit;
    this.count++;
    return true;
  }

  /** Removes `id`; false when it was not in. */
  delete(id: number): boolean {
    const word = id >>> 5;
    if (word >= this.words.length) return false;
    const bit = 1 << (id & 31);
    if ((this.words[word] & bit) === 0) return false;
    this.words[word] &= ~bit;
    this.count--;
    return true;
  }

  clear(): void {
    this.words.fill(0);
    this.count = 0;
  }

  /** Appends the ids to `out` in increasing order (hot paths: no iterator objects). */
  appendTo(out: number[]): void {
    const words = this.words;
    for (let word = 0; word < words.length; word++) {
      for (let bits = words[word]; bits !== 0; bits &= bits - 1) out.push(word * 32 + 31 - Math.clz32(bits & -bits));
    }
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const words = this.words;
    for (let word = 0; word < words.length; word++) {
      for (let bits = words[word]; bits !== 0; bits &= bits - 1) yield word * 32 + 31 - Math.clz32(bits & -bits);
    }
  }
}
