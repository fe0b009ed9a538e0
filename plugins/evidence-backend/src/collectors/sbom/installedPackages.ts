import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { LockEntry } from './yarnLock';

/** The fields of an installed package's `package.json` the SBOM reads. */
export interface InstalledManifest {
  name?: string;
  version?: string;
  license?: unknown;
  licenses?: unknown;
}

/** Finds the installed `package.json` of a lockfile entry. */
export interface InstalledPackages {
  manifestOf(entry: LockEntry): Promise<InstalledManifest | undefined>;
}

async function readJson(file: string): Promise<InstalledManifest | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `name@virtual:<hash>#npm:1.0.0` → `name@npm:1.0.0`. */
function withoutVirtual(locator: string): string {
  return locator.replace(/@virtual:[0-9a-f]+#/, '@');
}

/**
 * Reads Yarn's node-modules linker state (`node_modules/.yarn-state.yml`,
 * which maps each locator to the folders it was installed in); empty when
 * the file is missing or unreadable.
 */
async function readLinkerState(
  workspaceRoot: string,
): Promise<Map<string, string>> {
  const locations = new Map<string, string>();
  let text: string;
  try {
    text = await fs.readFile(
      path.join(workspaceRoot, 'node_modules', '.yarn-state.yml'),
      'utf8',
    );
  } catch {
    return locations;
  }
  let state: unknown;
  try {
    state = parse(text, { schema: 'failsafe', uniqueKeys: false });
  } catch {
    return locations;
  }
  if (!state || typeof state !== 'object') return locations;
  for (const [locator, value] of Object.entries(state as Record<string, any>)) {
    const first = Array.isArray(value?.locations)
      ? value.locations[0]
      : undefined;
    if (typeof first === 'string') {
      const key = withoutVirtual(locator);
      if (!locations.has(key)) locations.set(key, first);
    }
  }
  return locations;
}

/**
 * Finds installed packages of a workspace that Yarn installed with the
 * node-modules linker: a workspace package from its own folder, others from
 * the linker state, else from the hoisted `node_modules/<name>` when its
 * version is the one locked. A package not found has no manifest (its
 * license is then NOASSERTION).
 */
export async function createInstalledPackages(
  workspaceRoot: string,
): Promise<InstalledPackages> {
  const locations = await readLinkerState(workspaceRoot);
  return {
    async manifestOf(entry) {
      if (entry.kind === 'workspace') {
        return readJson(
          path.join(workspaceRoot, entry.reference, 'package.json'),
        );
      }
      const located = locations.get(entry.resolution);
      if (located) {
        const manifest = await readJson(
          path.join(workspaceRoot, located, 'package.json'),
        );
        if (manifest) return manifest;
      }
      const hoisted = await readJson(
        path.join(workspaceRoot, 'node_modules', entry.name, 'package.json'),
      );
      return hoisted?.version === entry.version ? hoisted : undefined;
    },
  };
}
