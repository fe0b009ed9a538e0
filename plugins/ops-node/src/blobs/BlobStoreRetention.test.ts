import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { FakeS3Server, startFakeS3Server } from '../testing/fakeS3Server';
import {
  BlobStore,
  LocalBlobStore,
  S3BlobStore,
  contentAddressedKey,
} from './index';

// The retention contract (PutBlobOptions.retainUntil) on both stores: the
// local one with its own records, S3 with Object Lock in the fake, whose
// clock moves with the store's.

const MiB = 1024 * 1024;
const HOUR = 3600_000;
const BUCKET = 'evidence-locked';
const credentials = {
  accessKeyId: 'AKIATESTEVIDENCE',
  secretAccessKey: 'test-secret-access-key',
};

jest.setTimeout(60_000);

/** The clock both the store and the fake S3 read. */
let clock = new Date();
const now = () => clock;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

interface Backend {
  store: BlobStore;
  /** Keys of the blobs stored (current objects), retention records and staging excluded. */
  stored(): Promise<string[]>;
  /** Keys with anything kept at all: on S3 also non-current versions and delete markers. */
  kept(): Promise<string[]>;
}

let server: FakeS3Server;
let directory: string;

const kinds = [
  {
    kind: 'local',
    async setUp() {},
    async create(): Promise<Backend> {
      directory = await mkdtemp(join(tmpdir(), 'ops-blobs-retention-'));
      const backend: Backend = {
        store: new LocalBlobStore(directory, { now }),
        kept: () => backend.stored(),
        async stored() {
          const entries = await readdir(directory, {
            recursive: true,
            withFileTypes: true,
          });
          return entries
            .filter(entry => entry.isFile())
            .map(entry =>
              relative(directory, join(entry.parentPath, entry.name)),
            )
            .filter(path => !path.startsWith('~retention'))
            .sort();
        },
      };
      return backend;
    },
    async tearDown() {
      await rm(directory, { recursive: true, force: true });
    },
  },
  {
    kind: 's3',
    async setUp() {
      server = await startFakeS3Server({
        accessKeyId: credentials.accessKeyId,
        buckets: [],
        objectLockBuckets: [BUCKET],
        now,
      });
    },
    async create(): Promise<Backend> {
      server.buckets.get(BUCKET)!.clear();
      server.versions.get(BUCKET)!.clear();
      server.uploads.clear();
      server.requests.length = 0;
      return {
        store: new S3BlobStore({
          bucket: BUCKET,
          endpoint: server.endpoint,
          credentials,
          partSizeBytes: 5 * MiB,
          objectLock: { mode: 'COMPLIANCE' },
          now,
        }),
        stored: async () => [...server.buckets.get(BUCKET)!.keys()].sort(),
        kept: async () => [...server.versions.get(BUCKET)!.keys()].sort(),
      };
    },
    async tearDown() {
      await server.close();
    },
  },
];

