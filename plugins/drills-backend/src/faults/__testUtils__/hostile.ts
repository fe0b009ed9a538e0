/*
 * Seeded hostile values for the drills fuzz tests: the same seed gives the
 * same cases, so a failure is reproduced from the seed the test prints.
 * Each generator returns only values its kind of field must refuse, so a
 * request built from one is wrong in a known place.
 */

/** Mulberry32: a 32-bit state, small and good enough to pick test cases. */
export class Seeded {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)];
  }

  word(prefix = ''): string {
    let out = prefix;
    for (let i = this.int(2, 8); i > 0; i--) {
      out += 'abcdefghijklmnopqrstuvwxyz0123456789'[this.int(0, 35)];
    }
    return out;
  }
}

/** Keys that reach for an object's prototype, or look like the server's own fields. */
export const POLLUTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];
export const SERVER_KEYS = [
  'id',
  'lead',
  'state',
  'version',
  'createdBy',
  'by',
];

/** An object nested `depth` deep. */
export function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Values of the wrong JSON type for a string field. */
export function notAString(r: Seeded): unknown {
  return r.pick<() => unknown>([
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1e308,
    () => [],
    () => ['x'],
    () => ({}),
    () => JSON.parse('{"__proto__":{"admin":true}}'),
    () => nested(r.int(2, 200)),
  ])();
}

/** Never a boolean. */
export function notABoolean(r: Seeded): unknown {
  return r.pick<unknown>(['true', 'false', 1, 0, null, [], {}, [true], '']);
}

/** Never a whole number of at least 0. */
export function notAVersion(r: Seeded): unknown {
  return r.pick<unknown>([
    -1,
    -2147483649,
    0.5,
    1.000001,
    '0',
    '1',
    null,
    true,
    [],
    [0],
    {},
    { valueOf: 1 },
  ]);
}

/** Strings a `[A-Za-z0-9][A-Za-z0-9._:-]*` id (at most 255) refuses, and other types. */
export function notAnId(r: Seeded): unknown {
  return r.pick<() => unknown>([
    () => '',
    () => ' ',
    () => '-x',
    () => '.hidden',
    () => '__proto__',
    () => '../etc/passwd',
    () => 'a/b',
    () => 'a b',
    () => 'ünicode',
    () => '🙂',
    () => 'a\u0000b',
    () => 'a\u202eb',
    () => 'x\u200b',
    () => "' or 1=1 --",
    () => '<script>alert(1)</script>',
    () => 'a'.repeat(256),
    () => 'b'.repeat(r.int(300, 70_000)),
    () => notAString(r),
  ])();
}

/** Never an entity ref (`kind:namespace/name` or `kind:name`, at most 255). */
export function notAnEntityRef(r: Seeded): unknown {
  return r.pick<() => unknown>([
    () => '',
    () => 'dave',
    () => 'user:',
    () => ':dave',
    () => 'user:default/',
    () => 'user:a/b/c',
    () => 'user:default/da ve',
    () => 'user:default/dave\n',
    () => '-user:dave',
    () => `user:default/${'x'.repeat(260)}`,
    () => notAString(r),
  ])();
}

export function notAMonth(r: Seeded): unknown {
  return r.pick<() => unknown>([
    () => '2026-13',
    () => '2026-00',
    () => '2026-1',
    () => '26-01',
    () => '2026-01-01',
    () => '２０２６-01',
    () => '2026-01 ',
    () => '',
    () => 202601,
    () => notAString(r),
  ])();
}

export function notADate(r: Seeded): unknown {
  return r.pick<() => unknown>([
    () => '2027-02-30',
    () => '2027-13-01',
    () => '2027-1-1',
    () => '2027/01/31',
    () => 'tomorrow',
    () => '2027-01-31T00:00:00Z',
    () => '',
    () => 1798675200000,
    () => notAString(r),
  ])();
}

/** Never a trimmed text of 1 to `max` characters. */
export function notAText(r: Seeded, max: number): unknown {
  return r.pick<() => unknown>([
    () => '',
    () => ' \t\n ',
    () => 'x'.repeat(max + 1),
    () => '🙂'.repeat(max + 1),
    () => 'y'.repeat(max + r.int(2, 50_000)),
    () => notAString(r),
  ])();
}

/** Never a value of `values`. */
export function notOneOf(r: Seeded, values: readonly string[]): unknown {
  return r.pick<() => unknown>([
    () => '',
    () => r.word('zz'),
    () => r.pick(values).toUpperCase(),
    () => ` ${r.pick(values)}`,
    () => `${r.pick(values)}\u0000`,
    () => [r.pick(values)],
    () => notAString(r),
  ])();
}

/**
 * A query value that is not a string: what qs makes of `k=a&k=b` and
 * `k[x]=1`. (Not `k[]=1`: z.coerce.number() takes `['1']` for 1.)
 */
export function repeatedOrBracketed(
  r: Seeded,
  key: string,
  good: string,
): string {
  const enc = encodeURIComponent;
  return r.pick([
    `${enc(key)}=${enc(good)}&${enc(key)}=${enc(good)}`,
    `${enc(key)}[${enc(r.word())}]=${enc(good)}`,
  ]);
}

/** Hostile path segments: each is refused (400) or names nothing (404). */
export function hostileSegment(r: Seeded): string {
  return r.pick<() => string>([
    () => encodeURIComponent('..'),
    () => '%2e%2e',
    () => encodeURIComponent('../../etc/passwd'),
    () => '%00',
    () => encodeURIComponent('a\u0000b'),
    () => encodeURIComponent('🙂'.repeat(r.int(1, 40))),
    () => encodeURIComponent("' or 1=1 --"),
    () => encodeURIComponent('__proto__'),
    () => 'constructor',
    () => 'x'.repeat(r.int(256, 4_000)),
    () => '%ZZ',
    () => '%E0%A4%A',
    () => encodeURIComponent(' '),
    () => r.word('no-such-'),
  ])();
}
