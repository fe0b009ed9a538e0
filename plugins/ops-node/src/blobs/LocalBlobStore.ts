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
 * Keeps blobs as files under a directory (mode 0600, folders 0700). A write
 * streams into a temp file beside its target, hashing as it goes, is synced
 * to disk and then renamed over the target, so readers see the old blob or
 * the new one, never a part. Unlike S3, a key cannot be both a blob and a
 * folder of blobs: with `a/b` stored, `a` reads as missing and cannot be
 * written (nor `a/b` while `a` is a blob).
 */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  /** Folders already created, so a put costs no mkdir after the first. */
  readonly #directories = new Set<string>();

  constructor(directory: string) {
    this.#root = resolve(directory);
  }

  async put(
    key: string,
    data: BlobData,
    options: PutBlobOptions = {},
  ): Promise<StoredBlob> {
    const path = this.#path(key);
    const temp = tempPath(dirname(path), path);
    const digest = await this.#writeTemp(temp, data, options);
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
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
      if (await this.head(key)) {
        await rm(temp, { force: true });
      } else {
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
    try {
      const stats = await stat(path);
      return stats.isFile() ? { sizeBytes: stats.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await rm(path, { force: true });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
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
