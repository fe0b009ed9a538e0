import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import {
  BlobStore,
  LocalBlobStore,
  S3BlobStore,
} from '@internal/plugin-ops-node';
import {
  FakeS3Server,
  startFakeS3Server,
} from '@internal/plugin-ops-node/testing';
import type { Region } from '@internal/plugin-privacy-common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { DataSourceConnector } from '../connectors/types';
import { createKeyring } from '../crypto';
import { EXPORT_BUNDLES_SOURCE, Executor } from '../executor/Executor';
import type { RegionRuntime } from '../executor/RegionRuntime';
import { ResultStore } from '../executor/ResultStore';
import type { SourceResolver } from '../executor/SourceResolver';
import { createLifecycle } from '../testing/lifecycle';
import { readExportArchive } from './bundle';
import { exportBlobKey } from './bundleStorage';
import { ExportDownload, ExportService } from './ExportService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const ALICE = 'customer-42@example.com';
const BOB = 'customer-7@example.com';
const BUCKET = 'privacy-exports';
const credentials = {
  accessKeyId: 'AKIATESTPRIVACY',
  secretAccessKey: 'test-secret-access-key',
};

/**
 * A data store in memory holding rows of several subjects; `rowBytes`
 * pads each row with random hex, for exports of some size.
 */
function memoryStore(
  connection: string,
  region: Region,
  rowsPerSubject: Record<string, number>,
  rowBytes = 16,
): DataSourceConnector {
  const rows = new Map(Object.entries(rowsPerSubject));
  return {
    connection,
    region,
    async exportSubject(subjectId) {
      return {
        orders: Array.from({ length: rows.get(subjectId) ?? 0 }, (_, i) => ({
          i,
          subjectId,
          note: randomBytes(rowBytes / 2).toString('hex'),
        })),
      };
    },
    async eraseSubject(subjectId) {
      const affected = rows.get(subjectId) ?? 0;
      rows.set(subjectId, 0);
      return { affected };
    },
    async countRemaining(subjectId) {
      return rows.get(subjectId) ?? 0;
    },
    async close() {},
  };
}

/** Region storage of one kind, and a way to reach behind it to the stored bytes. */
interface StorageKind {
  kind: 'local' | 's3';
  create(region: Region): BlobStore;
  /** The stored bytes of a key, or undefined. */
  read(region: Region, key: string): Promise<Buffer | undefined>;
  /** Overwrites the stored bytes of a key behind the store's back. */
  write(region: Region, key: string, data: Buffer): Promise<void>;
}

let server: FakeS3Server;
const directories: string[] = [];

function localKind(): StorageKind {
  const root = mkdtempSync(join(tmpdir(), 'privacy-exports-'));
  directories.push(root);
  const stores = new Map<Region, LocalBlobStore>();
  return {
    kind: 'local',
    create: region => {
      const store = new LocalBlobStore(join(root, region));
      stores.set(region, store);
      return store;
    },
    read: async (region, key) =>
      (await stores.get(region)!.head(key))
        ? stores.get(region)!.getBuffer(key)
        : undefined,
    write: async (region, key, data) => {
      // Straight to the file, as someone with access to the disk would.
      writeFileSync(join(root, region, key), data);
    },
  };
}

function s3Kind(): StorageKind {
  const objects = () => server.buckets.get(BUCKET)!;
  return {
    kind: 's3',
    create: region =>
      new S3BlobStore({
        bucket: BUCKET,
        prefix: `privacy/${region}`,
        endpoint: server.endpoint,
        credentials,
      }),
    read: async (region, key) => objects().get(`privacy/${region}/${key}`),
    write: async (region, key, data) => {
      objects().set(`privacy/${region}/${key}`, data);
    },
  };
}

