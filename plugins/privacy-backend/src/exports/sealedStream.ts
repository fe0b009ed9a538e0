import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import {
  Keyring,
  MasterKey,
  decryptBundle,
  deserializeBundle,
  unwrapDataKey,
  wrapDataKey,
} from '../crypto';

/**
 * The streamed export bundle format, "DSB2": an export is encrypted while it
 * is zipped and written, and decrypted while it is downloaded, so no whole
 * bundle is ever held in memory.
 *
 * Layout: magic `DSB2`, header length (uint32 BE), a JSON header
 * `{ v: 2, alg, keyId, wrappedKey, noncePrefix, segmentBytes }`, then the
 * plaintext in segments of `segmentBytes` (the last one shorter, and empty
 * only for an empty plaintext), each sealed with AES-256-GCM under the
 * bundle's fresh data key as ciphertext + 16-byte tag. A segment's nonce is
 * `noncePrefix (7 bytes) || segment number (uint32 BE) || last (1 byte)`
 * and its additional data is the whole header, so segments cannot be
 * reordered, dropped, cut off at a segment boundary or moved under another
 * header (the "STREAM" construction of online authenticated encryption).
 * Every segment is authenticated before a byte of it is released: a reader
 * never sees plaintext that was not written by the key holder.
 *
 * The data key is wrapped by the region's master key exactly as in the
 * whole-buffer format "DSB1" ({@link wrapDataKey}), which
 * {@link createBundleOpenStream} still reads (bundles written before the
 * streamed format), though only whole.
 */

const MAGIC_V1 = Buffer.from('DSB1', 'ascii');
const MAGIC_V2 = Buffer.from('DSB2', 'ascii');
const PREFIX_BYTES = 8; // magic + header length
const MAX_HEADER_BYTES = 4096;
const TAG_BYTES = 16;
const NONCE_PREFIX_BYTES = 7;
const KEY_BYTES = 32;
const MAX_SEGMENTS = 2 ** 32;

/** Plaintext bytes per segment: also about the most a stream holds at once. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024;
const MIN_SEGMENT_BYTES = 1024;
const MAX_SEGMENT_BYTES = 4 * 1024 * 1024;

interface StreamHeader {
  keyId: string;
  wrappedKey: string;
  noncePrefix: Buffer;
  segmentBytes: number;
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const value = Buffer.alloc(12);
  prefix.copy(value, 0);
  value.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  value[11] = last ? 1 : 0;
  return value;
}

/** Collects chunks and hands them back in pieces of a given size. */
class ChunkQueue {
  #chunks: Buffer[] = [];
  bytes = 0;

  push(chunk: Buffer) {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.bytes += chunk.length;
  }

  take(size: number): Buffer {
    const all =
      this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    const rest = all.subarray(size);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.bytes = rest.length;
    return all.subarray(0, size);
  }
}

/**
 * A Transform that encrypts what is written to it into a DSB2 bundle under a
 * fresh data key wrapped by `masterKey`. It holds at most one segment (plus
 * one incoming chunk) at a time.
 */
