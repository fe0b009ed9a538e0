import type { Region } from '@internal/plugin-privacy-common';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { createHash } from 'node:crypto';

/**
 * The export archive handed to a data subject: one JSON file per data source
 * and a `manifest.json` listing every file with its SHA-256 and size, so the
 * subject or an auditor can check that nothing was altered.
 */

export const MANIFEST_FILE = 'manifest.json';

/** The records exported from one data source, by table or collection. */
export interface ExportFile {
  /** Entity ref of the catalog Resource, e.g. `resource:default/checkout-db`. */
  source: string;
  records: Record<string, unknown[]>;
}

export interface ExportMeta {
  requestId: string;
  subjectId: string;
  region: Region;
  /** ISO timestamp; also used as the zip entries' modification time. */
  createdAt: string;
}

export interface ManifestEntry {
  /** File name inside the archive. */
  name: string;
  source: string;
  sha256: string;
  sizeBytes: number;
  /** Records across all tables of the source. */
  recordCount: number;
}

export interface Manifest extends ExportMeta {
  version: 1;
  files: ManifestEntry[];
}

/** Builds the zip: one `<source>.json` per source plus `manifest.json`. */
export function buildExportArchive(
  files: ExportFile[],
  meta: ExportMeta,
): { zip: Buffer; manifest: Manifest } {
  const entries: Record<string, Uint8Array> = {};
  const manifestFiles: ManifestEntry[] = [];
  const used = new Set<string>([MANIFEST_FILE]);

  for (const file of files) {
    const name = uniqueName(fileNameFor(file.source), used);
    const content = strToU8(
      `${JSON.stringify(
        { source: file.source, records: file.records },
        jsonReplacer,
        2,
      )}\n`,
    );
    entries[name] = content;
    manifestFiles.push({
      name,
      source: file.source,
      sha256: sha256(content),
      sizeBytes: content.length,
      recordCount: Object.values(file.records).reduce(
        (sum, rows) => sum + rows.length,
        0,
      ),
    });
  }

  const manifest: Manifest = {
    version: 1,
    requestId: meta.requestId,
    subjectId: meta.subjectId,
    region: meta.region,
    createdAt: meta.createdAt,
    files: manifestFiles,
  };
  entries[MANIFEST_FILE] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);

  const mtime = new Date(meta.createdAt);
  // Level 1: JSON rows still shrink several-fold, at a fraction of the
  // CPU of the default 6 (the executor zips every export on its event loop).
  const zip = zipSync(entries, {
    level: 1,
    mtime: Number.isNaN(mtime.getTime()) ? undefined : mtime,
  });
  return { zip: Buffer.from(zip), manifest };
}

/**
 * Reads an archive back and verifies it: every file of the manifest is present
 * with its SHA-256 and size, and there is no file the manifest does not list.
 */
export function readExportArchive(zip: Buffer | Uint8Array): {
  manifest: Manifest;
  files: Array<ExportFile & { name: string }>;
} {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    throw new Error(`Export archive is not a valid zip: ${String(error)}`);
  }
  const manifestBytes = entries[MANIFEST_FILE];
  if (!manifestBytes) {
    throw new Error(`Export archive has no ${MANIFEST_FILE}`);
  }
  const manifest = parseJson(manifestBytes, MANIFEST_FILE) as Manifest;
  if (manifest?.version !== 1 || !Array.isArray(manifest.files)) {
    throw new Error(`Export archive has an unsupported ${MANIFEST_FILE}`);
  }

  const files: Array<ExportFile & { name: string }> = [];
  for (const entry of manifest.files) {
    const content = entries[entry.name];
    if (!content) {
      throw new Error(`Export archive is missing ${entry.name}`);
    }
    const actual = sha256(content);
    if (actual !== entry.sha256 || content.length !== entry.sizeBytes) {
      throw new Error(
        `Export archive file ${entry.name} does not match the manifest (sha256 ${actual}, expected ${entry.sha256})`,
      );
    }
    const parsed = parseJson(content, entry.name) as ExportFile;
    files.push({
      name: entry.name,
      source: parsed.source,
      records: parsed.records,
    });
  }

  const listed = new Set([MANIFEST_FILE, ...manifest.files.map(f => f.name)]);
  const extra = Object.keys(entries).filter(name => !listed.has(name));
  if (extra.length > 0) {
    throw new Error(
      `Export archive holds files the manifest does not list: ${extra.join(
        ', ',
      )}`,
    );
  }
  return { manifest, files };
}

/** `resource:default/checkout-db` → `resource-default-checkout-db.json`. */
export function fileNameFor(source: string): string {
  const base = source
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 120);
  return `${base || 'source'}.json`;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) {
    candidate = name.replace(/\.json$/, `-${n}.json`);
  }
  used.add(candidate);
  return candidate;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function parseJson(data: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(strFromU8(data));
  } catch {
    throw new Error(`Export archive file ${name} is not valid JSON`);
  }
}

/** Database values JSON cannot hold as such: bigints as strings, binary as base64. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value.toString();
  }
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original) || original instanceof Uint8Array) {
    return { base64: Buffer.from(original).toString('base64') };
  }
  return value;
}
