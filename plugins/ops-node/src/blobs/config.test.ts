import { ConfigReader } from '@backstage/config';
import { readValidatedConfig } from '../config';
import { blobStoreConfigSchema } from './config';
import { createBlobStore } from './createBlobStore';
import { LocalBlobStore } from './LocalBlobStore';
import { S3BlobStore } from './S3BlobStore';

type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

function read(storage: JsonObject) {
  return readValidatedConfig(
    new ConfigReader({ plugin: { storage } }),
    'plugin.storage',
    blobStoreConfigSchema,
  );
}

const credentials = { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' };

describe('blob store configuration', () => {
  it('accepts a local folder', () => {
    const config = read({ directory: '/var/lib/ops/blobs' });
    expect(config).toEqual({ directory: '/var/lib/ops/blobs' });
    expect(createBlobStore(config)).toBeInstanceOf(LocalBlobStore);
  });

  it('accepts an S3 bucket, with us-east-1 by default', () => {
    const config = read({
      s3: {
        bucket: 'privacy-eu',
        prefix: 'exports/v1',
        endpoint: 'http://minio.internal:9000',
        credentials,
      },
    });
    expect(config).toEqual({
      s3: {
        bucket: 'privacy-eu',
        prefix: 'exports/v1',
        region: 'us-east-1',
        endpoint: 'http://minio.internal:9000',
        credentials,
      },
    });
    expect(createBlobStore(config)).toBeInstanceOf(S3BlobStore);
    expect(read({ s3: { bucket: 'b', region: 'eu-central-1' } })).toEqual({
      s3: { bucket: 'b', region: 'eu-central-1' },
    });
  });

  it('accepts Object Lock with a mode alone, or with a default retention', () => {
    expect(
      read({ s3: { bucket: 'evidence', objectLock: { mode: 'COMPLIANCE' } } }),
    ).toEqual({
      s3: {
        bucket: 'evidence',
        region: 'us-east-1',
        objectLock: { mode: 'COMPLIANCE' },
      },
    });
    expect(
      read({
        s3: {
          bucket: 'anchors',
          objectLock: { mode: 'GOVERNANCE', retainDays: 30 },
        },
      }),
    ).toEqual({
      s3: {
        bucket: 'anchors',
        region: 'us-east-1',
        objectLock: { mode: 'GOVERNANCE', retainDays: 30 },
      },
    });
  });

  it.each([
    [
      { s3: { bucket: 'b', objectLock: { mode: 'FOREVER' } } },
      'Invalid configuration at plugin.storage.s3.objectLock.mode',
    ],
    [
      { s3: { bucket: 'b', objectLock: { retainDays: 7 } } },
      'Invalid configuration at plugin.storage.s3.objectLock.mode: Required',
    ],
    [
      { directory: '/data', s3: { bucket: 'b' } },
      'Invalid configuration at plugin.storage: set either directory (a local folder) or s3 (an S3-compatible bucket), exactly one',
    ],
    [{}, 'Invalid configuration at plugin.storage: set either directory'],
    [{ s3: {} }, 'Invalid configuration at plugin.storage.s3.bucket: Required'],
    [
      { s3: { bucket: 'b', acessKeyId: 'x' } },
      "Invalid configuration at plugin.storage.s3: Unrecognized key(s) in object: 'acessKeyId'",
    ],
    [
      { s3: { bucket: 'b', prefix: '/exports/' } },
      'Invalid configuration at plugin.storage.s3.prefix: use letters',
    ],
    [
      { s3: { bucket: 'b', endpoint: 'minio:9000' } },
      'Invalid configuration at plugin.storage.s3.endpoint: must be an http:// or https:// URL',
    ],
    [
      { s3: { bucket: 'b', endpoint: 'not a url' } },
      'Invalid configuration at plugin.storage.s3.endpoint: Invalid url',
    ],
    [
      { s3: { bucket: 'b', credentials: { accessKeyId: 'a' } } },
      'Invalid configuration at plugin.storage.s3.credentials.secretAccessKey: Required',
    ],
    [
      { bucket: 'b' },
      "Invalid configuration at plugin.storage: Unrecognized key(s) in object: 'bucket'",
    ],
  ])('rejects %j', (storage, message) => {
    expect(() => read(storage)).toThrow(message);
  });
});