async function setUp(
  databaseId: TestDatabaseId,
  storage: StorageKind,
  options: { rowBytes?: number; rows?: number } = {},
) {
  const lifecycle = await createLifecycle(databases, databaseId);
  const rows = options.rows ?? 3;
  const connectors = [
    memoryStore(
      'eu-store',
      'EU',
      { [ALICE]: rows, [BOB]: 2 },
      options.rowBytes,
    ),
    memoryStore('us-store', 'US', { [ALICE]: 4, [BOB]: 1 }, options.rowBytes),
  ];
  const regions = new Map<Region, RegionRuntime>();
  for (const region of ['EU', 'US'] as const) {
    const masterKey = { id: `${region.toLowerCase()}-1`, key: randomBytes(32) };
    regions.set(region, {
      region,
      masterKey,
      keyring: createKeyring([masterKey]),
      storage: storage.create(region),
      connectors: new Map(
        connectors.filter(c => c.region === region).map(c => [c.connection, c]),
      ),
    });
  }
  const results = new ResultStore(lifecycle.db);
  const logger = mockServices.logger.mock();
  const sources = {
    sourcesIn: async (region: Region) =>
      connectors
        .filter(c => c.region === region)
        .map(c => ({
          entityRef: `resource:default/${c.connection}`,
          connection: c.connection,
        })),
  } as unknown as SourceResolver;
  const executor = new Executor({
    transitions: lifecycle.transitions,
    store: lifecycle.store,
    results,
    sources,
    regions,
    exportLinkDays: 7,
    logger,
  });
  const exports = new ExportService({
    results,
    store: lifecycle.store,
    regions,
    audit: lifecycle.audit,
    logger,
  });

  /** Files a request, approves an erasure, runs it to completion. */
  const complete = async (
    type: 'export' | 'delete',
    subject: string,
    region: Region,
  ) => {
    const { request } = await lifecycle.intake.submit(
      type,
      { subject: { id: subject }, region, jurisdiction: 'GDPR' },
      'user:default/alice',
    );
    if (type === 'delete') {
      await lifecycle.requests.approve(request.id, 'user:default/bob');
    }
    await executor.run(request.id);
    expect((await lifecycle.store.get(request.id))?.state).toBe('completed');
    const row = await lifecycle
      .db('privacy_exports')
      .where({ request_id: request.id })
      .first();
    return { requestId: request.id, exportId: row?.id as string, region };
  };
  const stored = (e: { requestId: string; region: Region }) =>
    storage.read(e.region, exportBlobKey(e.requestId));
  const collect = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  return {
    ...lifecycle,
    storageKind: storage,
    regions,
    results,
    executor,
    exports,
    complete,
    stored,
    collect,
    sourceRows: (id: string) =>
      lifecycle
        .db('privacy_source_results')
        .where({ request_id: id })
        .orderBy('source'),
  };
}

const kinds: Array<() => StorageKind> = [localKind, s3Kind];

/** The download's stream; throws when the download was refused. */
function served(download: ExportDownload) {
  if (download.status !== 'ok') {
    throw new Error(`Expected a download, got ${JSON.stringify(download)}`);
  }
  return download;
}

