import type { Readable } from 'node:stream';

/** What a blob is written from: bytes in memory, or a stream read once. */
export type BlobData = Buffer | Readable;

/** Checks a write makes before it stores anything. */
export interface PutBlobOptions {
  /**
   * The SHA-256 (hex) the content must have. On a mismatch the write fails
   * with an InputError and nothing is stored.
   */
  sha256?: string;
  /** The size the content must have; as for `sha256`. */
  sizeBytes?: number;
  /**
   * Keep the blob until this moment: before it, `delete` of the key and a
   * `put` over it fail with a NotAllowedError naming the key and the date.
   * A content-addressed write of content already stored extends the stored
   * blob's retention to this date when it is later, never shortens it. A
   * date not in the future asks for nothing: the blob is stored unretained.
   * The local store records the date beside the blob; an S3 store needs
   * `objectLock` (S3 Object Lock, which S3 itself enforces) and refuses the
   * write without it.
   */
  retainUntil?: Date;
}

/** A blob as written. */
export interface StoredBlob {
  /** The key it is stored under (for a content-addressed write, the derived key). */
  key: string;
  /** Where it is, for people and logs: `file://...` or `s3://bucket/...`. */
  location: string;
  sizeBytes: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
}

/** What a store knows about a blob without reading it. */
export interface BlobMetadata {
  sizeBytes: number;
  /**
   * Until when the blob is retained, when the store knows (past dates
   * included: retention that has run out).
   */
  retainUntil?: Date;
}

/**
 * Where the ops plugins keep files: export bundles, evidence, anchors.
 *
 * Keys are relative, `/`-separated paths of letters, digits and `._=+@-`
 * (see {@link isBlobKey}); any other key fails with an InputError before
 * anything is read or written. Writes are streamed, never held whole in
 * memory, and atomic: a write that fails (the source stream errors, a
 * declared size or hash does not match, the backend refuses) leaves neither
 * a new nor a partial object behind, and an existing object under the key
 * unchanged.
 */
export interface BlobStore {
  /**
   * Writes `data` under `key`, replacing any blob there, unless that blob
   * is retained (see {@link PutBlobOptions.retainUntil}): then NotAllowedError.
   */
  put(
    key: string,
    data: BlobData,
    options?: PutBlobOptions,
  ): Promise<StoredBlob>;

  /**
   * Writes `data` under a key derived from its SHA-256 (see
   * {@link contentAddressedKey}). Writing content that is already stored
   * changes nothing and returns the same result.
   */
  putContentAddressed(
    data: BlobData,
    options?: PutBlobOptions,
  ): Promise<StoredBlob>;

  /**
   * Retains the stored blob under `key` until `retainUntil`, as a write with
   * {@link PutBlobOptions.retainUntil} would have: extends a shorter
   * retention, never shortens one; a date not in the future does nothing.
   * A missing key fails with a NotFoundError. For content written first and
   * locked once its record is committed.
   */
  retain(key: string, retainUntil: Date): Promise<void>;

  /**
   * The blob's content as a stream. A missing key fails with a
   * NotFoundError here, before any stream is handed back.
   */
  get(key: string): Promise<Readable>;

  /** The blob's content in memory: for small blobs only. NotFoundError as for `get`. */
  getBuffer(key: string): Promise<Buffer>;

  /** The blob's size (and retention), or `undefined` when there is no blob under `key`. */
  head(key: string): Promise<BlobMetadata | undefined>;

  /**
   * Removes the blob; removing a missing blob is not an error. A blob
   * retained beyond now is kept and the call fails with a NotAllowedError.
   */
  delete(key: string): Promise<void>;
}
