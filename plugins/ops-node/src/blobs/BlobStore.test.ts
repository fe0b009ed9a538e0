import { createCipheriv, createHash, randomBytes } from 'node:crypto';
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

const MiB = 1024 * 1024;

// Several cases move tens of MiB through a store; the machine may be busy.
jest.setTimeout(60_000);
const BUCKET = 'ops-blobs';
const credentials = {
  accessKeyId: 'AKIATESTOPS',
  secretAccessKey: 'test-secret-access-key',
};

/** One implementation under test, with a look at what it really holds. */
interface Backend {
  store: BlobStore;
  /** Every file or object stored, temp and staging ones included. */
  stored(): Promise<string[]>;
  /** Multipart uploads or temp files still open. */
  pendingUploads(): number;
  locationOf(key: string): RegExp;
}

interface BackendKind {
  kind: string;
  setUp(): Promise<void>;
  create(): Promise<Backend>;
  tearDown(): Promise<void>;
}

let server: FakeS3Server;
let directory: string;

const kinds: BackendKind[] = [
  {
    kind: 'local',
    async setUp() {},
    async create() {
      directory = await mkdtemp(join(tmpdir(), 'ops-blobs-'));
      return {
        store: new LocalBlobStore(directory),
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
            .sort();
        },
        pendingUploads: () => 0,
        locationOf: key =>
          new RegExp(`^file://${escapeRegExp(join(directory, key))}$`),
      };
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
        buckets: [BUCKET],
      });
    },
    async create() {
      server.buckets.get(BUCKET)!.clear();
      server.uploads.clear();
      server.requests.length = 0;
      return {
        store: new S3BlobStore({
          bucket: BUCKET,
          endpoint: server.endpoint,
          credentials,
          partSizeBytes: 5 * MiB,
        }),
        stored: async () => [...server.buckets.get(BUCKET)!.keys()].sort(),
        pendingUploads: () => server.uploads.size,
        locationOf: key => new RegExp(`^s3://${BUCKET}/${escapeRegExp(key)}$`),
      };
    },
    async tearDown() {
      await server.close();
    },
  },
];

