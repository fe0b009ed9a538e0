import { CustomErrorBase } from '@backstage/errors';
import type { BlobStore } from '@internal/plugin-ops-node';
import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/** Where an export's sealed bundle is kept in its region's blob store. */
export function exportBlobKey(requestId: string): string {
  return `exports/${requestId}.zip.enc`;
}

/** What the export row says the stored bundle is: its ciphertext's digest. */
export interface ExpectedBundle {
  sha256: string;
  sizeBytes: number;
}

/**
 * The stored bundle is not the one written: its SHA-256 or size differs from
 * the export row's. Nothing of it may be served.
 */
export class ExportIntegrityError extends CustomErrorBase {
  name = 'ExportIntegrityError' as const;
}

function mismatch(
  key: string,
  expected: ExpectedBundle,
  actual: { sha256: string; sizeBytes: number },
): ExportIntegrityError {
  return new ExportIntegrityError(
    `The stored export bundle ${key} is not the one written: SHA-256 ${actual.sha256} (${actual.sizeBytes} bytes), expected ${expected.sha256} (${expected.sizeBytes} bytes)`,
  );
}

/**
 * A pass-through that hashes what flows through it and, at the end, errors
 * instead of ending when the content is not `expected`. Placed before the
 * decryption, it holds back the end of the stream (and so the bundle's last
 * segment) when the stored bytes changed.
 */
export function createDigestCheck(
  key: string,
  expected: ExpectedBundle,
): Transform {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const sha256 = hash.digest('hex');
      if (sha256 !== expected.sha256 || sizeBytes !== expected.sizeBytes) {
        callback(mismatch(key, expected, { sha256, sizeBytes }));
        return;
      }
      callback();
    },
  });
}

/**
 * Reads the stored bundle once, streaming, and throws an
 * {@link ExportIntegrityError} unless its SHA-256 and size are `expected`.
 */
export async function verifyStoredBundle(
  storage: Pick<BlobStore, 'get'>,
  key: string,
  expected: ExpectedBundle,
): Promise<void> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const stream = await storage.get(key);
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
    if (sizeBytes > expected.sizeBytes) {
      // Longer than written: no need to read the rest.
      stream.destroy();
      break;
    }
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== expected.sha256 || sizeBytes !== expected.sizeBytes) {
    throw mismatch(key, expected, { sha256, sizeBytes });
  }
}

/**
 * Deletes a stored bundle and reads the store back: true when no blob is
 * left under its key (the proof), false when one still is.
 */
export async function deleteStoredBundle(
  storage: Pick<BlobStore, 'delete' | 'head'>,
  requestId: string,
): Promise<boolean> {
  const key = exportBlobKey(requestId);
  await storage.delete(key);
  return (await storage.head(key)) === undefined;
}
