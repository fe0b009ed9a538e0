import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Content written to a temporary file, with its hash and size known. */
export interface SpooledFile {
  sha256: string;
  sizeBytes: number;
  open(): Readable;
  remove(): Promise<void>;
}

/** Thrown when content grows past `maxBytes` while it is spooled. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than the ${maxBytes}-byte limit`);
    this.name = 'TooLargeError';
  }
}

/**
 * Streams content to a temporary file, hashing it on the way, so the
 * content-addressed key is known before anything is stored, and nothing is
 * held whole in memory. `maxBytes` stops the copy as soon as it is passed.
 */
export async function spool(
  content: Buffer | string | Readable,
  options: { maxBytes?: number } = {},
): Promise<SpooledFile> {
  const folder = await mkdtemp(join(tmpdir(), 'evidence-'));
  const path = join(folder, 'content');
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const source =
    typeof content === 'string' || Buffer.isBuffer(content)
      ? Readable.from([Buffer.from(content)])
      : content;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sizeBytes += chunk.length;
      if (options.maxBytes !== undefined && sizeBytes > options.maxBytes) {
        callback(new TooLargeError(options.maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, measure, createWriteStream(path));
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    sha256: hash.digest('hex'),
    sizeBytes,
    open: () => createReadStream(path),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
