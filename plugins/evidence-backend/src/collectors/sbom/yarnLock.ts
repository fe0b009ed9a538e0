import { parse } from 'yaml';

/** How Yarn resolved a package: the protocol of its resolution. */
export type LockEntryKind = 'npm' | 'workspace' | 'patch' | 'link' | 'other';

/** One resolved package of a Yarn 4 (berry) lockfile. */
export interface LockEntry {
  /** The descriptors (`name@range`) that resolve to this package. */
  descriptors: string[];
  /** The package's real name (an alias such as `foo@npm:bar@^1` gives `bar`). */
  name: string;
  version: string;
  /** Yarn's locator, e.g. `lodash@npm:4.17.21`; unique per entry. */
  resolution: string;
  kind: LockEntryKind;
  /**
   * The part of the resolution after the protocol: the npm version, the
   * workspace's folder, the link's target…
   */
  reference: string;
  /** Yarn's cache checksum (`<cacheKey>/<hex>`), when the lockfile has one. */
  checksum?: string;
  /** Dependency name → descriptor range, as the lockfile lists them. */
  dependencies: Record<string, string>;
  linkType?: string;
  languageName?: string;
}

/** A parsed lockfile: its entries and a way to follow a dependency. */
export interface YarnLock {
  /** Every entry, ordered by resolution. */
  entries: LockEntry[];
  /** The cache key from `__metadata`, e.g. `10c0`. */
  cacheKey?: string;
  /** The entry a descriptor (`name@range`) resolves to. */
  resolve(descriptor: string): LockEntry | undefined;
}

/** Orders by UTF-16 code units, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Splits `@scope/name@range` into its name and range. */
export function splitDescriptor(descriptor: string): {
  name: string;
  range: string;
} {
  const at = descriptor.indexOf('@', descriptor.startsWith('@') ? 1 : 0);
  if (at <= 0) {
    return { name: descriptor, range: '' };
  }
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

function kindOf(range: string): { kind: LockEntryKind; reference: string } {
  const colon = range.indexOf(':');
  const protocol = colon >= 0 ? range.slice(0, colon) : '';
  const reference = colon >= 0 ? range.slice(colon + 1) : range;
  switch (protocol) {
    case 'npm':
    case 'workspace':
    case 'patch':
    case 'link':
      return { kind: protocol, reference };
    default:
      return { kind: 'other', reference };
  }
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Parses a Yarn 2+ lockfile (it is YAML). Throws when the text is not a
 * berry lockfile (a Yarn 1 lockfile is not YAML and has no `__metadata`).
 */
export function parseYarnLock(text: string): YarnLock {
  // Every scalar as a string (a version such as 1.10 must not become a
  // number), and no duplicate-key check: Yarn writes each key once, and the
  // check is quadratic in a map of thousands of keys.
  const document: unknown = parse(text, {
    schema: 'failsafe',
    uniqueKeys: false,
  });
  if (
    !document ||
    typeof document !== 'object' ||
    !('__metadata' in document)
  ) {
    throw new Error(
      'Not a Yarn 2+ lockfile: it has no __metadata (Yarn 1 lockfiles are not supported)',
    );
  }
  const byDescriptor = new Map<string, LockEntry>();
  const entries: LockEntry[] = [];
  let cacheKey: string | undefined;

  for (const [key, raw] of Object.entries(document as Record<string, any>)) {
    if (key === '__metadata') {
      cacheKey = asString(raw?.cacheKey);
      continue;
    }
    if (!raw || typeof raw !== 'object') continue;
    const resolution = asString(raw.resolution);
    const version = asString(raw.version);
    if (!resolution || version === undefined) {
      throw new Error(`Lockfile entry "${key}" has no resolution or version`);
    }
    const { name, range } = splitDescriptor(resolution);
    const dependencies: Record<string, string> = {};
    if (raw.dependencies && typeof raw.dependencies === 'object') {
      for (const [dep, depRange] of Object.entries(raw.dependencies)) {
        const depText = asString(depRange);
        if (depText !== undefined) dependencies[dep] = depText;
      }
    }
    const entry: LockEntry = {
      descriptors: key.split(',').map(d => d.trim()),
      name,
      version,
      resolution,
      ...kindOf(range),
      checksum: asString(raw.checksum),
      dependencies,
      linkType: asString(raw.linkType),
      languageName: asString(raw.languageName),
    };
    entries.push(entry);
    for (const descriptor of entry.descriptors) {
      byDescriptor.set(descriptor, entry);
    }
  }

  entries.sort((a, b) => compareStrings(a.resolution, b.resolution));
  return {
    entries,
    cacheKey,
    resolve: descriptor => byDescriptor.get(descriptor),
  };
}

/** The descriptor a dependency line (`name: range`) stands for. */
export function dependencyDescriptor(name: string, range: string): string {
  return `${name}@${range}`;
}
