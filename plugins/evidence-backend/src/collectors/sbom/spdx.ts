import { createHash } from 'node:crypto';
import path from 'node:path';
import { declaredLicense } from './licenses';
import type { InstalledManifest } from './installedPackages';
import { npmPurl, npmTarballUrl } from './purl';
import {
  compareStrings,
  dependencyDescriptor,
  splitDescriptor,
  type LockEntry,
  type YarnLock,
} from './yarnLock';

/** An SPDX 2.3 package, as the JSON serialisation writes it. */
export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  externalRefs?: Array<{
    referenceCategory: 'PACKAGE-MANAGER';
    referenceType: 'purl';
    referenceLocator: string;
  }>;
  primaryPackagePurpose?: string;
  comment?: string;
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'DEPENDS_ON' | 'CONTAINS';
  relatedSpdxElement: string;
}

/** An SPDX 2.3 JSON document. */
export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; comment?: string };
  comment?: string;
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
}

export interface BuildSpdxOptions {
  lock: YarnLock;
  /** The installed `package.json` of an entry, by its resolution. */
  manifests: ReadonlyMap<string, InstalledManifest | undefined>;
  created: Date;
  /** e.g. `Tool: ops-portal-evidence-sbom`. */
  creators: string[];
  /** The namespace's prefix; the document's name and a content hash follow. */
  namespacePrefix: string;
  /**
   * The npm registry the workspace installs from. Without it the download
   * location is NOASSERTION: the lockfile names no registry.
   */
  registry?: string;
  /**
   * The root `package.json`'s `resolutions`: Yarn keys an overridden
   * dependency by the overriding range, not by the range the package asks for.
   */
  resolutions?: Record<string, string>;
}

export interface SpdxBuildResult {
  document: SpdxDocument;
  /** Dependencies the lockfile lists that resolve to no entry of it. */
  unresolved: string[];
}

