import { InputError, NotFoundError } from '@backstage/errors';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where export bundles are kept. Keys are relative, `/`-separated paths. */
export interface BlobStore {
  put(
    key: string,
    data: Buffer,
  ): Promise<{ location: string; sizeBytes: number; sha256: string }>;
  /** Throws a NotFoundError for an unknown key. */
  get(key: string): Promise<Buffer>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/**
 * Segments of letters, digits and `._=+@-`, separated by `/`: valid as a file
 * path and as an S3 object key alike.
 */
const KEY_PATTERN = /^[A-Za-z0-9._=+@-]+(\/[A-Za-z0-9._=+@-]+)*$/;

/** Whether a blob key is relative, has no `..`, no backslash and only a safe character set. */
export function isBlobKey(key: string): boolean {
  return (
    typeof key === 'string' &&
    key.length > 0 &&
    key.length <= 512 &&
    !isAbsolute(key) &&
    !key.includes('..') &&
    KEY_PATTERN.test(key)
  );
}

/** Throws an InputError unless `isBlobKey(key)`. */
export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) {
    throw new InputError(
      `Invalid blob key "${key}": use a relative path of letters, digits and ._=+@- without ".."`,
    );
  }
}

/** Keeps blobs as files under a directory; writes are atomic (temp file + rename). */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  /** Directories already created, so a put costs no mkdir after the first. */
  readonly #directories = new Set<string>();

  constructor(directory: string) {
    this.#root = resolve(directory);
  }

  async put(
    key: string,
    data: Buffer,
  ): Promise<{ location: string; sizeBytes: number; sha256: string }> {
    const path = this.#path(key);
    const directory = dirname(path);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const write = () => writeFile(temp, data, { mode: 0o600, flush: true });
    try {
      if (!this.#directories.has(directory)) {
        await mkdir(directory, { recursive: true, mode: 0o700 });
        this.#directories.add(directory);
      }
      await write().catch(async error => {
        // The directory was removed since it was created: create it again.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(directory, { recursive: true, mode: 0o700 });
        await write();
      });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return {
      location: pathToFileURL(path).href,
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`No blob with key "${key}"`);
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
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
