/*
 * A seeded source of choices for the evidence fault tests: the same seed
 * gives the same cases, so a failure is reproduced by its printed seed.
 * The generator is SplitMix32 (a 32-bit state advanced by a Weyl constant,
 * then mixed). No Jest in here.
 */

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class SeededRandom {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A 32-bit unsigned integer. */
  uint32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  one<T>(choices: readonly T[]): T {
    if (choices.length === 0) throw new Error('nothing to choose from');
    return choices[this.between(0, choices.length - 1)];
  }

  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet = ALPHANUMERIC): string {
    const chars = [...alphabet];
    let out = '';
    for (let i = 0; i < length; i++) out += this.one(chars);
    return out;
  }

  /** A short name that starts with `prefix`, for unknown keys and ids. */
  word(prefix: string): string {
    return `${prefix}${this.string(this.between(2, 8))}`;
  }

  /** A version-4 shaped UUID drawn from the seed (so the cases reproduce). */
  uuid(): string {
    const hex = this.string(32, '0123456789abcdef');
    const variant = this.one(['8', '9', 'a', 'b']);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
      13,
      16,
    )}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** FNV-1a of a label: one independent sequence per route from one seed. */
export function subSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (const char of label) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
