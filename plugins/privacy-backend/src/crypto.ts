import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
} from 'node:crypto';

/**
 * Encryption of what the privacy plugin keeps about data subjects:
 *
 * - export bundles, with envelope encryption: a fresh data key per bundle,
 *   itself wrapped by a long-lived master key named by its id, so master keys
 *   can be rotated and old bundles still decrypt while the old key is kept;
 * - identifiers at rest (subject email, subject id), with {@link FieldCipher};
 * - a keyed hash of the subject id ({@link subjectHash}) to look requests up
 *   and dedupe them without storing the id in clear.
 *
 * Everything is AES-256-GCM (authenticated), with random 12-byte IVs.
 */

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A key id ends up in headers and in `v1:<keyId>:...` strings. */
const KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A named 256-bit key. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Finds a key by its id; holds the current key and the retired ones still needed. */
export type Keyring = (keyId: string) => Buffer | undefined;

/** A keyring over a fixed list of keys (e.g. the current and previous master keys). */
export function createKeyring(keys: MasterKey[]): Keyring {
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    assertKeyId(id);
    assertKeyLength(key, `key "${id}"`);
    byId.set(id, key);
  }
  return keyId => byId.get(keyId);
}

/**
 * Decodes a base64 (or base64url) key from config and checks that it is 32
 * bytes. `name` is the config key, used in the error; the value never is.
 */
