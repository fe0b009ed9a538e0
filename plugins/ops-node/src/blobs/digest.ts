import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import type { BlobData, PutBlobOptions } from './types';

/** Size and SHA-256 (hex) of some content. */
export interface Digest {
  sizeBytes: number;
  sha256: string;
}

/**
 * Measures content while it passes through `tap`, so that a store learns
 * its size and hash in the same pass that writes it.
 */
export class Digester {
  readonly #hash = createHash('sha256');
  #sizeBytes = 0;
  #digest?: Digest;

  /** Yields `data` as Buffers, hashing and counting them on the way. */
  async *tap(data: BlobData): AsyncGenerator<Buffer> {
    const chunks: AsyncIterable<unknown> | Iterable<unknown> = Buffer.isBuffer(
      data,
    )
      ? [data]
      : data;
    for await (const chunk of chunks) {
      const buffer = toBuffer(chunk);
      if (buffer.length === 0) continue;
      this.#hash.update(buffer);
      this.#sizeBytes += buffer.length;
      yield buffer;
    }
  }

  /** The digest of everything tapped; call once the content has ended. */
  digest(): Digest {
    this.#digest ??= {
      sizeBytes: this.#sizeBytes,
      sha256: this.#hash.digest('hex'),
    };
    return this.#digest;
  }
}

/** Throws an InputError when `digest` is not what `options` declared. */
export function checkDigest(digest: Digest, options: PutBlobOptions): void {
  if (
    options.sizeBytes !== undefined &&
    options.sizeBytes !== digest.sizeBytes
  ) {
    throw new InputError(
      `Blob content is ${digest.sizeBytes} bytes, expected ${options.sizeBytes}`,
    );
  }
  if (
    options.sha256 !== undefined &&
    options.sha256.toLowerCase() !== digest.sha256
  ) {
    throw new InputError(
      `Blob content has SHA-256 ${digest.sha256}, expected ${options.sha256}`,
    );
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError(
    `Blob streams must yield bytes or strings, got ${typeof chunk}`,
  );
}