describe.each(kinds)('$kind blob store', ({ setUp, create, tearDown }) => {
  let backend: Backend;
  let store: BlobStore;

  beforeAll(setUp);
  afterAll(tearDown);
  beforeEach(async () => {
    backend = await create();
    store = backend.store;
  });

  it('round-trips a buffer', async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13]);
    const stored = await store.put('exports/EU/req-1.zip.enc', data);

    expect(stored).toEqual({
      key: 'exports/EU/req-1.zip.enc',
      location: expect.stringMatching(
        backend.locationOf('exports/EU/req-1.zip.enc'),
      ),
      sizeBytes: data.length,
      sha256: sha256(data),
    });
    expect(await backend.stored()).toEqual(['exports/EU/req-1.zip.enc']);
    expect(await readAll(await store.get('exports/EU/req-1.zip.enc'))).toEqual(
      data,
    );
    expect(await store.getBuffer('exports/EU/req-1.zip.enc')).toEqual(data);
    expect(await store.head('exports/EU/req-1.zip.enc')).toEqual({
      sizeBytes: data.length,
    });
  });

  it('round-trips a stream of several chunks, strings included', async () => {
    const stored = await store.put(
      'notes/a.txt',
      Readable.from([Buffer.from('hello, '), 'wörld', Buffer.from('!')]),
    );
    const expected = Buffer.from('hello, wörld!');

    expect(stored).toMatchObject({
      key: 'notes/a.txt',
      sizeBytes: expected.length,
      sha256: sha256(expected),
    });
    expect((await store.getBuffer('notes/a.txt')).toString()).toBe(
      'hello, wörld!',
    );
  });

  it('round-trips an empty blob', async () => {
    const stored = await store.put('empty.bin', Readable.from([]));

    expect(stored).toMatchObject({
      sizeBytes: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
    expect(await store.getBuffer('empty.bin')).toEqual(Buffer.alloc(0));
    expect(await store.head('empty.bin')).toEqual({ sizeBytes: 0 });
  });

  it('streams ~20 MB in and out with its size and SHA-256', async () => {
    const size = 20 * MiB + 12345;
    const source = generated(size);
    const stored = await store.put('big/archive.bin', source.stream);

    expect(stored).toMatchObject({
      key: 'big/archive.bin',
      sizeBytes: size,
      sha256: source.sha256(),
    });
    expect(await store.head('big/archive.bin')).toEqual({ sizeBytes: size });

    const hash = createHash('sha256');
    let read = 0;
    for await (const chunk of await store.get('big/archive.bin')) {
      hash.update(chunk);
      read += chunk.length;
    }
    expect(read).toBe(size);
    expect(hash.digest('hex')).toBe(source.sha256());
    expect(await backend.stored()).toEqual(['big/archive.bin']);
    expect(backend.pendingUploads()).toBe(0);
  });

  it('overwrites a blob', async () => {
    await store.put('exports/a.bin', Buffer.from('first version'));
    const second = await store.put('exports/a.bin', Readable.from(['v2']));

    expect(second).toMatchObject({ sizeBytes: 2, sha256: sha256('v2') });
    expect((await store.getBuffer('exports/a.bin')).toString()).toBe('v2');
    expect(await store.head('exports/a.bin')).toEqual({ sizeBytes: 2 });
    expect(await backend.stored()).toEqual(['exports/a.bin']);
  });

  it('deletes a blob, and deleting a missing one is not an error', async () => {
    await store.put('exports/b.bin', Buffer.from('bytes'));
    await store.put('exports/c.bin', Buffer.from('kept'));
    await store.delete('exports/b.bin');

    await expect(store.get('exports/b.bin')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(await store.head('exports/b.bin')).toBeUndefined();
    await expect(store.delete('exports/b.bin')).resolves.toBeUndefined();
    await expect(store.delete('never/there.bin')).resolves.toBeUndefined();
    expect(await backend.stored()).toEqual(['exports/c.bin']);
  });

  it('reports a missing key as a NotFoundError before any stream', async () => {
    await expect(store.get('exports/missing.bin')).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No blob with key "exports/missing.bin"',
    });
    await expect(store.getBuffer('exports/missing.bin')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(await store.head('exports/missing.bin')).toBeUndefined();
  });

  it('has no blob at a key that only prefixes others', async () => {
    await store.put('folder/inside.bin', Buffer.from('x'));

    expect(await store.head('folder')).toBeUndefined();
    await expect(store.get('folder')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(store.getBuffer('folder')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(store.delete('folder')).resolves.toBeUndefined();
    expect(await backend.stored()).toEqual(['folder/inside.bin']);
  });

  it('writes content-addressed blobs once, however often they are written', async () => {
    const data = Buffer.from('evidence: access review Q3');
    const key = contentAddressedKey(sha256(data));
    expect(key).toBe(`sha256/${sha256(data).slice(0, 2)}/${sha256(data)}`);

    const first = await store.putContentAddressed(data);
    const second = await store.putContentAddressed(Readable.from([data]));

    expect(first).toEqual({
      key,
      location: expect.stringMatching(backend.locationOf(key)),
      sizeBytes: data.length,
      sha256: sha256(data),
    });
    expect(second).toEqual(first);
    expect(await store.getBuffer(key)).toEqual(data);
    expect(await backend.stored()).toEqual([key]);
  });

  it('writes a content-addressed stream larger than a part once', async () => {
    const size = 6 * MiB + 7;
    const source = generated(size, 'seed');
    const first = await store.putContentAddressed(source.stream);
    const again = generated(size, 'seed');
    const second = await store.putContentAddressed(again.stream, {
      sha256: again.sha256Of(),
    });

    const key = contentAddressedKey(source.sha256());
    expect(first).toMatchObject({
      key,
      sizeBytes: size,
      sha256: source.sha256(),
    });
    expect(second).toEqual(first);
    expect(await store.head(key)).toEqual({ sizeBytes: size });
    expect(await backend.stored()).toEqual([key]);
    expect(backend.pendingUploads()).toBe(0);
  });

  it.each([
    '../outside',
    'exports/../../outside',
    '..',
    '/etc/passwd',
    'exports\\..\\x',
    '',
    'a//b',
    'exports/',
    'a b',
    'ü.bin',
  ])('refuses the key %p and writes nothing', async key => {
    const refused = { name: 'InputError' };
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject(
      refused,
    );
    await expect(store.put(key, Readable.from(['x']))).rejects.toMatchObject(
      refused,
    );
    await expect(store.get(key)).rejects.toMatchObject(refused);
    await expect(store.getBuffer(key)).rejects.toMatchObject(refused);
    await expect(store.head(key)).rejects.toMatchObject(refused);
    await expect(store.delete(key)).rejects.toMatchObject(refused);
    expect(await backend.stored()).toEqual([]);
  });

  it.each([
    ['before the first part', 1000],
    ['after a whole part', 6 * MiB],
  ])(
    'leaves nothing behind when the stream fails %s',
    async (_when, bytesBeforeError) => {
      await store.put('exports/kept.bin', Buffer.from('old'));

      const failing = () => failingStream(bytesBeforeError);
      await expect(store.put('exports/kept.bin', failing())).rejects.toThrow(
        'source broke',
      );
      await expect(store.put('exports/new.bin', failing())).rejects.toThrow(
        'source broke',
      );
      await expect(store.putContentAddressed(failing())).rejects.toThrow(
        'source broke',
      );

      expect(await backend.stored()).toEqual(['exports/kept.bin']);
      expect((await store.getBuffer('exports/kept.bin')).toString()).toBe(
        'old',
      );
      expect(backend.pendingUploads()).toBe(0);
    },
  );

  it.each([
    ['a small blob', 100],
    ['a blob larger than a part', 6 * MiB],
  ])(
    'refuses %s whose declared size or SHA-256 does not match',
    async (_what, size) => {
      const wrongHash = { sha256: sha256('something else') };
      await expect(
        store.put('exports/a.bin', generated(size).stream, wrongHash),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /^Blob content has SHA-256 [0-9a-f]{64}, expected/,
        ),
      });
      await expect(
        store.put('exports/a.bin', generated(size).stream, {
          sizeBytes: size + 1,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: `Blob content is ${size} bytes, expected ${size + 1}`,
      });
      await expect(
        store.putContentAddressed(generated(size).stream, wrongHash),
      ).rejects.toMatchObject({ name: 'InputError' });

      const matching = generated(size);
      const data = await readAll(matching.stream);
      await expect(
        store.put('exports/a.bin', data, {
          sha256: matching.sha256().toUpperCase(),
          sizeBytes: size,
        }),
      ).resolves.toMatchObject({ sizeBytes: size });
      expect(await backend.stored()).toEqual(['exports/a.bin']);
      expect(backend.pendingUploads()).toBe(0);
    },
  );
});

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** `size` pseudo-random bytes in 64 KiB blocks; the same `seed` gives the same bytes. */
function* blocks(size: number, seed: string): Generator<Buffer> {
  // AES-CTR over zeros: a fast deterministic byte stream.
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  for (let sent = 0; sent < size; ) {
    const block = cipher.update(Buffer.alloc(Math.min(64 * 1024, size - sent)));
    sent += block.length;
    yield block;
  }
}

/** A stream of {@link blocks}, produced as it is read, never whole in memory. */
function generated(size: number, seed = randomBytes(8).toString('hex')) {
  const hash = createHash('sha256');
  let digest: string | undefined;
  function* hashed() {
    for (const block of blocks(size, seed)) {
      hash.update(block);
      yield block;
    }
    digest = hash.digest('hex');
  }
  return {
    stream: Readable.from(hashed()),
    /** The SHA-256 of the bytes; known once the stream has been read. */
    sha256() {
      if (!digest) throw new Error('The stream has not been read yet');
      return digest;
    },
    /** The SHA-256 of the same bytes, computed apart. */
    sha256Of() {
      const apart = createHash('sha256');
      for (const block of blocks(size, seed)) apart.update(block);
      return apart.digest('hex');
    },
  };
}

/** A stream that yields `bytesBeforeError` bytes, then fails. */
function failingStream(bytesBeforeError: number): Readable {
  async function* chunks() {
    for (let sent = 0; sent < bytesBeforeError; sent += 64 * 1024) {
      yield randomBytes(Math.min(64 * 1024, bytesBeforeError - sent));
    }
    throw new Error('source broke');
  }
  return Readable.from(chunks());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
