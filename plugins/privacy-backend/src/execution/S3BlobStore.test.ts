import { ConfigReader } from '@backstage/config';
import { createHash, randomBytes } from 'node:crypto';
import { readPrivacyConfig } from '../config';
import {
  S3BlobStore,
  S3BlobStoreOptions,
  createBlobStore,
} from './S3BlobStore';
import { LocalBlobStore } from './storage';
import { FakeS3Server, startFakeS3Server } from './testing/fakeS3Server';

const credentials = {
  accessKeyId: 'AKIATESTPRIVACY',
  secretAccessKey: 'test-secret-access-key',
};

describe('S3BlobStore', () => {
  let server: FakeS3Server;
  beforeEach(async () => {
    server = await startFakeS3Server({
      accessKeyId: credentials.accessKeyId,
      buckets: ['privacy-eu'],
    });
  });
  afterEach(async () => {
    await server.close();
  });

  function store(options: Partial<S3BlobStoreOptions> = {}) {
    return new S3BlobStore({
      bucket: 'privacy-eu',
      endpoint: server.endpoint,
      credentials,
      ...options,
    });
  }

  it('puts and gets the exact bytes under the prefix', async () => {
    const s3 = store({ prefix: 'tenants/eu', region: 'eu-west-1' });
    const data = randomBytes(3 * 1024 * 1024); // large enough for Expect: 100-continue
    const stored = await s3.put('exports/EU/req-1.zip.enc', data);

    expect(stored).toEqual({
      location: 's3://privacy-eu/tenants/eu/exports/EU/req-1.zip.enc',
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    const objects = server.buckets.get('privacy-eu')!;
    expect([...objects.keys()]).toEqual([
      'tenants/eu/exports/EU/req-1.zip.enc',
    ]);
    expect(
      objects.get('tenants/eu/exports/EU/req-1.zip.enc')!.equals(data),
    ).toBe(true);
    expect(server.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/privacy-eu/tenants/eu/exports/EU/req-1.zip.enc',
      headers: {
        'content-type': 'application/octet-stream',
        'x-amz-content-sha256': stored.sha256,
        authorization: expect.stringMatching(
          /^AWS4-HMAC-SHA256 Credential=AKIATESTPRIVACY\/\d{8}\/eu-west-1\/s3\/aws4_request,/,
        ),
      },
    });

    // No CRC32 headers for S3-compatible endpoints.
    expect(server.requests[0].headers).not.toHaveProperty(
      'x-amz-sdk-checksum-algorithm',
    );

    const read = await s3.get('exports/EU/req-1.zip.enc');
    expect(read.equals(data)).toBe(true);
  });

  it('stores keys as they are without a prefix and overwrites', async () => {
    const s3 = store();
    const first = await s3.put('exports/a.bin', Buffer.from([0, 1, 2, 255]));
    expect(first.location).toBe('s3://privacy-eu/exports/a.bin');
    await s3.put('exports/a.bin', Buffer.from('v2'));

    expect([...server.buckets.get('privacy-eu')!.keys()]).toEqual([
      'exports/a.bin',
    ]);
    expect((await s3.get('exports/a.bin')).toString()).toBe('v2');
  });

  it('throws a NotFoundError for a missing key', async () => {
    await expect(store().get('exports/missing.bin')).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No blob with key "exports/missing.bin"',
    });
  });

  it('deletes a blob, and deleting a missing one is not an error', async () => {
    const s3 = store({ prefix: 'p' });
    await s3.put('exports/b.bin', Buffer.from('bytes'));
    await s3.delete('exports/b.bin');

    expect(server.buckets.get('privacy-eu')!.size).toBe(0);
    await expect(s3.get('exports/b.bin')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(s3.delete('exports/b.bin')).resolves.toBeUndefined();
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'PUT /privacy-eu/p/exports/b.bin',
      'DELETE /privacy-eu/p/exports/b.bin',
      'GET /privacy-eu/p/exports/b.bin',
      'DELETE /privacy-eu/p/exports/b.bin',
    ]);
  });

  it.each(['../outside', '/etc/passwd', 'a//b', 'exports/', '', 'a b'])(
    'refuses the key %p before any request',
    async key => {
      const s3 = store({ prefix: 'p' });
      await expect(s3.put(key, Buffer.from('x'))).rejects.toMatchObject({
        name: 'InputError',
      });
      await expect(s3.get(key)).rejects.toMatchObject({ name: 'InputError' });
      await expect(s3.delete(key)).rejects.toMatchObject({
        name: 'InputError',
      });
      expect(server.requests).toEqual([]);
    },
  );

  it('surfaces rejected credentials instead of hiding them', async () => {
    const s3 = store({
      credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'nope' },
    });
    await expect(
      s3.put('exports/c.bin', Buffer.from('x')),
    ).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(s3.get('exports/c.bin')).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    await expect(s3.delete('exports/c.bin')).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    expect(server.buckets.get('privacy-eu')!.size).toBe(0);
  });

  it('does not report a missing bucket as a missing blob', async () => {
    await expect(
      store({ bucket: 'no-such-bucket' }).get('exports/d.bin'),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

describe('region storage configuration', () => {
  function read(storage: JsonObject) {
    return readPrivacyConfig(
      new ConfigReader({
        privacy: {
          identifiers: { key: { id: 'ids-1', key: 'k' }, pepper: 'p' },
          regions: { EU: { masterKey: { id: 'eu-1', key: 'k' }, storage } },
        },
      }),
    ).regions.EU!.storage;
  }

  it('accepts a local folder', () => {
    const storage = read({ directory: '/var/lib/privacy/EU' });
    expect(storage).toEqual({ directory: '/var/lib/privacy/EU' });
    expect(createBlobStore(storage)).toBeInstanceOf(LocalBlobStore);
  });

  it('accepts an S3 bucket, with us-east-1 by default', () => {
    const storage = read({
      s3: {
        bucket: 'privacy-eu',
        prefix: 'exports/v1',
        endpoint: 'http://minio.internal:9000',
        credentials,
      },
    });
    expect(storage).toEqual({
      s3: {
        bucket: 'privacy-eu',
        prefix: 'exports/v1',
        region: 'us-east-1',
        endpoint: 'http://minio.internal:9000',
        credentials,
      },
    });
    expect(createBlobStore(storage)).toBeInstanceOf(S3BlobStore);
    expect(read({ s3: { bucket: 'b', region: 'eu-central-1' } })).toEqual({
      s3: { bucket: 'b', region: 'eu-central-1' },
    });
  });

  it.each([
    [
      { directory: '/data', s3: { bucket: 'b' } },
      'Invalid configuration at privacy.regions.EU.storage: set either directory (a local folder) or s3 (an S3-compatible bucket), exactly one',
    ],
    [
      {},
      'Invalid configuration at privacy.regions.EU.storage: set either directory',
    ],
    [
      { s3: {} },
      'Invalid configuration at privacy.regions.EU.storage.s3.bucket: Required',
    ],
    [
      { s3: { bucket: 'b', acessKeyId: 'x' } },
      "Invalid configuration at privacy.regions.EU.storage.s3: Unrecognized key(s) in object: 'acessKeyId'",
    ],
    [
      { s3: { bucket: 'b', prefix: '/exports/' } },
      'Invalid configuration at privacy.regions.EU.storage.s3.prefix: use letters',
    ],
    [
      { s3: { bucket: 'b', endpoint: 'minio:9000' } },
      'Invalid configuration at privacy.regions.EU.storage.s3.endpoint: must be an http:// or https:// URL',
    ],
    [
      { s3: { bucket: 'b', endpoint: 'not a url' } },
      'Invalid configuration at privacy.regions.EU.storage.s3.endpoint: Invalid url',
    ],
    [
      { s3: { bucket: 'b', credentials: { accessKeyId: 'a' } } },
      'Invalid configuration at privacy.regions.EU.storage.s3.credentials.secretAccessKey: Required',
    ],
    [
      { bucket: 'b' },
      "Invalid configuration at privacy.regions.EU.storage: Unrecognized key(s) in object: 'bucket'",
    ],
  ])('rejects %j', (storage, message) => {
    expect(() => read(storage)).toThrow(message);
  });
});
