import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CompletedPart,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { InputError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Digest, Digester, checkDigest } from './digest';
import { assertBlobKey, contentAddressedKey } from './keys';
import { splitIntoParts } from './streams';
import type {
  BlobData,
  BlobMetadata,
  BlobStore,
  PutBlobOptions,
  StoredBlob,
} from './types';

const MiB = 1024 * 1024;

/** S3's smallest part but the last. */
const MIN_PART_SIZE = 5 * MiB;

/** Settings of an {@link S3BlobStore}. */
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
  /**
   * Whether uploads carry CRC32 checksums (S3 "flexible checksums"). Default
   * true for AWS S3 and false with an `endpoint`: not every S3-compatible
   * service accepts them. Either way each request's payload is covered by
   * its SigV4 SHA-256.
   */
  checksums?: boolean;
  /**
   * Content up to this size is sent in one PutObject, larger content as a
   * multipart upload of parts this size; also the most one write holds in
   * memory. Default 8 MiB, at least 5 MiB.
   */
  partSizeBytes?: number;
  /**
   * For a bucket with S3 Object Lock: every object written gets this
   * retention, so no one can delete or overwrite that version until it ends
   * (COMPLIANCE: not even the account's root). Forces checksums on, which
   * Object Lock writes require.
   */
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainDays: number };
}

