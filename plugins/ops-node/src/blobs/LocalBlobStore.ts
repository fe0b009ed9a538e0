import { InputError, NotFoundError } from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import {
  FileHandle,
  mkdir,
  open,
  readFile,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { Digest, Digester, checkDigest } from './digest';
import { assertBlobKey, contentAddressedKey } from './keys';
import {
  Clock,
  isRetained,
  requestedRetention,
  retainedError,
  systemClock,
} from './retention';
import type {
  BlobData,
  BlobMetadata,
  BlobStore,
  PutBlobOptions,
  StoredBlob,
} from './types';

/** Error codes that mean "no file at this path". */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ERR_FS_EISDIR']);

function isMissing(error: unknown): boolean {
  return MISSING.has((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Folder of the retention records, beside the blobs. `~` is no key
 * character, so no key reaches it (nor a record's name, `<key>~`).
 */
const RETENTION_FOLDER = '~retention';

/** What a retention record file holds. */
interface RetentionRecord {
  retainUntil: string;
}

/** Options of a {@link LocalBlobStore} besides its folder. */
export interface LocalBlobStoreOptions {
  /** Clock deciding whether retention has run out. Default: the system clock. */
  now?: () => Date;
}

/**
 * Keeps blobs as files under a directory (mode 0600, folders 0700). A write
 * streams into a temp file beside its target, hashing as it goes, is synced
 * to disk and then renamed over the target, so readers see the old blob or
 * the new one, never a part. Unlike S3, a key cannot be both a blob and a
 * folder of blobs: with `a/b` stored, `a` reads as missing and cannot be
 * written (nor `a/b` while `a` is a blob).
 *
 * Retention (`retainUntil`) is recorded in a small JSON file per blob,
 * `~retention/<key>~` under the directory (`{"retainUntil": "<ISO 8601>"}`),
 * written before the blob itself so a crash leaves a blob retained rather
 * than unguarded. `delete` and `put` read it and refuse a retained blob.
 * This guards against the application, not against someone with the
 * folder's file permissions: for that, use S3 Object Lock.
 */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  readonly #now: Clock;
  /** Folders already created, so a put costs no mkdir after the first. */
  readonly #directories = new Set<string>();

  constructor(directory: string, options: LocalBlobStoreOptions = {}) {
    this.#root = resolve(directory);
    this.#now = options.now ?? systemClock;
  }

  async put(
    key: string,
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    const path = this.#path(key);
    const retainUntil = requestedRetention(options.retainUntil, this.#now());
    // Refuse before reading the content, and again before replacing the file.
    await this.#assertNotRetained(key);
    const temp = tempPath(dirname(path), path);
    const digest = await this.#writeTemp(temp, data, options);
    try {
      await this.#assertNotRetained(key);
      if (retainUntil) await this.#writeRetention(key, retainUntil);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // A record left by a retention that has run out belongs to the old content.
    if (!retainUntil) await rm(this.#retentionPath(key), { force: true });
    return this.#stored(key, path, digest);
  }

  async putContentAddressed(
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    // The key is known only at the end: the temp file waits in `sha256/`.
    const temp = tempPath(join(this.#root, 'sha256'), 'upload');
    const digest = await this.#writeTemp(temp, data, options);
    const key = contentAddressedKey(digest.sha256);
    const path = this.#path(key);
    try {
      const retainUntil = requestedRetention(options.retainUntil, this.#now());
      const existing = await this.head(key);
      if (existing) {
        await rm(temp, { force: true });
        // The same content again: extend its retention, never shorten it.
        if (
          retainUntil &&
          !(
            existing.retainUntil &&
            existing.retainUntil.getTime() >= retainUntil.getTime()
          )
        ) {
          await this.#writeRetention(key, retainUntil);
        }
      } else {
        if (retainUntil) await this.#writeRetention(key, retainUntil);
        // Always: the folder of a new hash prefix may not exist yet.
        await this.#ensureDirectory(dirname(path));
        await rename(temp, path);
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return this.#stored(key, path, digest);
  }

  async retain(key: string, retainUntil: Date): Promise<void> {
    this.#path(key);
    const until = requestedRetention(retainUntil, this.#now());
    const existing = await this.head(key);
    if (!existing) throw notFound(key);
    if (!until) return;
    if (existing.retainUntil && existing.retainUntil >= until) return;
    await this.#writeRetention(key, until);
  }

  async get(key: string): Promise<Readable> {
    const path = this.#path(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw isMissing(error) ? notFound(key) : error;
    }
    try {
      if (!(await handle.stat()).isFile()) throw notFound(key);
    } catch (error) {
      await handle.close();
      throw error;
    }
    // The stream closes the handle when it ends or is destroyed.
    return handle.createReadStream();
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      throw isMissing(error) ? notFound(key) : error;
    }
  }

  async head(key: string): Promise<BlobMetadata | undefined> {
    const path = this.#path(key);
    let sizeBytes: number;
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return undefined;
      sizeBytes = stats.size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const retainUntil = await this.#readRetention(key);
    return retainUntil ? { sizeBytes, retainUntil } : { sizeBytes };
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    await this.#assertNotRetained(key);
    try {
      await rm(path, { force: true });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    await rm(this.#retentionPath(key), { force: true });
  }

  /** Throws a NotAllowedError while the blob under `key` is retained. */
  async #assertNotRetained(key: string): Promise<void> {
    const retainUntil = await this.#readRetention(key);
    if (retainUntil && isRetained(retainUntil, this.#now())) {
      throw retainedError(key, retainUntil);
    }
  }

  /** The recorded retain-until date of `key`, if any. */
  async #readRetention(key: string): Promise<Date | undefined> {
    let text: string;
    try {
      text = await readFile(this.#retentionPath(key), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    let date: Date | undefined;
    try {
      const record = JSON.parse(text) as RetentionRecord;
      date = new Date(record.retainUntil);
    } catch {
      date = undefined;
    }
    if (!date || Number.isNaN(date.getTime())) {
      // Fail closed: an unreadable record must not unlock the blob.
      throw new Error(`The retention record of blob "${key}" is unreadable`);
    }
    return date;
  }

  /** Records `retainUntil` for `key`, atomically (temp file, then rename). */
  async #writeRetention(key: string, retainUntil: Date): Promise<void> {
    const path = this.#retentionPath(key);
    const temp = tempPath(dirname(path), path);
    const record: RetentionRecord = { retainUntil: retainUntil.toISOString() };
    const handle = await this.#createFile(temp);
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
      await handle.close();
      await rename(temp, path);
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
  }

  #retentionPath(key: string): string {
    assertBlobKey(key);
    return join(this.#root, RETENTION_FOLDER, `${key}~`);
  }

  /** Streams `data` into a new file at `temp`; on any failure removes it. */
  async #writeTemp(
    temp: string,
    data: BlobData,
    options: PutBlobOptions,
  ): Promise<Digest> {
    const digester = new Digester();
    const handle = await this.#createFile(temp);
    try {
      // The stream syncs the file to disk and closes it, also on failure.
      await pipeline(
        digester.tap(data),
        handle.createWriteStream({ flush: true }),
      );
      const digest = digester.digest();
      checkDigest(digest, options);
      return digest;
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Opens a new file for writing, creating its folder on first use. */
  async #createFile(path: string): Promise<FileHandle> {
    const directory = dirname(path);
    if (!this.#directories.has(directory)) {
      await this.#ensureDirectory(directory);
    }
    try {
      return await open(path, 'wx', 0o600);
    } catch (error) {
      // The folder was removed since it was created: create it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.#ensureDirectory(directory);
      return await open(path, 'wx', 0o600);
    }
  }

  async #ensureDirectory(directory: string): Promise<void> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    this.#directories.add(directory);
  }

  #stored(key: string, path: string, digest: Digest): StoredBlob {
    return { key, location: pathToFileURL(path).href, ...digest };
  }

  #path(key: string): string {
    assertBlobKey(key);
    const path = resolve(this.#root, key);
    if (!path.startsWith(this.#root + sep)) {
      throw new InputError(`Invalid blob key "${key}": outside the store`);
    }
    return path;
  }
}

/** A unique temp file in `directory`, named after `base`. */
function tempPath(directory: string, base: string): string {
  const name = `${base.slice(base.lastIndexOf(sep) + 1)}.${randomBytes(
    6,
  ).toString('hex')}.tmp`;
  return join(directory, name);
}

function notFound(key: string): NotFoundError {
  return new NotFoundError(`No blob with key "${key}"`);
}
