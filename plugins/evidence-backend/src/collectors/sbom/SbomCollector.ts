import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type {
  EvidenceCollector,
  CollectorContext,
  CollectedEvidence,
} from '@internal/plugin-evidence-node';
import {
  createInstalledPackages,
  type InstalledManifest,
} from './installedPackages';
import { buildSpdxDocument } from './spdx';
import { parseYarnLock } from './yarnLock';

export interface SbomCollectorOptions {
  /** The folder holding the workspace's `package.json` and `yarn.lock`. */
  workspaceRoot: string;
  /**
   * The npm registry packages are downloaded from, for download locations.
   * Defaults to `npmRegistryServer` in the workspace's `.yarnrc.yml`; when
   * neither names one, download locations are NOASSERTION.
   */
  registry?: string;
  /** Prefix of the document namespace; default `https://ops.portal/spdxdocs/`. */
  namespacePrefix?: string;
}

const READ_BATCH = 64;
const CREATOR = 'Tool: ops-portal-evidence-sbom-collector';

async function rootResolutions(
  workspaceRoot: string,
): Promise<Record<string, string>> {
  try {
    const manifest = JSON.parse(
      await fs.readFile(path.join(workspaceRoot, 'package.json'), 'utf8'),
    );
    const resolutions = manifest?.resolutions;
    if (!resolutions || typeof resolutions !== 'object') return {};
    return Object.fromEntries(
      Object.entries(resolutions).filter(
        (pair): pair is [string, string] => typeof pair[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
}

async function configuredRegistry(
  workspaceRoot: string,
): Promise<string | undefined> {
  try {
    const rc = parse(
      await fs.readFile(path.join(workspaceRoot, '.yarnrc.yml'), 'utf8'),
    );
    const server = rc?.npmRegistryServer;
    return typeof server === 'string' && server ? server : undefined;
  } catch {
    return undefined;
  }
}

function throwIfAborted(signal: AbortSignal) {
  if (signal.aborted) {
    throw signal.reason ?? new Error('aborted');
  }
}

/**
 * The SBOM collector: an SPDX 2.3 JSON document of the workspace from its
 * `yarn.lock`, with declared licenses read from the installed packages.
 */
export function createSbomCollector(
  options: SbomCollectorOptions,
): EvidenceCollector {
  const { workspaceRoot } = options;
  return {
    id: 'sbom',
    title: 'Software bill of materials',
    description:
      'An SPDX 2.3 JSON document of the workspace from yarn.lock: packages, versions, purls, declared licenses and dependencies.',
    points: ['CC6.8', 'CC7.1'],
    cadence: 'weekly',
    async collect(ctx: CollectorContext): Promise<CollectedEvidence[]> {
      const lockPath = path.join(workspaceRoot, 'yarn.lock');
      const lock = parseYarnLock(await fs.readFile(lockPath, 'utf8'));
      ctx.log(`Read ${lock.entries.length} lockfile entries from yarn.lock`);

      const installed = await createInstalledPackages(workspaceRoot);
      const manifests = new Map<string, InstalledManifest | undefined>();
      for (let i = 0; i < lock.entries.length; i += READ_BATCH) {
        throwIfAborted(ctx.signal);
        const batch = lock.entries.slice(i, i + READ_BATCH);
        const read = await Promise.all(batch.map(e => installed.manifestOf(e)));
        batch.forEach((entry, j) => manifests.set(entry.resolution, read[j]));
      }
      const found = [...manifests.values()].filter(Boolean).length;
      ctx.log(
        `Found the installed package.json of ${found} of ${lock.entries.length} packages`,
      );

      const registry =
        options.registry ?? (await configuredRegistry(workspaceRoot));
      if (!registry) {
        ctx.log(
          'No npm registry configured: download locations are NOASSERTION',
        );
      }
      const { document, unresolved } = buildSpdxDocument({
        lock,
        manifests,
        created: ctx.now,
        creators: [CREATOR],
        namespacePrefix:
          options.namespacePrefix ?? 'https://ops.portal/spdxdocs/',
        registry,
        resolutions: await rootResolutions(workspaceRoot),
      });
      for (const line of unresolved.slice(0, 20)) {
        ctx.log(`Unresolved dependency: ${line}`);
      }
      if (unresolved.length > 20) {
        ctx.log(`… and ${unresolved.length - 20} more unresolved dependencies`);
      }

      const withLicense = document.packages.filter(
        p => p.licenseDeclared !== 'NOASSERTION',
      ).length;
      ctx.log(
        `SPDX document: ${document.packages.length} packages, ${withLicense} with a declared license, ${document.relationships.length} relationships`,
      );
      return [
        {
          type: 'sbom',
          title: `SBOM of ${document.name} (SPDX 2.3)`,
          period: { start: ctx.now, end: ctx.now },
          fileName: 'sbom.spdx.json',
          mediaType: 'application/spdx+json',
          content: `${JSON.stringify(document, null, 2)}\n`,
          summary: {
            packages: document.packages.length,
            withLicense,
            relationships: document.relationships.length,
          },
        },
      ];
    },
  };
}
