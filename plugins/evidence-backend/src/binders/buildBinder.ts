/**
 * Builds a binder: a deterministic, streaming, signed .tar.gz.
 *
 * Layout, under one top folder `binder/`:
 *   SHA256SUMS, collection-log.txt, evidence/ (one file per item),
 *   index.html, index.md, manifest.json, manifest.json.sig, public-key.pem
 *
 * Order: every entry (the two directories included) sorted by its full path
 * in plain code-unit order, nothing else. manifest.json, its signature and
 * SHA256SUMS need every evidence hash before they are written; they are
 * computed from the hashes and sizes the input declares, and each evidence
 * file is hashed while it streams into the tar: a file whose bytes differ
 * from what was declared fails the build (with the file named), so a binder
 * that finishes never lists a hash its content does not have.
 *
 * Determinism: entries sorted as above; every mtime is 0 (1970-01-01, the
 * SOURCE_DATE_EPOCH convention: the period and generation time are in the
 * manifest, not in the tar headers); uid/gid 0, uname/gname empty; mode 0644
 * for files and 0755 for directories; ustar headers (a pax header only for a
 * path longer than ustar allows); gzip from node's zlib, which writes no file
 * name and mtime 0, with the header's OS byte pinned to 3 (Unix) so the bytes
 * do not depend on the platform that built them. Same inputs, same Node:
 * same bytes.
 *
 * Memory: bounded whatever the total size. Evidence is read in chunks, at
 * most OPEN_AHEAD + 1 files open at once (each stream buffers what its own
 * highWaterMark allows), and up to BUFFER bytes wait in the tar stream and
 * again in gzip's input; only the small generated files are held whole.
 */
import { createHash, createPublicKey, sign } from 'node:crypto';
import { Transform, TransformCallback, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { evidencePaths, compare } from './names';
import { serializeManifest, serializeSums, sha256Hex } from './manifest';
import { renderIndexHtml, renderIndexMarkdown, IndexFile } from './renderIndex';
import {
  BINDER_PATHS,
  BINDER_ROOT,
  BinderFile,
  BinderInput,
  BinderManifest,
  BinderProgress,
  BuiltBinder,
  MANIFEST_FORMAT,
  ManifestFile,
} from './types';

/** The mtime of every entry: the epoch. */
export const BINDER_MTIME = new Date(0);
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
const DEFAULT_COMPRESSION_LEVEL = 1;
/** gzip output chunk. */
const CHUNK = 256 * 1024;
/**
 * Bytes that may wait between reading and compressing, twice (in the tar
 * stream and in gzip's input): stages run side by side instead of taking
 * turns, and memory stays bounded.
 */
const BUFFER = 4 * 1024 * 1024;
/** Evidence files opened ahead of the one being written (their reads start early). */
const OPEN_AHEAD = 4;

type Entry =
  | { path: string; kind: 'dir' }
  | { path: string; kind: 'data'; data: Buffer }
  | { path: string; kind: 'evidence'; file: BinderFile };

/** Checks the input and returns the files with normalised hashes. */
function checkedFiles(input: BinderInput): BinderFile[] {
  const key = input.signingKey;
  if (key?.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new Error('the binder signing key must be an Ed25519 private key');
  }
  const level = input.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new Error(`compressionLevel must be 0 to 9, not ${level}`);
  }
  const ids = new Set<string>();
  return input.files.map(file => {
    if (ids.has(file.id)) {
      throw new Error(`evidence item ${file.id} is listed twice`);
    }
    ids.add(file.id);
    if (!/^[0-9a-fA-F]{64}$/.test(file.sha256)) {
      throw new Error(
        `evidence item ${file.id} (${file.fileName}) has no valid sha256: ${file.sha256}`,
      );
    }
    if (!Number.isSafeInteger(file.sizeBytes) || file.sizeBytes < 0) {
      throw new Error(
        `evidence item ${file.id} (${file.fileName}) has no valid size: ${file.sizeBytes}`,
      );
    }
    return { ...file, sha256: file.sha256.toLowerCase() };
  });
}