/**
 * Keeps blobs as objects in an S3 bucket or an S3-compatible service.
 *
 * A stream is sent in parts of `partSizeBytes` (a multipart upload, aborted
 * when the write fails, so no object appears), a blob that fits in one part
 * in a single PutObject. A content-addressed write larger than one part is
 * uploaded under `<prefix>/.staging/` first, then copied to its key (S3
 * copies objects up to 5 GB in one call) and the staging object removed.
 * `head` cannot tell a missing bucket from a missing object: S3 answers
 * both with a bare 404.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #checksums: boolean;
  readonly #partSize: number;
  readonly #objectLock?: S3BlobStoreOptions['objectLock'];

  constructor(options: S3BlobStoreOptions) {
    if (options.prefix !== undefined) assertBlobKey(options.prefix);
    const partSize = options.partSizeBytes ?? 8 * MiB;
    if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw new InputError(
        `partSizeBytes must be a whole number of at least ${MIN_PART_SIZE} (5 MiB)`,
      );
    }
    const custom = options.endpoint !== undefined;
    this.#objectLock = options.objectLock;
    this.#checksums =
      options.objectLock !== undefined || (options.checksums ?? !custom);
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? custom,
      // A copy: the SDK marks the object it is given.
      credentials: options.credentials && { ...options.credentials },
      ...(!this.#checksums && {
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    });
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ? `${options.prefix}/` : '';
    this.#partSize = partSize;
  }

  async put(
    key: string,
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    const objectKey = this.#objectKey(key);
    const { digest } = await this.#upload(data, options, objectKey, () =>
      Promise.resolve({ objectKey, write: true }),
    );
    return this.#stored(key, objectKey, digest);
  }

  async putContentAddressed(
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    const target = async (digest: Digest) => {
      const objectKey = this.#objectKey(contentAddressedKey(digest.sha256));
      return { objectKey, write: !(await this.#exists(objectKey)) };
    };
    const stagingKey = `${this.#prefix}.staging/${randomUUID()}`;
    const { digest, multipart } = await this.#upload(
      data,
      options,
      stagingKey,
      target,
    );
    const key = contentAddressedKey(digest.sha256);
    if (multipart) {
      const removeStaging = () =>
        this.#client.send(
          new DeleteObjectCommand({ Bucket: this.#bucket, Key: stagingKey }),
        );
      try {
        const { objectKey, write } = await target(digest);
        if (write) await this.#copy(stagingKey, objectKey);
      } catch (error) {
        await removeStaging().catch(() => {});
        throw error;
      }
      await removeStaging();
    }
    return this.#stored(key, this.#objectKey(key), digest);
  }

  async get(key: string): Promise<Readable> {
    const response = await this.#getObject(key);
    const body = response.Body as unknown;
    if (body instanceof Readable) return body;
    if (body && typeof (body as WebReadableStream).getReader === 'function') {
      return Readable.fromWeb(body as WebReadableStream);
    }
    throw new Error(`S3 returned no readable body for blob "${key}"`);
  }

  async getBuffer(key: string): Promise<Buffer> {
    const response = await this.#getObject(key);
    if (!response.Body) {
      throw new Error(`S3 returned no body for blob "${key}"`);
    }
    return Buffer.from(await response.Body.transformToByteArray());
  }

  async head(key: string): Promise<BlobMetadata | undefined> {
    const objectKey = this.#objectKey(key);
    try {
      const response = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
      return { sizeBytes: response.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
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

  /**
   * Sends `data`: when it fits in one part, one PutObject to the key
   * `target` names once the digest is known (or none when `target` says the
   * object is there already); else a multipart upload to `multipartKey`.
   */
  async #upload(
    data: BlobData,
    options: PutBlobOptions,
    multipartKey: string,
    target: (digest: Digest) => Promise<{ objectKey: string; write: boolean }>,
  ): Promise<{ digest: Digest; multipart: boolean }> {
    const digester = new Digester();
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    try {
      for await (const part of splitIntoParts(
        digester.tap(data),
        this.#partSize,
      )) {
        const digest = part.last ? digester.digest() : undefined;
        if (digest) checkDigest(digest, options);
        if (digest && uploadId === undefined) {
          const { objectKey, write } = await target(digest);
          if (write) await this.#putObject(objectKey, part.data);
          return { digest, multipart: false };
        }
        uploadId ??= await this.#createMultipartUpload(multipartKey);
        parts.push(await this.#uploadPart(multipartKey, uploadId, part));
        if (digest) {
          await this.#client.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.#bucket,
              Key: multipartKey,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
          return { digest, multipart: true };
        }
      }
      throw new Error('The blob stream ended without a last part');
    } catch (error) {
      if (uploadId !== undefined) {
        // The parts stored so far would otherwise be kept (and billed).
        await this.#client
          .send(
            new AbortMultipartUploadCommand({
              Bucket: this.#bucket,
              Key: multipartKey,
              UploadId: uploadId,
            }),
          )
          .catch(() => {});
      }
      throw error;
    }
  }

  async #putObject(objectKey: string, body: Buffer): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        Body: body,
        ContentLength: body.length,
        ContentType: 'application/octet-stream',
        ...this.#retention(),
      }),
    );
  }

  /** The Object Lock retention of an object written now, if configured. */
  #retention() {
    if (!this.#objectLock) return {};
    return {
      ObjectLockMode: this.#objectLock.mode,
      ObjectLockRetainUntilDate: new Date(
        Date.now() + this.#objectLock.retainDays * 24 * 60 * 60 * 1000,
      ),
    };
  }

  async #createMultipartUpload(objectKey: string): Promise<string> {
    const { UploadId } = await this.#client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        ContentType: 'application/octet-stream',
        ...this.#retention(),
        // Parts sent with checksums need an upload created with the algorithm.
        ...(this.#checksums && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }),
      }),
    );
    if (!UploadId) throw new Error('S3 returned no UploadId');
    return UploadId;
  }

  async #uploadPart(
    objectKey: string,
    uploadId: string,
    part: { data: Buffer; number: number },
  ): Promise<CompletedPart> {
    const response = await this.#client.send(
      new UploadPartCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        UploadId: uploadId,
        PartNumber: part.number,
        Body: part.data,
        ContentLength: part.data.length,
        ...(this.#checksums && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }),
      }),
    );
    return {
      PartNumber: part.number,
      ETag: response.ETag,
      ...(this.#checksums && { ChecksumCRC32: response.ChecksumCRC32 }),
    };
  }

  async #copy(fromKey: string, toKey: string): Promise<void> {
    const source = fromKey.split('/').map(encodeURIComponent).join('/');
    await this.#client.send(
      new CopyObjectCommand({
        Bucket: this.#bucket,
        Key: toKey,
        CopySource: `${encodeURIComponent(this.#bucket)}/${source}`,
      }),
    );
  }

  async #exists(objectKey: string): Promise<boolean> {
    try {
      await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async #getObject(key: string) {
    const objectKey = this.#objectKey(key);
    try {
      return await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') {
        throw new NotFoundError(`No blob with key "${key}"`);
      }
      throw error;
    }
  }

  #stored(key: string, objectKey: string, digest: Digest): StoredBlob {
    return { key, location: `s3://${this.#bucket}/${objectKey}`, ...digest };
  }

  #objectKey(key: string): string {
    assertBlobKey(key);
    return this.#prefix + key;
  }
}

/** A 404 from HeadObject, which carries no error code (unlike a missing bucket elsewhere). */
function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (name === 'NoSuchBucket') return false;
  return (
    name === 'NotFound' ||
    name === 'NoSuchKey' ||
    $metadata?.httpStatusCode === 404
  );
}
