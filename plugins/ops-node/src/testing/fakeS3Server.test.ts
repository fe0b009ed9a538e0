import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { FakeS3Server, startFakeS3Server } from './fakeS3Server';

// The fake's Object Lock rules, called raw (no SDK), so a test that relies
// on the fake refusing something proves the fake does refuse it.

const ACCESS_KEY = 'AKIATESTRAW';
const HOUR = 3600_000;

describe('fake S3 server: Object Lock', () => {
  let server: FakeS3Server;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date();
    server = await startFakeS3Server({
      accessKeyId: ACCESS_KEY,
      buckets: ['plain'],
      objectLockBuckets: ['locked'],
      now: () => clock,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  /** A request as S3 clients send it, signed in form only (the fake checks the key id). */
  async function send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Buffer | string } = {},
  ) {
    const response = await fetch(`${server.endpoint}${path}`, {
      method,
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0`,
        ...options.headers,
      },
      body: options.body,
    });
    const text = await response.text();
    return {
      status: response.status,
      code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
      text,
      headers: response.headers,
    };
  }

  const lockHeaders = (until: Date, mode = 'COMPLIANCE') => ({
    'x-amz-object-lock-mode': mode,
    'x-amz-object-lock-retain-until-date': until.toISOString(),
  });
  const md5 = (body: string) => createHash('md5').update(body).digest('base64');

  it('refuses a PUT with lock headers but neither Content-MD5 nor a checksum', async () => {
    const until = new Date(clock.getTime() + HOUR);
    const refused = await send('PUT', '/locked/a.json', {
      headers: lockHeaders(until),
      body: '{}',
    });
    expect(refused).toMatchObject({ status: 400, code: 'InvalidRequest' });
    expect(refused.text).toContain(
      'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
    );
    expect(server.buckets.get('locked')!.size).toBe(0);
    // The headers it saw are recorded for tests to assert.
    expect(server.requests[0].headers).toMatchObject({
      'x-amz-object-lock-mode': 'COMPLIANCE',
    });

    const withMd5 = await send('PUT', '/locked/a.json', {
      headers: { ...lockHeaders(until), 'content-md5': md5('{}') },
      body: '{}',
    });
    expect(withMd5.status).toBe(200);
    expect(withMd5.headers.get('x-amz-version-id')).toBeTruthy();

    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.from('[]')));
    const withChecksum = await send('PUT', '/locked/b.json', {
      headers: {
        ...lockHeaders(until),
        'x-amz-checksum-crc32': crc.toString('base64'),
      },
      body: '[]',
    });
    expect(withChecksum.status).toBe(200);

    const head = await send('HEAD', '/locked/a.json');
    expect(head.headers.get('x-amz-object-lock-mode')).toBe('COMPLIANCE');
    expect(head.headers.get('x-amz-object-lock-retain-until-date')).toBe(
      until.toISOString(),
    );
  });

  it('checks Content-MD5 against the body', async () => {
    const wrong = await send('PUT', '/plain/a.json', {
      headers: { 'content-md5': md5('something else') },
      body: '{}',
    });
    expect(wrong).toMatchObject({ status: 400, code: 'BadDigest' });
    const invalid = await send('PUT', '/plain/a.json', {
      headers: { 'content-md5': 'bm90IG1kNQ==' },
      body: '{}',
    });
    expect(invalid).toMatchObject({ status: 400, code: 'InvalidDigest' });
    expect(server.buckets.get('plain')!.size).toBe(0);
  });

  it.each([
    [
      'a bucket without Object Lock',
      '/plain/a.json',
      (until: Date) => lockHeaders(until),
      'InvalidRequest',
    ],
    [
      'a date in the past',
      '/locked/a.json',
      (until: Date) => lockHeaders(new Date(until.getTime() - 2 * HOUR)),
      'InvalidArgument',
    ],
    [
      'a mode without a date',
      '/locked/a.json',
      () => ({ 'x-amz-object-lock-mode': 'COMPLIANCE' }),
      'InvalidArgument',
    ],
    [
      'an unknown mode',
      '/locked/a.json',
      (until: Date) => lockHeaders(until, 'FOREVER'),
      'InvalidArgument',
    ],
  ])('refuses lock headers on %s', async (_what, path, headers, code) => {
    const until = new Date(clock.getTime() + HOUR);
    const refused = await send('PUT', path, {
      headers: { ...headers(until), 'content-md5': md5('{}') },
      body: '{}',
    });
    expect(refused).toMatchObject({ status: 400, code });
  });

  it('keeps a locked version: a plain DELETE only adds a delete marker, a versioned one is refused until the date', async () => {
    const until = new Date(clock.getTime() + HOUR);
    const put = await send('PUT', '/locked/a.json', {
      headers: { ...lockHeaders(until), 'content-md5': md5('{}') },
      body: '{}',
    });
    const versionId = put.headers.get('x-amz-version-id')!;

    const marker = await send('DELETE', '/locked/a.json');
    expect(marker.status).toBe(204);
    expect(marker.headers.get('x-amz-delete-marker')).toBe('true');
    expect((await send('GET', '/locked/a.json')).status).toBe(404);
    expect(
      (await send('GET', `/locked/a.json?versionId=${versionId}`)).text,
    ).toBe('{}');

    const refused = await send(
      'DELETE',
      `/locked/a.json?versionId=${versionId}`,
    );
    expect(refused).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(server.versions.get('locked')!.get('a.json')).toHaveLength(2);

    clock = new Date(until.getTime() + 1);
    expect(
      (await send('DELETE', `/locked/a.json?versionId=${versionId}`)).status,
    ).toBe(204);
    expect(
      server.versions
        .get('locked')!
        .get('a.json')!
        .map(v => v.deleteMarker),
    ).toEqual([true]);
  });

  it('lets a GOVERNANCE lock yield to the bypass header, never a COMPLIANCE one', async () => {
    const until = new Date(clock.getTime() + HOUR);
    const ids: Record<string, string> = {};
    for (const mode of ['GOVERNANCE', 'COMPLIANCE']) {
      const put = await send('PUT', `/locked/${mode}`, {
        headers: { ...lockHeaders(until, mode), 'content-md5': md5('x') },
        body: 'x',
      });
      ids[mode] = put.headers.get('x-amz-version-id')!;
    }
    const bypass = { 'x-amz-bypass-governance-retention': 'true' };
    expect(
      (
        await send('DELETE', `/locked/GOVERNANCE?versionId=${ids.GOVERNANCE}`, {
          headers: bypass,
        })
      ).status,
    ).toBe(204);
    expect(
      await send('DELETE', `/locked/COMPLIANCE?versionId=${ids.COMPLIANCE}`, {
        headers: bypass,
      }),
    ).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('extends a COMPLIANCE retention with PUT ?retention and refuses to shorten or weaken it', async () => {
    const until = new Date(clock.getTime() + HOUR);
    await send('PUT', '/locked/a.json', {
      headers: { ...lockHeaders(until), 'content-md5': md5('{}') },
      body: '{}',
    });
    const retention = (mode: string, date: Date) => {
      const body = `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>${mode}</Mode><RetainUntilDate>${date.toISOString()}</RetainUntilDate></Retention>`;
      return send('PUT', '/locked/a.json?retention', {
        headers: { 'content-md5': md5(body) },
        body,
      });
    };
    const later = new Date(until.getTime() + HOUR);

    expect((await retention('COMPLIANCE', later)).status).toBe(200);
    expect(await retention('COMPLIANCE', until)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    expect(await retention('GOVERNANCE', later)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });

    const read = await send('GET', '/locked/a.json?retention');
    expect(read.text).toContain('<Mode>COMPLIANCE</Mode>');
    expect(read.text).toContain(
      `<RetainUntilDate>${later.toISOString()}</RetainUntilDate>`,
    );
    const [version] = server.versions.get('locked')!.get('a.json')!;
    expect(version.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: later });
  });

  it('answers GetObjectRetention of an unlocked object with NoSuchObjectLockConfiguration', async () => {
    await send('PUT', '/locked/free.json', { body: '{}' });
    expect(await send('GET', '/locked/free.json?retention')).toMatchObject({
      status: 404,
      code: 'NoSuchObjectLockConfiguration',
    });
  });

  it('requires Content-MD5 or a checksum on every part of a locked multipart upload', async () => {
    const until = new Date(clock.getTime() + HOUR);
    const created = await send('POST', '/locked/big.bin?uploads', {
      headers: lockHeaders(until),
    });
    const uploadId = /<UploadId>([^<]*)</.exec(created.text)![1];

    const part = 'part one';
    expect(
      await send('PUT', `/locked/big.bin?partNumber=1&uploadId=${uploadId}`, {
        body: part,
      }),
    ).toMatchObject({ status: 400, code: 'InvalidRequest' });
    const accepted = await send(
      'PUT',
      `/locked/big.bin?partNumber=1&uploadId=${uploadId}`,
      { headers: { 'content-md5': md5(part) }, body: part },
    );
    expect(accepted.status).toBe(200);

    const etag = accepted.headers.get('etag')!;
    const complete = await send(
      'POST',
      `/locked/big.bin?uploadId=${uploadId}`,
      {
        body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      },
    );
    expect(complete.status).toBe(200);
    const [version] = server.versions.get('locked')!.get('big.bin')!;
    expect(version.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: until });
  });

  it('creates a bucket with Object Lock enabled on request', async () => {
    const created = await send('PUT', '/made', {
      headers: { 'x-amz-bucket-object-lock-enabled': 'true' },
    });
    expect(created.status).toBe(200);
    expect(server.objectLockBuckets.has('made')).toBe(true);
    expect(
      (
        await send('PUT', '/made/a', {
          headers: {
            ...lockHeaders(new Date(clock.getTime() + HOUR)),
            'content-md5': md5('a'),
          },
          body: 'a',
        })
      ).status,
    ).toBe(200);
    expect(await send('PUT', '/made')).toMatchObject({
      status: 409,
      code: 'BucketAlreadyOwnedByYou',
    });
  });
});