/** The generated files and the full, sorted entry list. */
export function planBinder(input: BinderInput): {
  entries: Entry[];
  manifest: BinderManifest;
  manifestBytes: Buffer;
} {
  const files = checkedFiles(input);
  const paths = evidencePaths(files, BINDER_PATHS.evidenceDir);
  const pathOf = (f: BinderFile) => paths.get(f.id)!;
  const publicKeyPem = createPublicKey(input.signingKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();

  const indexFiles: IndexFile[] = files.map(f => ({
    path: pathOf(f),
    id: f.id,
    type: f.type,
    title: f.title,
    points: f.points,
    entityRef: f.entityRef,
    periodStart: f.periodStart,
    periodEnd: f.periodEnd,
    collectedAt: f.collectedAt,
    sha256: f.sha256,
    sizeBytes: f.sizeBytes,
  }));
  // No points asked for means every point of the coverage report.
  const points = input.points.length
    ? input.points
    : input.coverage.criteria.flatMap(c => c.points.map(p => p.id));
  const indexInput = {
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    points,
    generatedAt: input.generatedAt,
    coverage: input.coverage,
    files: indexFiles,
  };
  const generated = new Map<string, Buffer>([
    [BINDER_PATHS.index, Buffer.from(renderIndexHtml(indexInput), 'utf8')],
    [
      BINDER_PATHS.indexMd,
      Buffer.from(renderIndexMarkdown(indexInput), 'utf8'),
    ],
    [BINDER_PATHS.collectionLog, Buffer.from(input.collectionLog, 'utf8')],
    [BINDER_PATHS.publicKey, Buffer.from(publicKeyPem, 'utf8')],
  ]);

  const listed: ManifestFile[] = [
    ...[...generated].map(([path, data]) => ({
      path,
      sha256: sha256Hex(data),
      size: data.length,
    })),
    ...files.map(f => ({
      path: pathOf(f),
      sha256: f.sha256,
      size: f.sizeBytes,
      evidence: {
        id: f.id,
        type: f.type,
        title: f.title,
        points: f.points,
        entityRef: f.entityRef,
        periodStart: f.periodStart,
        periodEnd: f.periodEnd,
        collectedAt: f.collectedAt,
        mediaType: f.mediaType,
      },
    })),
  ].sort((a, b) => compare(a.path, b.path));
  const manifest: BinderManifest = {
    format: MANIFEST_FORMAT,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    points,
    generatedAt: input.generatedAt,
    publicKey: publicKeyPem,
    files: listed,
  };
  const manifestBytes = serializeManifest(manifest);
  generated.set(BINDER_PATHS.manifest, manifestBytes);
  generated.set(
    BINDER_PATHS.signature,
    sign(null, manifestBytes, input.signingKey),
  );
  generated.set(
    BINDER_PATHS.sums,
    serializeSums([
      ...listed,
      { path: BINDER_PATHS.manifest, sha256: sha256Hex(manifestBytes) },
    ]),
  );

  const under = (p: string) => `${BINDER_ROOT}/${p}`;
  const entries: Entry[] = [
    { path: `${BINDER_ROOT}/`, kind: 'dir' as const },
    { path: under(`${BINDER_PATHS.evidenceDir}/`), kind: 'dir' as const },
    ...[...generated].map(([path, data]) => ({
      path: under(path),
      kind: 'data' as const,
      data,
    })),
    ...files.map(file => ({
      path: under(pathOf(file)),
      kind: 'evidence' as const,
      file,
    })),
  ].sort((a, b) => compare(a.path, b.path));
  return { entries, manifest, manifestBytes };
}

/** Hashes and counts what passes; pins the gzip header's OS byte. */
class OutputTap extends Transform {
  readonly hash = createHash('sha256');
  size = 0;

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    let data = chunk;
    if (this.size <= 9 && this.size + data.length > 9) {
      data = Buffer.from(data);
      data[9 - this.size] = 3; // gzip OS field: Unix
    }
    this.size += data.length;
    this.hash.update(data);
    cb(null, data);
  }
}

function header(path: string, type: 'file' | 'directory', size: number) {
  return {
    name: path,
    type,
    size,
    mode: type === 'directory' ? DIR_MODE : FILE_MODE,
    mtime: BINDER_MTIME,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
  };
}

/** Waits until a (streamx) writable drains, or fails if it closes first. */
/** The writable of one tar entry (a streamx Writable, not a node one). */
type EntrySink = ReturnType<tar.Pack['entry']>;

function drained(stream: EntrySink): Promise<void> {
  return new Promise((resolve, reject) => {
    const listeners = {
      drain: () => settle(),
      error: (err: unknown) => settle(err as Error),
      close: () => settle(new Error('tar entry closed while writing')),
    };
    function settle(err?: Error) {
      for (const [event, fn] of Object.entries(listeners)) {
        stream.off(event, fn);
      }
      if (err) reject(err);
      else resolve();
    }
    for (const [event, fn] of Object.entries(listeners)) stream.on(event, fn);
  });
}

/**
 * An entry's errors reach us through its callback (and the pack's through
 * the pipeline); without a listener its 'error' event would be unhandled.
 */
function quiet(sink: EntrySink): EntrySink {
  sink.on('error', () => {});
  return sink;
}