export function createBundleSealStream(
  masterKey: MasterKey,
  options: { segmentBytes?: number } = {},
): Transform {
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (
    !Number.isInteger(segmentBytes) ||
    segmentBytes < MIN_SEGMENT_BYTES ||
    segmentBytes > MAX_SEGMENT_BYTES
  ) {
    throw new Error(
      `segmentBytes must be a whole number from ${MIN_SEGMENT_BYTES} to ${MAX_SEGMENT_BYTES}`,
    );
  }
  const dataKey = randomBytes(KEY_BYTES);
  const noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  let header: Buffer;
  try {
    header = encodeHeader({
      keyId: masterKey.id,
      wrappedKey: wrapDataKey(dataKey, masterKey),
      noncePrefix,
      segmentBytes,
    });
  } catch (error) {
    dataKey.fill(0);
    throw error;
  }
  const pending = new ChunkQueue();
  let index = 0;
  let headerSent = false;

  const seal = (segment: Buffer, last: boolean): Buffer => {
    if (index >= MAX_SEGMENTS) {
      throw new Error('Export bundle is too large for its segment size');
    }
    const cipher = createCipheriv(
      'aes-256-gcm',
      dataKey,
      nonce(noncePrefix, index, last),
      { authTagLength: TAG_BYTES },
    );
    cipher.setAAD(header);
    index += 1;
    return Buffer.concat([
      cipher.update(segment),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
  };
  const sendHeader = (stream: Transform) => {
    if (headerSent) return;
    headerSent = true;
    stream.push(header);
  };

  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding, callback) {
      try {
        sendHeader(this);
        pending.push(chunk);
        // A full segment goes out once more data follows, so the last one
        // is always known to be the last.
        while (pending.bytes > segmentBytes) {
          this.push(seal(pending.take(segmentBytes), false));
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(this: Transform, callback: TransformCallback) {
      try {
        sendHeader(this);
        this.push(seal(pending.take(pending.bytes), true));
        callback();
      } catch (error) {
        callback(error as Error);
      } finally {
        dataKey.fill(0);
      }
    },
    destroy(error, callback) {
      dataKey.fill(0);
      callback(error);
    },
  });
}

/**
 * A Transform that decrypts a stored bundle, finding its master key in
 * `keyring`. A DSB2 bundle is decrypted segment by segment, each one
 * authenticated before it is passed on; any tampering (header, wrapped key,
 * a segment, their order, a truncation) errors the stream at the first
 * segment concerned. A DSB1 bundle (the earlier whole-buffer format) is
 * collected and decrypted at its end.
 */
export function createBundleOpenStream(keyring: Keyring): Transform {
  const pending = new ChunkQueue();
  let format: 'v1' | 'v2' | undefined;
  let header: Buffer | undefined;
  let parsed: StreamHeader | undefined;
  let dataKey: Buffer | undefined;
  let index = 0;
  const v1: Buffer[] = [];

  const open = (sealed: Buffer, last: boolean): Buffer => {
    if (sealed.length < TAG_BYTES || index >= MAX_SEGMENTS) {
      throw tampered(index);
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        dataKey!,
        nonce(parsed!.noncePrefix, index, last),
        { authTagLength: TAG_BYTES },
      );
      decipher.setAAD(header!);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      index += 1;
      return plain;
    } catch {
      throw tampered(index);
    }
  };

  /** Reads magic and header once enough bytes arrived; undefined while waiting. */
  const readHeader = (): 'v1' | 'v2' | undefined => {
    if (format) return format;
    if (pending.bytes < PREFIX_BYTES) return undefined;
    const prefix = pending.take(PREFIX_BYTES);
    const magic = prefix.subarray(0, 4);
    if (magic.equals(MAGIC_V1)) {
      format = 'v1';
      v1.push(prefix);
      return format;
    }
    if (!magic.equals(MAGIC_V2)) {
      throw new Error('Not an encrypted export bundle (bad magic bytes)');
    }
    const length = prefix.readUInt32BE(4);
    if (length > MAX_HEADER_BYTES) {
      throw new Error('Malformed encrypted export bundle: bad header length');
    }
    if (pending.bytes < length) {
      // Put the prefix back and wait for the rest of the header.
      const rest = pending.take(pending.bytes);
      pending.push(prefix);
      pending.push(rest);
      return undefined;
    }
    header = Buffer.concat([prefix, pending.take(length)]);
    parsed = decodeHeader(header.subarray(PREFIX_BYTES));
    dataKey = unwrapDataKey(parsed.keyId, parsed.wrappedKey, keyring);
    format = 'v2';
    return format;
  };

  const wipe = () => {
    dataKey?.fill(0);
    dataKey = undefined;
  };

  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding, callback) {
      try {
        if (format === 'v1') {
          v1.push(chunk);
          callback();
          return;
        }
        pending.push(chunk);
        const ready = readHeader();
        if (!ready) {
          callback();
          return;
        }
        if (ready === 'v1') {
          v1.push(pending.take(pending.bytes));
          callback();
          return;
        }
        const sealedBytes = parsed!.segmentBytes + TAG_BYTES;
        while (pending.bytes > sealedBytes) {
          this.push(open(pending.take(sealedBytes), false));
        }
        callback();
      } catch (error) {
        wipe();
        callback(error as Error);
      }
    },
    flush(this: Transform, callback: TransformCallback) {
      try {
        const ready = readHeader();
        if (!ready) {
          throw new Error('Truncated encrypted export bundle: no header');
        }
        if (ready === 'v1') {
          v1.push(pending.take(pending.bytes));
          const whole = Buffer.concat(v1);
          v1.length = 0;
          this.push(decryptBundle(deserializeBundle(whole), keyring));
        } else {
          this.push(open(pending.take(pending.bytes), true));
        }
        callback();
      } catch (error) {
        callback(error as Error);
      } finally {
        wipe();
      }
    },
    destroy(error, callback) {
      wipe();
      callback(error);
    },
  });
}

function tampered(index: number): Error {
  return new Error(
    `Decryption failed: segment ${index} of the export bundle failed authentication (tampered, reordered or truncated bundle)`,
  );
}

function encodeHeader(header: StreamHeader): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      v: 2,
      alg: 'AES-256-GCM-STREAM',
      keyId: header.keyId,
      wrappedKey: header.wrappedKey,
      noncePrefix: header.noncePrefix.toString('base64'),
      segmentBytes: header.segmentBytes,
    }),
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC_V2, length, json]);
}

function decodeHeader(json: Buffer): StreamHeader {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(json.toString('utf8'));
  } catch {
    throw new Error('Malformed encrypted export bundle: header is not JSON');
  }
  const { v, alg, keyId, wrappedKey, noncePrefix, segmentBytes } = header ?? {};
  const prefix =
    typeof noncePrefix === 'string'
      ? Buffer.from(noncePrefix, 'base64')
      : undefined;
  if (
    v !== 2 ||
    alg !== 'AES-256-GCM-STREAM' ||
    typeof keyId !== 'string' ||
    typeof wrappedKey !== 'string' ||
    prefix?.length !== NONCE_PREFIX_BYTES ||
    typeof segmentBytes !== 'number' ||
    !Number.isInteger(segmentBytes) ||
    segmentBytes < MIN_SEGMENT_BYTES ||
    segmentBytes > MAX_SEGMENT_BYTES
  ) {
    throw new Error(
      'Malformed encrypted export bundle: unsupported version or bad header fields',
    );
  }
  return { keyId, wrappedKey, noncePrefix: prefix, segmentBytes };
}
