import { InputError } from '@backstage/errors';
import { isAbsolute } from 'node:path';

/**
 * Segments of letters, digits and `._=+@-`, separated by `/`: valid as a file
 * path and as an S3 object key alike.
 */
const KEY_PATTERN = /^[A-Za-z0-9._=+@-]+(\/[A-Za-z0-9._=+@-]+)*$/;

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

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

/**
 * The key content with this SHA-256 (hex) is stored under by
 * `putContentAddressed`: `sha256/<first two digits>/<all 64 digits>`.
 */
export function contentAddressedKey(sha256: string): string {
  if (!SHA256_PATTERN.test(sha256)) {
    throw new InputError(
      `Invalid SHA-256 "${sha256}": expected 64 lowercase hex digits`,
    );
  }
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
