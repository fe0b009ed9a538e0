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
  ObjectLockMode,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Digest, Digester, checkDigest } from './digest';
import { assertBlobKey, contentAddressedKey } from './keys';
import {
  Clock,
  isRetained,
  laterOf,
  requestedRetention,
  retainedError,
  systemClock,
} from './retention';
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
   * For a bucket with S3 Object Lock enabled. `mode` is the lock of every
   * retained object (COMPLIANCE: no one, not even the account's root, can
   * remove that version before its date; GOVERNANCE: only with the bypass
   * permission, which this store never uses). A write with
   * `retainUntil` is locked until then; with `retainDays` every write is
   * locked for at least that many days (the later date wins). Forces
   * checksums on, and locked writes carry Content-MD5 as well, which S3
   * requires of writes with Object Lock parameters.
   */
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainDays?: number };
  /** Clock deciding which retain-until dates lie ahead. Default: the system clock. */
  now?: () => Date;
}

/** The Object Lock retention one write asks for. */
interface Lock {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  retainUntil: Date;
  /** Asked for with `retainUntil` (not only the default): no put may replace it. */
  fixed: boolean;
}

/** What a HeadObject tells of the current version of an object. */
interface ObjectHead {
  sizeBytes: number;
  versionId?: string;
  mode?: string;
  retainUntil?: Date;
  fixed: boolean;
}

/** User metadata (`x-amz-meta-…`) marking a version written with `retainUntil`. */
const FIXED_METADATA = 'ops-retention';
const FIXED_VALUE = 'fixed';

/** Versions one `delete` removes at most (older versions surface as newer go). */
const MAX_VERSIONS_PER_DELETE = 1000;