export function parseKey(base64: string, name: string): Buffer {
  const text = typeof base64 === 'string' ? base64.trim() : '';
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new Error(
      `Config ${name} must be a base64-encoded 32-byte key (e.g. the output of \`openssl rand -base64 32\`)`,
    );
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `Config ${name} must decode to ${KEY_BYTES} bytes, got ${key.length} (generate one with \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/** HMAC-SHA256 of the subject id under a secret pepper, as hex. Stable, not reversible. */
export function subjectHash(subjectId: string, pepper: Buffer): string {
  if (pepper.length < 16) {
    throw new Error('The subject hash pepper must be at least 16 bytes');
  }
  return createHmac('sha256', pepper).update(subjectId, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------
// Envelope encryption of export bundles

/** An export bundle encrypted under a fresh data key, wrapped by a master key. */
export interface EncryptedBundle {
  /** Id of the master key that wrapped the data key. */
  keyId: string;
  /** The data key encrypted under the master key: base64 of iv (12) + tag (16) + key (32). */
  wrappedKey: string;
  /** IV of the payload, base64. */
  iv: string;
  /** GCM tag of the payload, base64. */
  tag: string;
  ciphertext: Buffer;
}

/** Encrypts a payload under a fresh random data key, wrapped by `masterKey`. */
export function encryptBundle(
  plaintext: Buffer,
  masterKey: MasterKey,
): EncryptedBundle {
  assertKeyId(masterKey.id);
  assertKeyLength(masterKey.key, `master key "${masterKey.id}"`);

  const dataKey = randomBytes(KEY_BYTES);
  try {
    const payload = seal(dataKey, plaintext);
    // The key id is authenticated with the wrapped key, so it cannot be swapped.
    const wrapped = seal(masterKey.key, dataKey, wrapAad(masterKey.id));
    return {
      keyId: masterKey.id,
      wrappedKey: Buffer.concat([
        wrapped.iv,
        wrapped.tag,
        wrapped.ciphertext,
      ]).toString('base64'),
      iv: payload.iv.toString('base64'),
      tag: payload.tag.toString('base64'),
      ciphertext: payload.ciphertext,
    };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a bundle, finding its master key in `keyring`. Throws for an unknown
 * key id and for any tampering with the data key, IV, tag or ciphertext.
 */
export function decryptBundle(
  bundle: EncryptedBundle,
  keyring: Keyring,
): Buffer {
  const masterKey = findKey(keyring, bundle.keyId, 'export bundle');

  const wrapped = Buffer.from(bundle.wrappedKey, 'base64');
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) {
    throw new Error('Cannot decrypt export bundle: malformed wrapped data key');
  }
  const dataKey = open(
    masterKey,
    {
      iv: wrapped.subarray(0, IV_BYTES),
      tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
      ciphertext: wrapped.subarray(IV_BYTES + TAG_BYTES),
    },
    wrapAad(bundle.keyId),
    `cannot unwrap the data key with master key "${bundle.keyId}" (wrong key or tampered bundle)`,
  );
  try {
    return open(
      dataKey,
      {
        iv: Buffer.from(bundle.iv, 'base64'),
        tag: Buffer.from(bundle.tag, 'base64'),
        ciphertext: bundle.ciphertext,
      },
      undefined,
      'the payload failed authentication (tampered ciphertext, IV or tag)',
    );
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Wraps a data key under `masterKey` (the envelope of {@link encryptBundle}):
 * base64 of iv (12) + tag (16) + encrypted key (32), the key id
 * authenticated with it. Used by the streamed bundle format (exports/sealedStream).
 */
export function wrapDataKey(dataKey: Buffer, masterKey: MasterKey): string {
  assertKeyId(masterKey.id);
  assertKeyLength(masterKey.key, `master key "${masterKey.id}"`);
  assertKeyLength(dataKey, 'data key');
  const wrapped = seal(masterKey.key, dataKey, wrapAad(masterKey.id));
  return Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]).toString(
    'base64',
  );
}

/**
 * The inverse of {@link wrapDataKey}, finding the master key in `keyring`.
 * Throws for an unknown key id, a malformed or tampered wrapped key, or a
 * key id that is not the one it was wrapped under. The caller zeroes the key.
 */
export function unwrapDataKey(
  keyId: string,
  wrappedKey: string,
  keyring: Keyring,
): Buffer {
  const masterKey = findKey(keyring, keyId, 'export bundle');
  const wrapped = Buffer.from(wrappedKey, 'base64');
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) {
    throw new Error('Cannot decrypt export bundle: malformed wrapped data key');
  }
  return open(
    masterKey,
    {
      iv: wrapped.subarray(0, IV_BYTES),
      tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
      ciphertext: wrapped.subarray(IV_BYTES + TAG_BYTES),
    },
    wrapAad(keyId),
    `cannot unwrap the data key with master key "${keyId}" (wrong key or tampered bundle)`,
  );
}

/** Magic bytes of a serialized bundle: "DSB1". */
const BUNDLE_MAGIC = Buffer.from('DSB1', 'ascii');
const MAX_HEADER_BYTES = 4096;

/**
 * One Buffer for storage: magic "DSB1", header length (uint32 BE), a JSON
 * header `{ v, alg, keyId, wrappedKey, iv, tag }`, then the ciphertext.
 */
export function serializeBundle(bundle: EncryptedBundle): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      v: 1,
      alg: 'AES-256-GCM',
      keyId: bundle.keyId,
      wrappedKey: bundle.wrappedKey,
      iv: bundle.iv,
      tag: bundle.tag,
    }),
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([BUNDLE_MAGIC, length, header, bundle.ciphertext]);
}

/** The inverse of {@link serializeBundle}; checks the format, not the contents. */
export function deserializeBundle(data: Buffer): EncryptedBundle {
  const prefix = BUNDLE_MAGIC.length + 4;
  if (data.length < prefix || !data.subarray(0, 4).equals(BUNDLE_MAGIC)) {
    throw new Error('Not an encrypted export bundle (bad magic bytes)');
  }
  const headerLength = data.readUInt32BE(BUNDLE_MAGIC.length);
  if (headerLength > MAX_HEADER_BYTES || prefix + headerLength > data.length) {
    throw new Error('Malformed encrypted export bundle: bad header length');
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      data.subarray(prefix, prefix + headerLength).toString('utf8'),
    );
  } catch {
    throw new Error('Malformed encrypted export bundle: header is not JSON');
  }
  const { v, keyId, wrappedKey, iv, tag } = header;
  if (
    v !== 1 ||
    typeof keyId !== 'string' ||
    typeof wrappedKey !== 'string' ||
    typeof iv !== 'string' ||
    typeof tag !== 'string'
  ) {
    throw new Error(
      'Malformed encrypted export bundle: unsupported version or missing header fields',
    );
  }
  return {
    keyId,
    wrappedKey,
    iv,
    tag,
    ciphertext: data.subarray(prefix + headerLength),
  };
}

// ---------------------------------------------------------------------------
// Field encryption

/**
 * Encrypts short identifiers for storage in a database column, as
 * `v2:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts). The version, the
 * key id and the value's place (`fieldBinding`: table, row id, column) are
 * authenticated, so a value cannot be moved to another key id, and a
 * ciphertext copied into another row or column does not decrypt there.
 */
