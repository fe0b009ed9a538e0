/** Test data for binder tests: a key, a coverage report, evidence files in memory. */
import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import {
  COMMON_CRITERIA,
  CoverageReport,
  PointStatus,
} from '@internal/plugin-evidence-common';
import type { BinderFile, BinderInput } from './types';

export function ed25519Keys(): { privateKey: KeyObject; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A coverage report over the common criteria; CC8.1 fresh, CC6.1 an exception, the rest missing. */
export function coverageFixture(): CoverageReport {
  const counts = { fresh: 0, stale: 0, missing: 0, exception: 0 };
  const criteria = COMMON_CRITERIA.map(c => {
    const local = { fresh: 0, stale: 0, missing: 0, exception: 0 };
    const points = c.points.map(p => {
      let status: PointStatus = 'missing';
      if (p.id === 'CC8.1' || p.id === 'CC7.1') status = 'fresh';
      if (p.id === 'CC6.2') status = 'stale';
      if (p.id === 'CC6.1') status = 'exception';
      local[status] += 1;
      counts[status] += 1;
      return {
        id: p.id,
        title: p.title,
        status,
        itemCount: status === 'fresh' ? 2 : 0,
        lastCollectedAt: status === 'fresh' ? '2026-11-30T10:00:00.000Z' : null,
        freshUntil: null,
        collectors: [],
        exception:
          status === 'exception'
            ? {
                id: 'ex-1',
                point: p.id,
                reason:
                  'Access tooling <migrates> in Q1 & reviews resume after',
                approver: 'user:default/ciso',
                createdBy: 'user:default/ciso',
                createdAt: '2026-10-01T00:00:00.000Z',
                expiresAt: '2027-01-31T00:00:00.000Z',
                revokedAt: null,
              }
            : null,
      };
    });
    return { id: c.id, title: c.title, points, counts: local };
  });
  return { at: '2026-12-01T00:00:00.000Z', criteria, counts };
}

export const sha256 = (data: Buffer | string) =>
  createHash('sha256').update(data).digest('hex');

/** A file whose content is `content`, read in small chunks (so streaming is exercised). */
export function memoryFile(
  id: string,
  fileName: string,
  content: Buffer | string,
  extra: Partial<BinderFile> = {},
): BinderFile {
  const data = Buffer.from(content);
  return {
    id,
    type: 'change-management.git',
    title: `Evidence ${id}`,
    points: ['CC8.1'],
    entityRef: 'component:default/api-gateway',
    periodStart: '2026-10-01T00:00:00.000Z',
    periodEnd: '2026-12-31T00:00:00.000Z',
    collectedAt: '2026-11-30T10:00:00.000Z',
    sha256: sha256(data),
    sizeBytes: data.length,
    mediaType: 'application/json',
    fileName,
    async open() {
      const chunks: Buffer[] = [];
      for (let i = 0; i < data.length; i += 1000) {
        chunks.push(data.subarray(i, i + 1000));
      }
      return Readable.from(chunks);
    },
    ...extra,
  };
}

export function binderInput(
  privateKey: KeyObject,
  files: BinderFile[],
): BinderInput {
  return {
    periodStart: '2026-10-01T00:00:00.000Z',
    periodEnd: '2026-12-31T00:00:00.000Z',
    points: [],
    generatedAt: '2026-12-01T12:00:00.000Z',
    coverage: coverageFixture(),
    files,
    collectionLog: 'run 1: change-management.git succeeded, 3 items\n',
    signingKey: privateKey,
  };
}

/** A Writable that keeps what it receives. */
export function collect(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/** The entries of a .tar.gz, in archive order, with their headers and bytes (tests only: buffers). */
export async function readEntries(
  archive: Buffer,
): Promise<Array<{ header: tar.Header; data: Buffer }>> {
  const extract = tar.extract();
  const entries: Array<{ header: tar.Header; data: Buffer }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ header: entry.header, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(gunzipSync(archive));
  await done;
  return entries;
}

/**
 * Rebuilds a .tar.gz with `change` applied to each entry (return the new
 * bytes, the same, or null to drop it) and `add` appended.
 */
export async function rewriteArchive(
  archive: Buffer,
  change: (name: string, data: Buffer) => Buffer | null,
  add: Array<{ name: string; data: Buffer }> = [],
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { header, data } of await readEntries(archive)) {
    const next = header.type === 'file' ? change(header.name, data) : data;
    if (next === null) continue;
    pack.entry({ ...header, size: next.length }, next);
  }
  for (const a of add) {
    pack.entry({ name: a.name, mtime: new Date(0) }, a.data);
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The same bytes with one byte changed at `offset` (default: the middle). */
export function flipByte(data: Buffer, offset = Math.floor(data.length / 2)) {
  const copy = Buffer.from(data);
  copy[offset] ^= 0x01;
  return copy;
}