function addData(pack: tar.Pack, entry: Entry): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (entry.kind === 'dir') {
      quiet(pack.entry(header(entry.path, 'directory', 0), cb));
    } else if (entry.kind === 'data') {
      quiet(
        pack.entry(
          header(entry.path, 'file', entry.data.length),
          entry.data,
          cb,
        ),
      );
    }
  });
}

/** Streams one evidence file into the tar, hashing it; fails naming it when it differs. */
async function addEvidence(
  pack: tar.Pack,
  path: string,
  file: BinderFile,
  source: Readable,
  onBytes: (n: number) => void,
): Promise<void> {
  const describe = `evidence file ${path} (item ${file.id}, ${JSON.stringify(
    file.fileName,
  )})`;
  let sink: EntrySink | undefined;
  const written = new Promise<void>((resolve, reject) => {
    sink = quiet(
      pack.entry(header(path, 'file', file.sizeBytes), err =>
        err ? reject(err) : resolve(),
      ),
    );
  });
  written.catch(() => {}); // awaited below, or superseded by our own error
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const raw of source) {
      const chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      size += chunk.length;
      if (size > file.sizeBytes) {
        throw new Error(
          `${describe} is longer than its recorded size of ${file.sizeBytes} bytes`,
        );
      }
      hash.update(chunk);
      onBytes(chunk.length);
      if (!sink!.write(chunk)) await drained(sink!);
    }
    if (size !== file.sizeBytes) {
      throw new Error(
        `${describe} has ${size} bytes, not its recorded ${file.sizeBytes}`,
      );
    }
    const actual = hash.digest('hex');
    if (actual !== file.sha256) {
      throw new Error(
        `${describe} does not match its recorded sha256 ${file.sha256}: its content hashes to ${actual}`,
      );
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
  sink!.end(undefined);
  await written;
}

/**
 * Writes the binder of `input` to `out` as a .tar.gz and returns the SHA-256
 * and size of the bytes written. `out` is ended on success and destroyed on
 * failure (a half binder must never be offered: write to a temporary place
 * and publish only after this resolves). `onProgress` is called at the start
 * and after each evidence file.
 */
export async function buildBinder(
  input: BinderInput,
  out: Writable,
  onProgress?: (p: BinderProgress) => void,
): Promise<BuiltBinder> {
  const { entries } = planBinder(input);
  const evidence = entries.filter(e => e.kind === 'evidence');
  const progress: BinderProgress = {
    files: 0,
    totalFiles: evidence.length,
    bytes: 0,
    totalBytes: evidence.reduce(
      (n, e) => n + (e.kind === 'evidence' ? e.file.sizeBytes : 0),
      0,
    ),
  };
  onProgress?.({ ...progress });

  const pack = tar.pack({ highWaterMark: BUFFER } as any);
  const gzip = createGzip({
    level: input.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL,
    chunkSize: CHUNK,
    writableHighWaterMark: BUFFER,
  } as any);
  const tap = new OutputTap();
  const flowing = pipeline(pack as unknown as Readable, gzip, tap, out);

  // Evidence files are opened a few ahead, so the next read is under way
  // while the current file is hashed and compressed.
  const ahead = new Map<BinderFile, Promise<Readable>>();
  const openAhead = (from: number) => {
    for (let i = from; i < evidence.length && ahead.size < OPEN_AHEAD; i++) {
      const e = evidence[i];
      if (e.kind !== 'evidence' || ahead.has(e.file)) continue;
      const opening = e.file.open();
      opening.catch(() => {}); // awaited in its turn
      ahead.set(e.file, opening);
    }
  };

  let failure: unknown;
  const writing = (async () => {
    let next = 0;
    for (const entry of entries) {
      if (entry.kind === 'evidence') {
        openAhead(next);
        const source = await ahead.get(entry.file)!;
        ahead.delete(entry.file);
        next += 1;
        openAhead(next);
        await addEvidence(pack, entry.path, entry.file, source, n => {
          progress.bytes += n;
        });
        progress.files += 1;
        onProgress?.({ ...progress });
      } else {
        await addData(pack, entry);
      }
    }
    pack.finalize();
  })().catch(err => {
    failure = err;
    pack.destroy(err);
    for (const opening of ahead.values()) {
      opening.then(
        source => source.destroy(),
        () => {},
      );
    }
    throw err;
  });

  try {
    await Promise.all([writing, flowing]);
  } catch (err) {
    // Our own error (a file that differs) before whatever it caused downstream.
    throw failure ?? err;
  }
  return { sha256: tap.hash.digest('hex'), sizeBytes: tap.size };
}