export class FieldCipher {
  readonly #keyId: string;
  readonly #key: Buffer;

  constructor(options: { keyId: string; key: Buffer }) {
    assertKeyId(options.keyId);
    assertKeyLength(options.key, `field key "${options.keyId}"`);
    this.#keyId = options.keyId;
    this.#key = options.key;
  }

  get keyId(): string {
    return this.#keyId;
  }

  encrypt(text: string, boundTo: string): string {
    const sealed = seal(
      this.#key,
      Buffer.from(text, 'utf8'),
      fieldAad(this.#keyId, boundTo),
    );
    return [
      'v2',
      this.#keyId,
      sealed.iv.toString('base64url'),
      sealed.tag.toString('base64url'),
      sealed.ciphertext.toString('base64url'),
    ].join(':');
  }

  /** Decrypts a value written by any key of `keyring` (not only this cipher's). */
  decrypt(value: string, keyring: Keyring, boundTo: string): string {
    const parts = value.split(':');
    if (parts.length !== 5 || parts[0] !== 'v2') {
      throw new Error(
        'Cannot decrypt field: not a v2:<keyId>:<iv>:<tag>:<ciphertext> value',
      );
    }
    const [, keyId, iv, tag, ciphertext] = parts;
    const key = findKey(keyring, keyId, 'field');
    return open(
      key,
      {
        iv: Buffer.from(iv, 'base64url'),
        tag: Buffer.from(tag, 'base64url'),
        ciphertext: Buffer.from(ciphertext, 'base64url'),
      },
      fieldAad(keyId, boundTo),
      'the value failed authentication (tampered, moved from another row or column, or wrong key)',
    ).toString('utf8');
  }

  /** Whether a value was encrypted under another key id and should be re-encrypted. */
  needsRotation(value: string): boolean {
    return value.split(':')[1] !== this.#keyId;
  }
}

// ---------------------------------------------------------------------------
// Helpers

interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function seal(key: Buffer, plaintext: Buffer, aad?: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, {
    authTagLength: TAG_BYTES,
  });
  if (aad) {
    cipher.setAAD(aad);
  }
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function open(
  key: Buffer,
  sealed: Sealed,
  aad: Buffer | undefined,
  failure: string,
): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new Error(`Decryption failed: ${failure}`);
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, {
      authTagLength: TAG_BYTES,
    });
    if (aad) {
      decipher.setAAD(aad);
    }
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([
      decipher.update(sealed.ciphertext),
      decipher.final(),
    ]);
  } catch {
    throw new Error(`Decryption failed: ${failure}`);
  }
}

function findKey(keyring: Keyring, keyId: string, what: string): Buffer {
  const key = keyring(keyId);
  if (!key) {
    throw new Error(
      `Cannot decrypt ${what}: unknown key id "${keyId}" (is the retired key still in the keyring?)`,
    );
  }
  assertKeyLength(key, `key "${keyId}"`);
  return key;
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(`dsar-bundle-key:v1:${keyId}`, 'utf8');
}

function fieldAad(keyId: string, boundTo: string): Buffer {
  return Buffer.from(
    JSON.stringify(['dsar-field', 'v2', keyId, boundTo]),
    'utf8',
  );
}

/** Where an encrypted field lives, authenticated with it (see `FieldCipher`). */
export function fieldBinding(table: string, id: string, column: string) {
  return JSON.stringify([table, id, column]);
}

function assertKeyId(keyId: string): void {
  if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) {
    throw new Error(
      `Invalid key id "${keyId}": use 1-64 letters, digits, '.', '_' or '-'`,
    );
  }
}

function assertKeyLength(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new Error(`The ${what} must be ${KEY_BYTES} bytes`);
  }
}
