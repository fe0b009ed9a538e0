/*
 * A small deterministic generator for the fault tests: a seeded PRNG
 * (mulberry32) and the few choices the fuzzers need. No Jest in here.
 */

/** Random choices from one seed: the same seed gives the same sequence. */
export class Gen {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.#state ^ (this.#state >>> 15), 1 | this.#state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A string of `length` characters from `alphabet`. */
  chars(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) {
      out += alphabet[this.int(0, alphabet.length - 1)];
    }
    return out;
  }

  /** A short lower-case identifier that starts with `prefix`. */
  key(prefix = 'x'): string {
    return `${prefix}${this.chars(
      this.int(1, 8),
      'abcdefghijklmnopqrstuvwxyz0123456789',
    )}`;
  }

  /** Arbitrary text: ASCII, controls, astral and lone surrogate characters. */
  text(maxLength: number): string {
    const pools = [
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
      ' \t\n\r!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      '\u0000\u0001\u001b\u007f\u202e\ufeff\uffff',
      'éßøЖ日本語🙂\ud800',
    ];
    let out = '';
    const length = this.int(0, maxLength);
    for (let i = 0; i < length; i++) out += this.chars(1, this.pick(pools));
    return out;
  }
}

/** A seed from a label, so each route and database has its own sequence. */
export function seedOf(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
