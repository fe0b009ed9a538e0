import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NotFoundError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import type { RegionConfig } from '../config';
import { BlobStore, LocalBlobStore, assertBlobKey } from './storage';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Keys are stored under `<prefix>/`. */
  prefix?: string;
  /** Default us-east-1. */
  region?: string;
  /** For S3-compatible services (MinIO, Ceph, ...); default AWS S3. */
  endpoint?: string;
  /** `bucket` in the path rather than the host name; default true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Without them the SDK's default chain (environment, profile, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Keeps blobs as objects in an S3 bucket or an S3-compatible service. */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3BlobStoreOptions) {
    if (options.prefix !== undefined) assertBlobKey(options.prefix);
    const custom = options.endpoint !== undefined;
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? custom,
      // A copy: the SDK marks the object it is given.
      credentials: options.credentials && { ...options.credentials },
      // Not every S3-compatible service accepts the SDK's default CRC32
      // checksum headers; the signed payload SHA-256 still covers uploads.
      ...(custom && {
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    });
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ? `${options.prefix}/` : '';
  }

  async put(
    key: string,
    data: Buffer,
  ): Promise<{ location: string; sizeBytes: number; sha256: string }> {
    const objectKey = this.#objectKey(key);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        Body: data,
        ContentLength: data.length,
        ContentType: 'application/octet-stream',
      }),
    );
    return {
      location: `s3://${this.#bucket}/${objectKey}`,
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  }

  async get(key: string): Promise<Buffer> {
    const objectKey = this.#objectKey(key);
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
      if (!response.Body) {
        throw new Error(
          `S3 returned no body for s3://${this.#bucket}/${objectKey}`,
        );
      }
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') {
        throw new NotFoundError(`No blob with key "${key}"`);
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({
        Bucket: this.#bucket,
        Key: this.#objectKey(key),
      }),
    );
  }

  #objectKey(key: string): string {
    assertBlobKey(key);
    return this.#prefix + key;
  }
}

/** The blob store a region's `storage` settings describe. */
export function createBlobStore(storage: RegionConfig['storage']): BlobStore {
  return 's3' in storage
    ? new S3BlobStore(storage.s3)
    : new LocalBlobStore(storage.directory);
}