describe.each(databases.eachSupportedId())(
  'export bundles in storage on %p',
  databaseId => {
    beforeAll(async () => {
      server = await startFakeS3Server({
        accessKeyId: credentials.accessKeyId,
        buckets: [BUCKET],
      });
    });
    afterAll(async () => {
      await server.close();
      directories.splice(0).forEach(dir => rmSync(dir, { recursive: true }));
    });

    describe.each(kinds.map(kind => [kind().kind, kind] as const))(
      '%s storage',
      (_name, kind) => {
        it('an erasure deletes every earlier export bundle of the subject, in every region, and its proof lists the storage', async () => {
          const t = await setUp(databaseId, kind());
          const aliceEu = await t.complete('export', ALICE, 'EU');
          const aliceUs = await t.complete('export', ALICE, 'US');
          const bobEu = await t.complete('export', BOB, 'EU');
          for (const e of [aliceEu, aliceUs, bobEu]) {
            expect(await t.stored(e)).toBeDefined();
          }
          // Before: Alice's bundle downloads and decrypts.
          await t.collect(
            served(await t.exports.download(aliceEu.exportId, 'user:x')).zip,
          );

          const erasure = await t.complete('delete', ALICE, 'EU');

          expect(await t.stored(aliceEu)).toBeUndefined();
          expect(await t.stored(aliceUs)).toBeUndefined();
          // Another subject's bundle stays.
          expect(await t.stored(bobEu)).toBeDefined();

          const proof = await t.sourceRows(erasure.requestId);
          expect(
            proof.map(r => [r.source, r.status, r.records, r.remaining]),
          ).toEqual([
            [EXPORT_BUNDLES_SOURCE, 'done', 2, 0],
            ['resource:default/eu-store', 'done', 3, 0],
          ]);
          const events = await t.audit.forRecord(erasure.requestId);
          expect(
            events.find(e => e.type === 'erasure.verified')?.data,
          ).toMatchObject({
            remaining: 0,
            exportBundles: { deleted: 2, remaining: 0 },
          });
          expect(events.find(e => e.type === 'export.erased')?.data).toEqual({
            exportIds: [aliceEu.exportId, aliceUs.exportId].sort(),
          });

          // The rows say so, and a download answers "deleted" (410), not an error.
          for (const e of [aliceEu, aliceUs]) {
            await expect(
              t.exports.download(e.exportId, 'user:x'),
            ).resolves.toMatchObject({ status: 'deleted', reason: 'erased' });
          }
          await t.collect(
            served(await t.exports.download(bobEu.exportId, 'user:x')).zip,
          );

          // A second erasure of the subject finds nothing more to delete.
          const again = await t.complete('delete', ALICE, 'US');
          expect(
            (await t.sourceRows(again.requestId)).find(
              r => r.source === EXPORT_BUNDLES_SOURCE,
            ),
          ).toMatchObject({ records: 0, remaining: 0, status: 'done' });
        });

        it('fails the erasure when a bundle of the subject is still stored after deletion', async () => {
          const t = await setUp(databaseId, kind());
          const aliceUs = await t.complete('export', ALICE, 'US');
          const us = t.regions.get('US')!.storage;
          // A store that acknowledges the delete but keeps the object.
          us.delete = async () => {};
          const { request } = await t.intake.submit(
            'delete',
            { subject: { id: ALICE }, region: 'EU', jurisdiction: 'GDPR' },
            'user:default/alice',
          );
          await t.requests.approve(request.id, 'user:default/bob');
          await expect(t.executor.run(request.id)).rejects.toThrow(
            /export bundles of the subject remain/,
          );
          expect((await t.store.get(request.id))?.state).toBe('running');
          expect(
            (await t.sourceRows(request.id)).find(
              r => r.source === EXPORT_BUNDLES_SOURCE,
            ),
          ).toMatchObject({ status: 'failed', remaining: 1 });
          expect(await t.stored(aliceUs)).toBeDefined();
          await t.collect(
            served(await t.exports.download(aliceUs.exportId, 'u')).zip,
          );
        });

        it('purges bundles whose link expired, only those, with an audit event each', async () => {
          const t = await setUp(databaseId, kind());
          const old = await t.complete('export', ALICE, 'EU');
          const fresh = await t.complete('export', BOB, 'US');
          const expiredAt = new Date(Date.now() - 60_000);
          await t
            .db('privacy_exports')
            .where({ id: old.exportId })
            .update({ expires_at: expiredAt });

          await expect(t.exports.purgeExpired()).resolves.toEqual({
            purged: 1,
            failed: 0,
          });
          expect(await t.stored(old)).toBeUndefined();
          expect(await t.stored(fresh)).toBeDefined();
          const purgedEvents = (await t.audit.forRecord(old.requestId)).filter(
            e => e.type === 'export.purged',
          );
          expect(purgedEvents).toHaveLength(1);
          expect(purgedEvents[0].data).toMatchObject({
            exportId: old.exportId,
            reason: 'expired',
          });
          expect(
            (await t.audit.forRecord(fresh.requestId)).map(e => e.type),
          ).not.toContain('export.purged');
          await expect(
            t.exports.download(old.exportId, 'user:x'),
          ).resolves.toMatchObject({ status: 'deleted', reason: 'expired' });

          // Nothing left to purge: a second run changes nothing.
          await expect(t.exports.purgeExpired()).resolves.toEqual({
            purged: 0,
            failed: 0,
          });
          // Until the fresh one expires too.
          await expect(
            t.exports.purgeExpired(new Date(Date.now() + 8 * 86_400_000)),
          ).resolves.toEqual({ purged: 1, failed: 0 });
          expect(await t.stored(fresh)).toBeUndefined();
        });

        it('refuses a bundle altered in storage, and one swapped for another valid bundle, before sending a byte', async () => {
          const t = await setUp(databaseId, kind());
          const alice = await t.complete('export', ALICE, 'EU');
          const bob = await t.complete('export', BOB, 'EU');
          const key = exportBlobKey(alice.requestId);
          const original = (await t.stored(alice))!;

          // One flipped byte in the middle.
          const flipped = Buffer.from(original);
          flipped[Math.floor(flipped.length / 2)] ^= 0x01;
          const storage = t.storageKind;
          await storage.write('EU', key, flipped);
          await expect(
            t.exports.download(alice.exportId, 'user:x'),
          ).rejects.toMatchObject({ name: 'ExportIntegrityError' });

          // Bob's bundle (sealed under the same region key, so it decrypts)
          // copied over Alice's: it must not be served as Alice's export.
          await storage.write('EU', key, (await t.stored(bob))!);
          await expect(
            t.exports.download(alice.exportId, 'user:x'),
          ).rejects.toMatchObject({ name: 'ExportIntegrityError' });

          const events = (await t.audit.forRecord(alice.requestId)).map(
            e => e.type,
          );
          expect(
            events.filter(type => type === 'export.integrity_failed'),
          ).toHaveLength(2);
          expect(events).not.toContain('export.downloaded');

          // Put back, it downloads again.
          await storage.write('EU', key, original);
          const ok = served(await t.exports.download(alice.exportId, 'u'));
          const archive = readExportArchive(await t.collect(ok.zip));
          expect(archive.manifest.subjectId).toBe(ALICE);
        });

        it('cuts the download off when the stored bundle changes after the check', async () => {
          const t = await setUp(databaseId, kind(), {
            rows: 400,
            rowBytes: 1024,
          });
          const alice = await t.complete('export', ALICE, 'EU');
          const storage = t.regions.get('EU')!.storage;
          const original = (await t.stored(alice))!;
          const changed = Buffer.from(original);
          changed[changed.length - 10] ^= 0x01;
          // The first read (the check) sees the bundle as written; the
          // second (the stream) sees it changed.
          const get = storage.get.bind(storage);
          let reads = 0;
          storage.get = async key => {
            reads += 1;
            return reads === 1 ? get(key) : Readable.from([changed]);
          };
          const download = served(
            await t.exports.download(alice.exportId, 'u'),
          );
          await expect(t.collect(download.zip)).rejects.toThrow(
            /failed authentication|is not the one written/,
          );
          expect(reads).toBe(2);
        });

        it('streams a bundle of several MB to the store and back, never holding it whole', async () => {
          const t = await setUp(databaseId, kind(), {
            rows: 3000,
            rowBytes: 1024,
          });
          const storage = t.regions.get('EU')!.storage;
          const put = storage.put.bind(storage);
          const written: Array<{
            stream: boolean;
            largest: number;
            total: number;
          }> = [];
          storage.put = async (key, data, options) => {
            const seen = {
              stream: data instanceof Readable,
              largest: 0,
              total: 0,
            };
            written.push(seen);
            if (!(data instanceof Readable)) return put(key, data, options);
            const measure = new Transform({
              transform(chunk: Buffer, _encoding, callback) {
                seen.largest = Math.max(seen.largest, chunk.length);
                seen.total += chunk.length;
                callback(null, chunk);
              },
            });
            return put(key, data.pipe(measure), options);
          };
          const getBuffer = jest.spyOn(storage, 'getBuffer');

          const alice = await t.complete('export', ALICE, 'EU');
          expect(written).toHaveLength(1);
          expect(written[0].stream).toBe(true);
          expect(written[0].total).toBeGreaterThan(1024 * 1024);
          // The store got the bundle in pieces, not as one buffer.
          expect(written[0].largest).toBeLessThan(256 * 1024);

          const download = served(
            await t.exports.download(alice.exportId, 'u'),
          );
          expect(download.zip).toBeInstanceOf(Readable);
          const chunks: Buffer[] = [];
          await new Promise<void>((resolve, reject) => {
            download.zip.on('data', chunk => chunks.push(chunk));
            download.zip.on('end', resolve);
            download.zip.on('error', reject);
          });
          expect(Math.max(...chunks.map(c => c.length))).toBeLessThanOrEqual(
            64 * 1024,
          );
          expect(getBuffer).not.toHaveBeenCalled();
          const archive = readExportArchive(Buffer.concat(chunks));
          expect(archive.files[0].records.orders).toHaveLength(3000);
        });
      },
    );
  },
);
