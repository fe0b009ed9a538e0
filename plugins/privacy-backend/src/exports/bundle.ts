import type { Region } from '@internal/plugin-privacy-common';
import { Zip, ZipDeflate, strFromU8, strToU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

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

/**
 * Builds the zip in memory: one `<source>.json` per source plus
 * `manifest.json`. The same bytes as {@link streamExportArchive}; for tests
 * and small archives only.
 */
export function buildExportArchive(
  files: ExportFile[],
  meta: ExportMeta,
): { zip: Buffer; manifest: Manifest } {
  let manifest: Manifest | undefined;
  const zip = Buffer.concat([
    ...archiveChunks(files, meta, built => {
      manifest = built;
    }),
  ]);
  return { zip, manifest: manifest! };
}

/** Bytes of JSON text collected before they are handed to the deflater. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The zip as a stream, built as it is read: each source's JSON is written
 * record by record into the deflater and each file's SHA-256 computed on
 * the way, so memory holds about one chunk of output (some 64 KiB) and one
 * record at a time, never the archive. The manifest comes last.
 */
export function streamExportArchive(
  files: ExportFile[],
  meta: ExportMeta,
): Readable {
  return Readable.from(archiveChunks(files, meta), {
    objectMode: false,
    highWaterMark: CHUNK_BYTES,
  });
}

/**
 * Yields the zip's bytes, handing `onManifest` the manifest at the end. The
 * deflater (fflate's streaming Zip with ZipDeflate entries) calls back
 * synchronously, so every chunk it produces is yielded before more input
 * is read: a reader that stops pulling stops the work.
 */
function* archiveChunks(
  files: ExportFile[],
  meta: ExportMeta,
  onManifest?: (manifest: Manifest) => void,
): Generator<Buffer> {
  const out: Buffer[] = [];
  let failure: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else if (chunk.length) {
      // A copy: the chunk is read later, after fflate may reuse its memory.
      out.push(Buffer.from(chunk));
    }
  });
  const mtime = new Date(meta.createdAt);
  const drain = function* drain() {
    if (failure) throw failure;
    while (out.length) yield out.shift()!;
  };
  const entry = (name: string) => {
    // Level 1: JSON rows still shrink several-fold, at a fraction of the
    // CPU of the default 6.
    const file = new ZipDeflate(name, { level: 1 });
    if (!Number.isNaN(mtime.getTime())) file.mtime = mtime;
    zip.add(file);
    return file;
  };

  const manifestFiles: ManifestEntry[] = [];
  const used = new Set<string>([MANIFEST_FILE]);
  for (const file of files) {
    const name = uniqueName(fileNameFor(file.source), used);
    const deflate = entry(name);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    let batch: string[] = [];
    let batchLength = 0;
    const send = (final: boolean) => {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      batch = [];
      batchLength = 0;
      hash.update(bytes);
      sizeBytes += bytes.length;
      deflate.push(bytes, final);
    };
    for (const text of sourceJson(file)) {
      batch.push(text);
      batchLength += text.length;
      if (batchLength >= CHUNK_BYTES) {
        send(false);
        yield* drain();
      }
    }
    send(true);
    yield* drain();
    manifestFiles.push({
      name,
      source: file.source,
      sha256: hash.digest('hex'),
      sizeBytes,
      recordCount: Object.values(file.records).reduce(
        (sum, rows) => sum + (Array.isArray(rows) ? rows.length : 0),
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
  entry(MANIFEST_FILE).push(
    strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
    true,
  );
  zip.end();
  yield* drain();
  onManifest?.(manifest);
}

/**
 * The text of `JSON.stringify({ source, records }, jsonReplacer, 2) + "\n"`,
 * piece by piece: one record at a time.
 */
function* sourceJson(file: ExportFile): Generator<string> {
  yield `{\n  "source": ${JSON.stringify(file.source)},\n  "records": `;
  const tables = Object.entries(file.records ?? {});
  if (tables.length === 0) {
    yield '{}\n}\n';
    return;
  }
  yield '{';
  for (const [t, [table, rows]] of tables.entries()) {
    yield `${t ? ',' : ''}\n    ${JSON.stringify(table)}: `;
    if (!Array.isArray(rows)) {
      yield indent(JSON.stringify(rows, jsonReplacer, 2) ?? 'null', 4);
      continue;
    }
    if (rows.length === 0) {
      yield '[]';
      continue;
    }
    yield '[';
    for (const [i, row] of rows.entries()) {
      const text = JSON.stringify(row, jsonReplacer, 2) ?? 'null';
      yield `${i ? ',' : ''}\n      ${indent(text, 6)}`;
    }
    yield '\n    ]';
  }
  yield '\n  }\n}\n';
}

function indent(text: string, spaces: number): string {
  return text.includes('\n')
    ? text.split('\n').join(`\n${' '.repeat(spaces)}`)
    : text;
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
