import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { FakeS3Server, startFakeS3Server } from '../testing/fakeS3Server';
import { contentAddressedKey } from './keys';
import { S3BlobStore, S3BlobStoreOptions } from './S3BlobStore';

// What goes over the wire; BlobStore.test.ts checks what a store does.

const MiB = 1024 * 1024;
const credentials = {
  accessKeyId: 'AKIATESTPRIVACY',
  secretAccessKey: 'test-secret-access-key',
};

jest.setTimeout(30_000);

describe('S3BlobStore on the wire', () => {
  let server: FakeS3Server;
  beforeEach(async () => {
    server = await startFakeS3Server({
      accessKeyId: credentials.accessKeyId,
      buckets: ['privacy-eu'],
      objectLockBuckets: ['privacy-locked'],
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

  /** `METHOD /path?query` of each request, without the SDK's `x-id` and with `uploadId=…`. */
  const calls = () =>
    server.requests.map(r => {
      const query = new URLSearchParams(r.query);
      query.delete('x-id');
      if (query.has('uploadId')) query.set('uploadId', '…');
      const search = query.toString().replace(/=(&|$)/g, '$1');
      return `${r.method} ${r.path}${
        search ? `?${decodeURIComponent(search)}` : ''
      }`;
    });

  it('puts a blob that fits in a part as one signed PutObject under the prefix', async () => {
    const s3 = store({ prefix: 'tenants/eu', region: 'eu-west-1' });
    const data = randomBytes(3 * MiB); // large enough for Expect: 100-continue
    const stored = await s3.put('exports/EU/req-1.zip.enc', data);

    expect(stored).toEqual({
      key: 'exports/EU/req-1.zip.enc',
      location: 's3://privacy-eu/tenants/eu/exports/EU/req-1.zip.enc',
      sizeBytes: data.length,
      sha256: sha256(data),
    });
    const objects = server.buckets.get('privacy-eu')!;
    expect([...objects.keys()]).toEqual([
      'tenants/eu/exports/EU/req-1.zip.enc',
    ]);
    expect(
      objects.get('tenants/eu/exports/EU/req-1.zip.enc')?.equals(data),
    ).toBe(true);
    expect(server.requests).toHaveLength(1);
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
    // No CRC32 headers for S3-compatible endpoints unless asked for.
    expect(server.requests[0].headers).not.toHaveProperty(
      'x-amz-sdk-checksum-algorithm',
    );
    expect(server.requests[0].headers).not.toHaveProperty(
      'x-amz-checksum-crc32',
    );

    expect((await s3.getBuffer('exports/EU/req-1.zip.enc')).equals(data)).toBe(
      true,
    );
    expect(calls()[1]).toBe(
      'GET /privacy-eu/tenants/eu/exports/EU/req-1.zip.enc',
    );
  });

  it('writes every object with the Object Lock retention when configured', async () => {
    const s3 = store({
      bucket: 'privacy-locked',
      objectLock: { mode: 'COMPLIANCE', retainDays: 7 },
    });
    const before = Date.now();
    await s3.put('audit-head/privacy.json', Buffer.from('{}'));
    // A HeadObject first: a blob written with retainUntil may not be replaced.
    expect(server.requests.map(r => r.method)).toEqual(['HEAD', 'PUT']);
    const put = server.requests[1];
    expect(put.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
    const until = Date.parse(
      String(put.headers['x-amz-object-lock-retain-until-date']),
    );
    expect(until - before).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(until - before).toBeLessThan(7 * 24 * 3600_000 + 60_000);
    // Object Lock writes need a checksum.
    expect(put.headers).toHaveProperty('x-amz-checksum-crc32');
    expect(put.headers['content-md5']).toBe(md5('{}'));
  });

  it('stores keys as they are without a prefix', async () => {
    const first = await store().put('exports/a.bin', Buffer.from([0, 1, 255]));
    expect(first.location).toBe('s3://privacy-eu/exports/a.bin');
    expect([...server.buckets.get('privacy-eu')!.keys()]).toEqual([
      'exports/a.bin',
    ]);
  });

  it('sends a longer stream as a multipart upload of signed parts', async () => {
    const s3 = store({ prefix: 'p', partSizeBytes: 5 * MiB });
    const data = randomBytes(12 * MiB + 1);
    const stored = await s3.put('big.bin', chunked(data, 100_000));

    expect(stored).toMatchObject({
      sizeBytes: data.length,
      sha256: sha256(data),
    });
    expect(calls()).toEqual([
      'POST /privacy-eu/p/big.bin?uploads',
      'PUT /privacy-eu/p/big.bin?partNumber=1&uploadId=…',
      'PUT /privacy-eu/p/big.bin?partNumber=2&uploadId=…',
      'PUT /privacy-eu/p/big.bin?partNumber=3&uploadId=…',
      'POST /privacy-eu/p/big.bin?uploadId=…',
    ]);
    const parts = server.requests.filter(r => r.query.includes('partNumber'));
    expect(parts.map(r => Number(r.headers['content-length']))).toEqual([
      5 * MiB,
      5 * MiB,
      2 * MiB + 1,
    ]);
    expect(parts[0].headers['x-amz-content-sha256']).toBe(
      sha256(data.subarray(0, 5 * MiB)),
    );
    expect(
      server.buckets.get('privacy-eu')!.get('p/big.bin')?.equals(data),
    ).toBe(true);
    expect(server.uploads.size).toBe(0);
  });

  it('sends CRC32 checksums with every upload when asked to, as AWS S3 expects', async () => {
    const s3 = store({ checksums: true, partSizeBytes: 5 * MiB });
    const data = randomBytes(6 * MiB);
    await s3.put('big.bin', Readable.from([data]));
    await s3.put('small.bin', Buffer.from('small'));

    const [create, part1, part2, complete, put] = server.requests;
    expect(create.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    for (const part of [part1, part2]) {
      expect(part.headers['x-amz-checksum-crc32']).toMatch(
        /^[A-Za-z0-9+/]{6}==$/,
      );
    }
    // The fake refuses a completion that leaves out the parts' checksums.
    expect(complete.method).toBe('POST');
    expect(put.headers['x-amz-checksum-crc32']).toBeDefined();
    expect(server.buckets.get('privacy-eu')!.get('big.bin')?.equals(data)).toBe(
      true,
    );
  });

  it('aborts the multipart upload when the stream fails', async () => {
    const s3 = store({ partSizeBytes: 5 * MiB });
    async function* failing() {
      yield randomBytes(6 * MiB);
      yield randomBytes(1000); // part 1 is sent once more data follows
      throw new Error('source broke');
    }
    await expect(
      s3.put('broken.bin', Readable.from(failing())),
    ).rejects.toThrow('source broke');

    expect(calls()).toEqual([
      'POST /privacy-eu/broken.bin?uploads',
      'PUT /privacy-eu/broken.bin?partNumber=1&uploadId=…',
      'DELETE /privacy-eu/broken.bin?uploadId=…',
    ]);
    expect(server.uploads.size).toBe(0);
    expect(server.buckets.get('privacy-eu')!.size).toBe(0);
  });

  it('writes small content-addressed blobs after a HeadObject, once', async () => {
    const s3 = store({ prefix: 'p' });
    const data = Buffer.from('evidence');
    const key = contentAddressedKey(sha256(data));
    await s3.putContentAddressed(data);
    await s3.putContentAddressed(data);

    expect(calls()).toEqual([
      `HEAD /privacy-eu/p/${key}`,
      `PUT /privacy-eu/p/${key}`,
      `HEAD /privacy-eu/p/${key}`,
    ]);
  });

  it('stages larger content-addressed blobs, then copies them to their key once', async () => {
    const s3 = store({ prefix: 'p', partSizeBytes: 5 * MiB });
    const data = randomBytes(6 * MiB);
    const key = contentAddressedKey(sha256(data));
    const stored = await s3.putContentAddressed(Readable.from([data]));
    await s3.putContentAddressed(Readable.from([data]));

    expect(stored.location).toBe(`s3://privacy-eu/p/${key}`);
    const staging = calls()[0].match(
      /^POST \/privacy-eu\/(p\/\.staging\/[0-9a-f-]{36})\?uploads$/,
    )?.[1];
    expect(staging).toBeDefined();
    const copy = server.requests.find(r => r.headers['x-amz-copy-source']);
    expect(copy).toMatchObject({
      method: 'PUT',
      path: `/privacy-eu/p/${key}`,
      headers: { 'x-amz-copy-source': `privacy-eu/${staging}` },
    });
    expect(
      calls().filter(c => c.startsWith('PUT /privacy-eu/p/sha256')),
    ).toHaveLength(1);
    expect(
      calls().filter(c => /^DELETE \/privacy-eu\/p\/\.staging\/[^?]+$/.test(c)),
    ).toHaveLength(2);
    expect([...server.buckets.get('privacy-eu')!.keys()]).toEqual([`p/${key}`]);
    expect(
      server.buckets.get('privacy-eu')!.get(`p/${key}`)?.equals(data),
    ).toBe(true);
  });

  it('deletes under the prefix', async () => {
    const s3 = store({ prefix: 'p' });
    await s3.put('exports/b.bin', Buffer.from('bytes'));
    await s3.delete('exports/b.bin');
    await s3.delete('exports/b.bin');
    expect(await s3.head('exports/b.bin')).toBeUndefined();

    expect(calls()).toEqual([
      'PUT /privacy-eu/p/exports/b.bin',
      'DELETE /privacy-eu/p/exports/b.bin',
      'DELETE /privacy-eu/p/exports/b.bin',
      'HEAD /privacy-eu/p/exports/b.bin',
    ]);
  });

  it.each(['../outside', '/etc/passwd', 'a//b', 'exports/', '', 'a b'])(
    'refuses the key %p before any request',
    async key => {
      const s3 = store({ prefix: 'p' });
      const refused = { name: 'InputError' };
      await expect(s3.put(key, Buffer.from('x'))).rejects.toMatchObject(
        refused,
      );
      await expect(s3.get(key)).rejects.toMatchObject(refused);
      await expect(s3.head(key)).rejects.toMatchObject(refused);
      await expect(s3.delete(key)).rejects.toMatchObject(refused);
      expect(server.requests).toEqual([]);
    },
  );

  it('refuses a bad prefix or a part size S3 would refuse', () => {
    expect(() => store({ prefix: '/exports/' })).toThrow('Invalid blob key');
    expect(() => store({ partSizeBytes: 5 * MiB - 1 })).toThrow(
      'partSizeBytes must be a whole number of at least 5242880 (5 MiB)',
    );
  });

  it('surfaces rejected credentials instead of hiding them', async () => {
    const s3 = store({
      credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'nope' },
    });
    const rejected = {
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    };
    await expect(
      s3.put('exports/c.bin', Buffer.from('x')),
    ).rejects.toMatchObject(rejected);
    await expect(s3.get('exports/c.bin')).rejects.toMatchObject(rejected);
    await expect(s3.delete('exports/c.bin')).rejects.toMatchObject(rejected);
    // HEAD answers carry no body, hence no error code: only the status.
    await expect(s3.head('exports/c.bin')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      s3.putContentAddressed(Buffer.from('x')),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    expect(server.buckets.get('privacy-eu')!.size).toBe(0);
  });

  it('does not report a missing bucket as a missing blob', async () => {
    const s3 = store({ bucket: 'no-such-bucket' });
    await expect(s3.get('exports/d.bin')).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(s3.getBuffer('exports/d.bin')).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(
      s3.put('exports/d.bin', Buffer.from('x')),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('S3BlobStore with Object Lock on the wire', () => {
  let server: FakeS3Server;
  let clock = new Date();
  const now = () => clock;
  beforeEach(async () => {
    clock = new Date();
    server = await startFakeS3Server({
      accessKeyId: credentials.accessKeyId,
      buckets: ['plain'],
      objectLockBuckets: ['evidence'],
      now,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  function store(options: Partial<S3BlobStoreOptions> = {}) {
    return new S3BlobStore({
      bucket: 'evidence',
      endpoint: server.endpoint,
      credentials,
      objectLock: { mode: 'COMPLIANCE' },
      partSizeBytes: 5 * MiB,
      now,
      ...options,
    });
  }

  it('sends the lock headers, Content-MD5 and a checksum with a retained PutObject', async () => {
    const retainUntil = new Date(clock.getTime() + 3600_000);
    const data = Buffer.from('evidence bytes');
    await store().put('items/a.json', data, { retainUntil });

    const put = server.requests.find(r => r.method === 'PUT')!;
    expect(put.headers).toMatchObject({
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': retainUntil.toISOString(),
      'content-md5': md5(data),
      'x-amz-checksum-crc32': expect.any(String),
      'x-amz-meta-ops-retention': 'fixed',
    });
    const [version] = server.versions.get('evidence')!.get('items/a.json')!;
    expect(version.lock).toEqual({ mode: 'COMPLIANCE', retainUntil });
  });

  it('sends no lock headers without retainUntil nor retainDays', async () => {
    await store().put('items/plain.json', Buffer.from('{}'));
    const put = server.requests.find(r => r.method === 'PUT')!;
    expect(put.headers).not.toHaveProperty('x-amz-object-lock-mode');
    expect(put.headers).not.toHaveProperty('content-md5');
  });

  it('locks a multipart upload at its creation and sends Content-MD5 with every part', async () => {
    const retainUntil = new Date(clock.getTime() + 3600_000);
    const data = randomBytes(11 * MiB);
    await store().put('items/big.bin', chunked(data, 1 * MiB), { retainUntil });

    const create = server.requests.find(r =>
      new URLSearchParams(r.query).has('uploads'),
    )!;
    expect(create.headers).toMatchObject({
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': retainUntil.toISOString(),
    });
    const parts = server.requests.filter(r => r.query.includes('partNumber'));
    expect(parts.map(p => p.headers['content-md5'])).toEqual([
      md5(data.subarray(0, 5 * MiB)),
      md5(data.subarray(5 * MiB, 10 * MiB)),
      md5(data.subarray(10 * MiB)),
    ]);
    const versions = server.versions.get('evidence')!.get('items/big.bin')!;
    expect(versions).toHaveLength(1);
    expect(versions[0].lock?.retainUntil).toEqual(retainUntil);
  });

  it('stages a large content-addressed blob unlocked, locks its copy and removes the staging version', async () => {
    const retainUntil = new Date(clock.getTime() + 3600_000);
    const data = randomBytes(6 * MiB);
    const key = contentAddressedKey(sha256(data));
    await store().putContentAddressed(Readable.from([data]), { retainUntil });

    const create = server.requests.find(r =>
      new URLSearchParams(r.query).has('uploads'),
    )!;
    expect(create.headers).not.toHaveProperty('x-amz-object-lock-mode');
    const copy = server.requests.find(r => r.headers['x-amz-copy-source'])!;
    expect(copy).toMatchObject({
      path: `/evidence/${key}`,
      headers: {
        'x-amz-object-lock-mode': 'COMPLIANCE',
        'x-amz-object-lock-retain-until-date': retainUntil.toISOString(),
      },
    });
    const removeStaging = server.requests.find(
      r => r.method === 'DELETE' && r.path.includes('.staging'),
    )!;
    expect(removeStaging.query).toMatch(/(^|&)versionId=/);
    expect([...server.versions.get('evidence')!.keys()]).toEqual([key]);
  });

  it('extends the retention of stored content with PutObjectRetention, never shortens it', async () => {
    const data = Buffer.from('same evidence');
    const key = contentAddressedKey(sha256(data));
    const first = new Date(clock.getTime() + 3600_000);
    const later = new Date(clock.getTime() + 7200_000);
    await store().putContentAddressed(data, { retainUntil: first });
    server.requests.length = 0;

    await store().putContentAddressed(data, { retainUntil: later });
    const retention = server.requests.find(r => r.query.includes('retention'))!;
    const [version] = server.versions.get('evidence')!.get(key)!;
    expect(retention.method).toBe('PUT');
    expect(new URLSearchParams(retention.query).get('versionId')).toBe(
      version.versionId,
    );
    expect(version.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: later });

    server.requests.length = 0;
    await store().putContentAddressed(data, { retainUntil: first });
    expect(server.requests.map(r => r.method)).toEqual(['HEAD']);
    expect(version.lock?.retainUntil).toEqual(later);
  });

  it('deletes by version id so that S3 decides, and names the key and date when it refuses', async () => {
    const retainUntil = new Date(clock.getTime() + 3600_000);
    await store().put('items/locked.json', Buffer.from('{}'), { retainUntil });
    server.requests.length = 0;

    await expect(store().delete('items/locked.json')).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: `Blob "items/locked.json" is retained until ${retainUntil.toISOString()}: it cannot be deleted or overwritten before then`,
    });
    const del = server.requests.find(r => r.method === 'DELETE')!;
    expect(new URLSearchParams(del.query).get('versionId')).toBeTruthy();
    // No delete marker either: the object reads as before.
    expect(
      server.versions.get('evidence')!.get('items/locked.json'),
    ).toHaveLength(1);
    expect(server.buckets.get('evidence')!.has('items/locked.json')).toBe(true);
  });

  it('removes every version of a key written over, as a delete should', async () => {
    const s3 = store();
    await s3.put('items/v.json', Buffer.from('1'));
    await s3.put('items/v.json', Buffer.from('2'));
    expect(server.versions.get('evidence')!.get('items/v.json')).toHaveLength(
      2,
    );
    await s3.delete('items/v.json');
    expect(server.versions.get('evidence')!.has('items/v.json')).toBe(false);
    expect(await s3.head('items/v.json')).toBeUndefined();
  });

  it('keeps the audit anchor working under retainDays: a new version over the retained one', async () => {
    const s3 = store({ objectLock: { mode: 'COMPLIANCE', retainDays: 1 } });
    await s3.put('privacy/audit-head/a.json', Buffer.from('{"seq":1}'));
    await s3.put('privacy/audit-head/a.json', Buffer.from('{"seq":2}'));

    expect((await s3.getBuffer('privacy/audit-head/a.json')).toString()).toBe(
      '{"seq":2}',
    );
    const versions = server.versions
      .get('evidence')!
      .get('privacy/audit-head/a.json')!;
    expect(versions.map(v => v.data.toString())).toEqual([
      '{"seq":1}',
      '{"seq":2}',
    ]);
    expect(versions.every(v => v.lock?.mode === 'COMPLIANCE')).toBe(true);
    await expect(s3.delete('privacy/audit-head/a.json')).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('uses the later of retainUntil and retainDays', async () => {
    const s3 = store({ objectLock: { mode: 'GOVERNANCE', retainDays: 2 } });
    const soon = new Date(clock.getTime() + 3600_000);
    await s3.put('items/g.json', Buffer.from('{}'), { retainUntil: soon });
    const [version] = server.versions.get('evidence')!.get('items/g.json')!;
    expect(version.lock).toEqual({
      mode: 'GOVERNANCE',
      retainUntil: new Date(clock.getTime() + 2 * 24 * 3600_000),
    });
  });

  it('refuses retainUntil without objectLock rather than store an unretained blob', async () => {
    const s3 = store({ bucket: 'plain', objectLock: undefined });
    await expect(
      s3.put('items/x.json', Buffer.from('{}'), {
        retainUntil: new Date(clock.getTime() + 3600_000),
      }),
    ).rejects.toThrow(
      'S3 blob store of bucket "plain" cannot retain blobs: configure objectLock',
    );
    await expect(
      s3.putContentAddressed(Buffer.from('{}'), {
        retainUntil: new Date(clock.getTime() + 3600_000),
      }),
    ).rejects.toThrow('cannot retain blobs');
    expect(server.buckets.get('plain')!.size).toBe(0);
  });

  it('surfaces S3 refusing lock headers on a bucket without Object Lock', async () => {
    const s3 = store({ bucket: 'plain' });
    await expect(
      s3.put('items/x.json', Buffer.from('{}'), {
        retainUntil: new Date(clock.getTime() + 3600_000),
      }),
    ).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: 'Bucket is missing Object Lock Configuration',
    });
    expect(server.buckets.get('plain')!.size).toBe(0);
  });
});

function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `data` as a stream of `size`-byte chunks. */
function chunked(data: Buffer, size: number): Readable {
  function* chunks() {
    for (let at = 0; at < data.length; at += size) {
      yield data.subarray(at, at + size);
    }
  }
  return Readable.from(chunks());
}