/**
 * Keeps blobs as objects in an S3 bucket or an S3-compatible service.
 *
 * With `objectLock` (a bucket with Object Lock enabled, hence versioned):
 * a retained write sends `x-amz-object-lock-mode` and
 * `x-amz-object-lock-retain-until-date` (on PutObject, or on
 * CreateMultipartUpload with Content-MD5 on every part; a staged
 * content-addressed upload is not locked, its copy is). A content-addressed
 * write of stored content extends the stored version's retention with
 * PutObjectRetention when it asks for a later date (as `retain` does).
 * `put` reads the current version first and refuses to replace a retained
 * one before its date, except, when `retainDays` is configured, one not
 * written with `retainUntil`: that gets a new version over it, the retained
 * one staying (the audit anchor relies on this).
 * `delete` removes versions by version id, newest first, so S3 itself
 * decides: a locked version answers 403, surfaced as a NotAllowedError.
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
  readonly #now: Clock;

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
    this.#now = options.now ?? systemClock;
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
    const lock = this.#lockFor(options);
    if (this.#objectLock) {
      const current = await this.#head(objectKey);
      // Without retainDays every retention was asked for (retainUntil or
      // retain), so every retained version is fixed; with it, only marked ones.
      const fixed = current?.fixed || this.#objectLock.retainDays === undefined;
      if (
        fixed &&
        current?.retainUntil &&
        isRetained(current.retainUntil, this.#now())
      ) {
        throw retainedError(key, current.retainUntil);
      }
    }
    const { digest } = await this.#upload(data, options, {
      multipartKey: objectKey,
      lock,
      multipartLock: lock,
      target: () => Promise.resolve({ objectKey, write: true }),
    });
    return this.#stored(key, objectKey, digest);
  }

  async putContentAddressed(
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    const lock = this.#lockFor(options);
    const target = async (digest: Digest) => {
      const objectKey = this.#objectKey(contentAddressedKey(digest.sha256));
      const existing = await this.#head(objectKey);
      if (existing && lock?.fixed)
        await this.#extend(objectKey, existing, lock);
      return { objectKey, write: !existing };
    };
    const stagingKey = `${this.#prefix}.staging/${randomUUID()}`;
    // The staging object is never locked: it is removed once copied.
    const { digest, multipart, versionId } = await this.#upload(data, options, {
      multipartKey: stagingKey,
      lock,
      target,
    });
    const key = contentAddressedKey(digest.sha256);
    if (multipart) {
      const removeStaging = () =>
        this.#client.send(
          new DeleteObjectCommand({
            Bucket: this.#bucket,
            Key: stagingKey,
            // In a versioned (Object Lock) bucket, remove the version itself.
            ...(this.#objectLock && versionId && { VersionId: versionId }),
          }),
        );
      try {
        const { objectKey, write } = await target(digest);
        if (write) await this.#copy(stagingKey, objectKey, lock);
      } catch (error) {
        await removeStaging().catch(() => {});
        throw error;
      }
      await removeStaging();
    }
    return this.#stored(key, this.#objectKey(key), digest);
  }

  async retain(key: string, retainUntil: Date): Promise<void> {
    const objectKey = this.#objectKey(key);
    const lock = this.#lockFor({ retainUntil });
    const existing = await this.#head(objectKey);
    if (!existing) throw new NotFoundError(`No blob with key "${key}"`);
    if (lock?.fixed) await this.#extend(objectKey, existing, lock);
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
    const head = await this.#head(this.#objectKey(key));
    if (!head) return undefined;
    return head.retainUntil
      ? { sizeBytes: head.sizeBytes, retainUntil: head.retainUntil }
      : { sizeBytes: head.sizeBytes };
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.#objectKey(key);
    if (!this.#objectLock) {
      await this.#client.send(
        new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
      return;
    }
    // A versioned bucket: a plain DeleteObject would only hide the object
    // behind a delete marker. Remove each version; S3 refuses locked ones.
    for (let i = 0; i < MAX_VERSIONS_PER_DELETE; i++) {
      const current = await this.#head(objectKey);
      if (!current) return;
      try {
        await this.#client.send(
          new DeleteObjectCommand({
            Bucket: this.#bucket,
            Key: objectKey,
            VersionId: current.versionId,
          }),
        );
      } catch (error) {
        if (isAccessDenied(error)) {
          throw current.retainUntil &&
            isRetained(current.retainUntil, this.#now())
            ? retainedError(key, current.retainUntil)
            : new NotAllowedError(
                `Blob "${key}" is protected by S3 Object Lock (a retention or legal hold): it cannot be deleted`,
              );
        }
        throw error;
      }
      if (current.versionId === undefined) return;
    }
    throw new Error(
      `Blob "${key}" has more than ${MAX_VERSIONS_PER_DELETE} versions; delete stopped`,
    );
  }

  /**
   * The Object Lock retention of one write: the later of `retainUntil` (if
   * ahead) and the configured default. Without `objectLock`, a write that
   * asks for retention is refused: this store could not keep it.
   */
  #lockFor(options: PutBlobOptions): Lock | undefined {
    const now = this.#now();
    const requested = requestedRetention(options.retainUntil, now);
    if (!this.#objectLock) {
      if (requested) {
        throw new Error(
          `S3 blob store of bucket "${
            this.#bucket
          }" cannot retain blobs: configure objectLock (mode) for a bucket with S3 Object Lock enabled`,
        );
      }
      return undefined;
    }
    const { mode, retainDays } = this.#objectLock;
    const byDefault =
      retainDays === undefined
        ? undefined
        : new Date(now.getTime() + retainDays * 24 * 60 * 60 * 1000);
    const retainUntil = laterOf(requested, byDefault);
    return retainUntil && { mode, retainUntil, fixed: requested !== undefined };
  }

  /** Extends the retention of the version `existing` to `lock`'s date; never shortens it. */
  async #extend(objectKey: string, existing: ObjectHead, lock: Lock) {
    if (
      existing.retainUntil &&
      existing.retainUntil.getTime() >= lock.retainUntil.getTime()
    ) {
      return;
    }
    // A COMPLIANCE lock cannot become GOVERNANCE: keep the stronger mode.
    const mode = existing.mode === 'COMPLIANCE' ? 'COMPLIANCE' : lock.mode;
    await this.#client.send(
      new PutObjectRetentionCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        VersionId: existing.versionId,
        Retention: { Mode: mode, RetainUntilDate: lock.retainUntil },
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
    how: {
      multipartKey: string;
      /** Retention of a single PutObject. */
      lock?: Lock;
      /** Retention of a multipart upload. */
      multipartLock?: Lock;
      target: (
        digest: Digest,
      ) => Promise<{ objectKey: string; write: boolean }>;
    },
  ): Promise<{ digest: Digest; multipart: boolean; versionId?: string }> {
    const { multipartKey, target } = how;
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
          if (write) await this.#putObject(objectKey, part.data, how.lock);
          return { digest, multipart: false };
        }
        uploadId ??= await this.#createMultipartUpload(
          multipartKey,
          how.multipartLock,
        );
        parts.push(
          await this.#uploadPart(
            multipartKey,
            uploadId,
            part,
            how.multipartLock !== undefined,
          ),
        );
        if (digest) {
          const completed = await this.#client.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.#bucket,
              Key: multipartKey,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
          return {
            digest,
            multipart: true,
            versionId: completed.VersionId,
          };
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

  async #putObject(
    objectKey: string,
    body: Buffer,
    lock: Lock | undefined,
  ): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        Body: body,
        ContentLength: body.length,
        ContentType: 'application/octet-stream',
        ...lockParameters(lock),
        // S3 requires Content-MD5 or a checksum of writes with Object Lock
        // parameters; the CRC32 is there too, MD5 suits every S3-compatible.
        ...(lock && { ContentMD5: md5Base64(body) }),
      }),
    );
  }

  async #createMultipartUpload(
    objectKey: string,
    lock: Lock | undefined,
  ): Promise<string> {
    const { UploadId } = await this.#client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        ContentType: 'application/octet-stream',
        ...lockParameters(lock),
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
    locked: boolean,
  ): Promise<CompletedPart> {
    const response = await this.#client.send(
      new UploadPartCommand({
        Bucket: this.#bucket,
        Key: objectKey,
        UploadId: uploadId,
        PartNumber: part.number,
        Body: part.data,
        ContentLength: part.data.length,
        // Required of each part of an upload created with Object Lock parameters.
        ...(locked && { ContentMD5: md5Base64(part.data) }),
        ...(this.#checksums && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }),
      }),
    );
    return {
      PartNumber: part.number,
      ETag: response.ETag,
      ...(this.#checksums && { ChecksumCRC32: response.ChecksumCRC32 }),
    };
  }

  async #copy(
    fromKey: string,
    toKey: string,
    lock: Lock | undefined,
  ): Promise<void> {
    const source = fromKey.split('/').map(encodeURIComponent).join('/');
    await this.#client.send(
      new CopyObjectCommand({
        Bucket: this.#bucket,
        Key: toKey,
        CopySource: `${encodeURIComponent(this.#bucket)}/${source}`,
        ...lockParameters(lock),
        ...(lock?.fixed && {
          MetadataDirective: 'REPLACE',
          ContentType: 'application/octet-stream',
        }),
      }),
    );
  }

  /** The current version of `objectKey`, or undefined when there is none. */
  async #head(objectKey: string): Promise<ObjectHead | undefined> {
    try {
      const response = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }),
      );
      return {
        sizeBytes: response.ContentLength ?? 0,
        versionId: response.VersionId,
        mode: response.ObjectLockMode,
        retainUntil: response.ObjectLockRetainUntilDate,
        fixed: response.Metadata?.[FIXED_METADATA] === FIXED_VALUE,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
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

/** The Object Lock parameters (and marker metadata) of a write. */
function lockParameters(lock: Lock | undefined) {
  if (!lock) return {};
  return {
    ObjectLockMode: lock.mode as ObjectLockMode,
    ObjectLockRetainUntilDate: lock.retainUntil,
    ...(lock.fixed && { Metadata: { [FIXED_METADATA]: FIXED_VALUE } }),
  };
}

function md5Base64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

/** S3's 403 AccessDenied, as it answers a DELETE of a locked version. */
function isAccessDenied(error: unknown): boolean {
  const { name, $metadata } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return name === 'AccessDenied' && $metadata?.httpStatusCode === 403;
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