describe.each(kinds)(
  '$kind blob store with retention',
  ({ setUp, create, tearDown }) => {
    let backend: Backend;
    let store: BlobStore;

    beforeAll(setUp);
    afterAll(tearDown);
    beforeEach(async () => {
      clock = new Date();
      backend = await create();
      store = backend.store;
    });

    it('refuses to delete or overwrite a retained blob, and keeps it', async () => {
      const retainUntil = new Date(clock.getTime() + 2 * HOUR);
      const data = Buffer.from('access review 2026-Q4');
      await store.put('evidence/review.json', data, { retainUntil });

      expect(await store.head('evidence/review.json')).toEqual({
        sizeBytes: data.length,
        retainUntil,
      });
      const refused = {
        name: 'NotAllowedError',
        message: `Blob "evidence/review.json" is retained until ${retainUntil.toISOString()}: it cannot be deleted or overwritten before then`,
      };
      await expect(store.delete('evidence/review.json')).rejects.toMatchObject(
        refused,
      );
      await expect(
        store.put('evidence/review.json', Buffer.from('forged')),
      ).rejects.toMatchObject(refused);
      await expect(
        store.put('evidence/review.json', Readable.from(['forged']), {
          retainUntil: new Date(clock.getTime() + 10 * HOUR),
        }),
      ).rejects.toMatchObject(refused);

      expect(await store.getBuffer('evidence/review.json')).toEqual(data);
      expect(await backend.stored()).toEqual(['evidence/review.json']);
    });

    it('lets a blob go once its retention has run out', async () => {
      const retainUntil = new Date(clock.getTime() + HOUR);
      await store.put('evidence/old.json', Buffer.from('{}'), { retainUntil });
      await expect(store.delete('evidence/old.json')).rejects.toMatchObject({
        name: 'NotAllowedError',
      });

      advance(HOUR + 1000);
      // What it knows of retention that has run out, it still tells.
      expect(await store.head('evidence/old.json')).toEqual({
        sizeBytes: 2,
        retainUntil,
      });
      await store.delete('evidence/old.json');

      expect(await store.head('evidence/old.json')).toBeUndefined();
      expect(await backend.stored()).toEqual([]);
      // Removed for good, not hidden behind a delete marker.
      expect(await backend.kept()).toEqual([]);
    });

    it('stores a blob whose retainUntil has passed without retention', async () => {
      await store.put('evidence/past.json', Buffer.from('x'), {
        retainUntil: new Date(clock.getTime() - 1000),
      });
      expect(await store.head('evidence/past.json')).toEqual({ sizeBytes: 1 });
      await store.delete('evidence/past.json');
      expect(await backend.stored()).toEqual([]);
    });

    it('refuses an invalid retainUntil before storing anything', async () => {
      await expect(
        store.put('evidence/bad.json', Buffer.from('x'), {
          retainUntil: new Date('not a date'),
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(await backend.stored()).toEqual([]);
    });

    it('extends the retention of content written again, never shortens it', async () => {
      const data = Buffer.from('sbom of the workspace');
      const key = contentAddressedKey(sha256(data));
      const first = new Date(clock.getTime() + HOUR);
      const later = new Date(clock.getTime() + 5 * HOUR);

      await store.putContentAddressed(data, { retainUntil: first });
      expect((await store.head(key))?.retainUntil).toEqual(first);

      const again = await store.putContentAddressed(Readable.from([data]), {
        retainUntil: later,
      });
      expect(again.key).toBe(key);
      expect((await store.head(key))?.retainUntil).toEqual(later);

      await store.putContentAddressed(data, { retainUntil: first });
      await store.putContentAddressed(data);
      expect((await store.head(key))?.retainUntil).toEqual(later);

      advance(2 * HOUR); // past the first date, not the extended one
      await expect(store.delete(key)).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(later.toISOString()),
      });
      expect(await store.getBuffer(key)).toEqual(data);

      advance(4 * HOUR);
      await store.delete(key);
      expect(await backend.stored()).toEqual([]);
    });

    it('gives retention to content stored before without it', async () => {
      const data = Buffer.from('collected twice');
      const key = contentAddressedKey(sha256(data));
      await store.putContentAddressed(data);
      const retainUntil = new Date(clock.getTime() + HOUR);
      await store.putContentAddressed(data, { retainUntil });

      expect((await store.head(key))?.retainUntil).toEqual(retainUntil);
      await expect(store.delete(key)).rejects.toMatchObject({
        name: 'NotAllowedError',
      });
    });

    it('retains a blob stored first and locked later, never shortening', async () => {
      const stored = await store.putContentAddressed(Buffer.from('filed'));
      await store.delete(stored.key); // unretained so far: may go
      const again = await store.putContentAddressed(Buffer.from('filed'));
      const until = new Date(clock.getTime() + 2 * HOUR);

      await store.retain(again.key, until);
      await store.retain(again.key, new Date(clock.getTime() + HOUR));
      await store.retain(again.key, new Date(clock.getTime() - HOUR));
      expect((await store.head(again.key))?.retainUntil).toEqual(until);

      const refused = {
        name: 'NotAllowedError',
        message: expect.stringContaining(until.toISOString()),
      };
      await expect(store.delete(again.key)).rejects.toMatchObject(refused);
      await expect(
        store.put(again.key, Buffer.from('forged')),
      ).rejects.toMatchObject(refused);
      expect((await store.getBuffer(again.key)).toString()).toBe('filed');

      await expect(
        store.retain('evidence/missing.json', until),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(store.retain('../x', until)).rejects.toMatchObject({
        name: 'InputError',
      });
    });

    it('retains blobs larger than a part, sent in parts', async () => {
      const retainUntil = new Date(clock.getTime() + HOUR);
      const big = randomBytes(6 * MiB + 3);
      await store.put('evidence/dump.sql', Readable.from([big]), {
        retainUntil,
      });
      const stored = await store.putContentAddressed(
        Readable.from([randomBytes(6 * MiB)]),
        { retainUntil },
      );

      for (const key of ['evidence/dump.sql', stored.key]) {
        expect((await store.head(key))?.retainUntil).toEqual(retainUntil);
        await expect(store.delete(key)).rejects.toMatchObject({
          name: 'NotAllowedError',
        });
      }
      expect((await store.getBuffer('evidence/dump.sql')).equals(big)).toBe(
        true,
      );
      // The staging object of the content-addressed write is gone for good.
      expect(await backend.stored()).toEqual(
        ['evidence/dump.sql', stored.key].sort(),
      );
      expect(await backend.kept()).toEqual(
        ['evidence/dump.sql', stored.key].sort(),
      );
    });

    it('still overwrites and deletes blobs written without retention', async () => {
      await store.put('exports/a.bin', Buffer.from('one'));
      await store.put('exports/a.bin', Buffer.from('two'));
      expect((await store.getBuffer('exports/a.bin')).toString()).toBe('two');
      await store.delete('exports/a.bin');
      await store.delete('exports/a.bin');
      expect(await store.head('exports/a.bin')).toBeUndefined();
      expect(await backend.stored()).toEqual([]);
    });
  },
);

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