const CHECKSUM_NOTE =
  'Package checksums are left out: the checksum in yarn.lock (e.g. 10c0/<hex>) is ' +
  'the SHA-512 of the zip archive Yarn repacks the package into for its own cache, ' +
  'not of the npm tarball at the download location, so it cannot stand as a checksum ' +
  'of the package. Each package comment keeps that Yarn checksum for cross-checking ' +
  'against the lockfile and Yarn cache.';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function idPart(text: string): string {
  return (
    text
      .replace(/^@/, '')
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}

function spdxIdOf(entry: LockEntry): string {
  return `SPDXRef-Package-${idPart(entry.name)}-${idPart(
    entry.version,
  )}-${sha256(entry.resolution).slice(0, 8)}`;
}

/** The npm locator a patch resolution applies to, e.g. `resolve@npm:1.22.14`. */
function patchBase(entry: LockEntry): string | undefined {
  const hash = entry.reference.indexOf('#');
  const encoded = hash >= 0 ? entry.reference.slice(0, hash) : entry.reference;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** The workspace folder a `link:` entry points at, when it is one. */
function linkTarget(entry: LockEntry): string | undefined {
  const [target, params = ''] = entry.reference.split('::');
  const locator = new URLSearchParams(params).get('locator');
  if (!locator) return undefined;
  const { range } = splitDescriptor(locator);
  if (!range.startsWith('workspace:')) return undefined;
  const from = range.slice('workspace:'.length);
  return path.posix.normalize(path.posix.join(from, target));
}

/** A range as Yarn writes it in lockfile keys: a bare semver range is npm's. */
function normalizeRange(range: string): string {
  return /^[a-z]+:/i.test(range) ? range : `npm:${range}`;
}

/**
 * The descriptor Yarn locked a dependency under: after the root's
 * `resolutions` (`name` or `parent/name` patterns), and with the parent's
 * locator bound to a `link:`, `portal:` or `file:` range, as Yarn binds it.
 */
function lockedDescriptor(
  parent: LockEntry,
  name: string,
  range: string,
  resolutions: Record<string, string>,
): string {
  let effective = range;
  for (const [pattern, override] of Object.entries(resolutions)) {
    const target = pattern.replace(/^\*\*\//, '');
    if (target === name) {
      effective = override;
      continue;
    }
    if (target.endsWith(`/${name}`)) {
      const parentPattern = target.slice(0, -name.length - 1);
      if (splitDescriptor(parentPattern).name === parent.name) {
        effective = override;
      }
    }
  }
  effective = normalizeRange(effective);
  if (/^(link|portal|file):/.test(effective) && !effective.includes('::')) {
    effective = `${effective}::locator=${encodeURIComponent(
      parent.resolution,
    )}`;
  }
  return dependencyDescriptor(name, effective);
}

function isRegistryPackage(entry: LockEntry): boolean {
  if (entry.kind === 'npm') return true;
  if (entry.kind === 'patch')
    return patchBase(entry)?.includes('@npm:') ?? false;
  return false;
}

function toPackage(
  entry: LockEntry,
  manifest: InstalledManifest | undefined,
  registry: string | undefined,
): SpdxPackage {
  const fromRegistry = isRegistryPackage(entry);
  const versionInfo =
    entry.kind === 'workspace' && typeof manifest?.version === 'string'
      ? manifest.version
      : entry.version;
  const comments: string[] = [];
  if (entry.kind === 'patch') {
    comments.push(
      `Yarn patches this package on install (${entry.resolution}).`,
    );
  }
  if (entry.kind === 'workspace') {
    comments.push(
      entry.reference === '.'
        ? 'The workspace root.'
        : `Workspace package in ./${entry.reference}.`,
    );
  }
  if (entry.kind === 'link' || entry.kind === 'other') {
    comments.push(`Resolved by Yarn as ${entry.resolution}.`);
  }
  if (entry.checksum) {
    comments.push(`yarn.lock checksum ${entry.checksum}`);
  }
  return {
    SPDXID: spdxIdOf(entry),
    name: entry.name,
    versionInfo,
    downloadLocation:
      fromRegistry && registry
        ? npmTarballUrl(registry, entry.name, entry.version)
        : 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: manifest ? declaredLicense(manifest) : 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(fromRegistry
      ? {
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER' as const,
              referenceType: 'purl' as const,
              referenceLocator: npmPurl(entry.name, entry.version),
            },
          ],
        }
      : {}),
    ...(comments.length ? { comment: comments.join(' ') } : {}),
  };
}

function compareRelationships(a: SpdxRelationship, b: SpdxRelationship) {
  return compareStrings(
    `${a.spdxElementId} ${a.relationshipType} ${a.relatedSpdxElement}`,
    `${b.spdxElementId} ${b.relationshipType} ${b.relatedSpdxElement}`,
  );
}

/**
 * Builds an SPDX 2.3 document of a Yarn workspace from its lockfile: one
 * package per lockfile entry (a `link:` to a workspace is that workspace),
 * DEPENDS_ON from each entry's dependencies, the document DESCRIBES the root
 * workspace, which CONTAINS the other workspaces. The namespace is derived
 * from the content, so the same lockfile and installed licenses give the
 * same namespace.
 */
export function buildSpdxDocument(options: BuildSpdxOptions): SpdxBuildResult {
  const { lock, manifests } = options;
  const root = lock.entries.find(
    e => e.kind === 'workspace' && e.reference === '.',
  );
  if (!root) {
    throw new Error(
      'The lockfile has no root workspace (a "@workspace:." entry)',
    );
  }

  const workspacesByPath = new Map(
    lock.entries
      .filter(e => e.kind === 'workspace')
      .map(e => [path.posix.normalize(e.reference), e]),
  );
  // Which entry stands for which: a link to a workspace is the workspace.
  const standIn = new Map<LockEntry, LockEntry>();
  for (const entry of lock.entries) {
    if (entry.kind !== 'link') continue;
    const target = linkTarget(entry);
    const workspace = target ? workspacesByPath.get(target) : undefined;
    if (workspace) standIn.set(entry, workspace);
  }
  const idOf = (entry: LockEntry) => spdxIdOf(standIn.get(entry) ?? entry);

  const packages = lock.entries
    .filter(entry => !standIn.has(entry))
    .map(entry =>
      toPackage(entry, manifests.get(entry.resolution), options.registry),
    );
  const rootPackage = packages.find(p => p.SPDXID === spdxIdOf(root));
  if (rootPackage) rootPackage.primaryPackagePurpose = 'APPLICATION';

  const seen = new Set<string>();
  const relationships: SpdxRelationship[] = [];
  const add = (relationship: SpdxRelationship) => {
    const key = `${relationship.spdxElementId} ${relationship.relationshipType} ${relationship.relatedSpdxElement}`;
    if (
      seen.has(key) ||
      relationship.spdxElementId === relationship.relatedSpdxElement
    ) {
      return;
    }
    seen.add(key);
    relationships.push(relationship);
  };

  const unresolved: string[] = [];
  for (const entry of lock.entries) {
    if (standIn.has(entry)) continue;
    for (const [name, range] of Object.entries(entry.dependencies)) {
      const descriptor = lockedDescriptor(
        entry,
        name,
        range,
        options.resolutions ?? {},
      );
      const target = lock.resolve(descriptor);
      if (!target) {
        unresolved.push(`${entry.resolution} → ${descriptor}`);
        continue;
      }
      add({
        spdxElementId: idOf(entry),
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: idOf(target),
      });
    }
    if (entry.kind === 'workspace' && entry !== root) {
      add({
        spdxElementId: spdxIdOf(root),
        relationshipType: 'CONTAINS',
        relatedSpdxElement: spdxIdOf(entry),
      });
    }
  }
  relationships.sort(compareRelationships);
  relationships.unshift({
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: spdxIdOf(root),
  });

  const name = `${root.name} workspace`;
  const contentHash = sha256(JSON.stringify({ packages, relationships }));
  const document: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `${options.namespacePrefix.replace(/\/*$/, '/')}${idPart(
      root.name,
    )}-${contentHash}`,
    creationInfo: {
      created: options.created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: options.creators,
      comment: 'Built from yarn.lock and the installed package.json files.',
    },
    comment: CHECKSUM_NOTE,
    packages,
    relationships,
  };
  return { document, unresolved };
}
