import { randomBytes } from 'node:crypto';
import {
  FieldCipher,
  fieldBinding,
  createKeyring,
  decryptBundle,
  deserializeBundle,
  encryptBundle,
  parseKey,
  serializeBundle,
  subjectHash,
} from './crypto';

const current = { id: 'k2', key: randomBytes(32) };
const retired = { id: 'k1', key: randomBytes(32) };
const payload = Buffer.from('{"orders":[{"id":1,"email":"a@example.com"}]}');

describe('export bundle envelope encryption', () => {
  it('round-trips through a single Buffer', () => {
    const bundle = encryptBundle(payload, current);
    expect(bundle.keyId).toBe('k2');
    expect(bundle.ciphertext.includes(payload)).toBe(false);
    expect(Buffer.from(bundle.wrappedKey, 'base64')).toHaveLength(12 + 16 + 32);

    const stored = serializeBundle(bundle);
    const decrypted = decryptBundle(
      deserializeBundle(stored),
      createKeyring([current]),
    );
    expect(decrypted.equals(payload)).toBe(true);
  });

  it('uses a fresh data key and IV every time', () => {
    const a = encryptBundle(payload, current);
    const b = encryptBundle(payload, current);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('still decrypts bundles of a rotated key with both keys in the keyring', () => {
    const old = serializeBundle(encryptBundle(payload, retired));
    const fresh = serializeBundle(encryptBundle(payload, current));
    const keyring = createKeyring([current, retired]);
    expect(decryptBundle(deserializeBundle(old), keyring).equals(payload)).toBe(
      true,
    );
    expect(
      decryptBundle(deserializeBundle(fresh), keyring).equals(payload),
    ).toBe(true);
  });

  it('names an unknown key id', () => {
    const bundle = encryptBundle(payload, retired);
    expect(() => decryptBundle(bundle, createKeyring([current]))).toThrow(
      'unknown key id "k1"',
    );
  });

  it('fails with a wrong key under the right id', () => {
    const bundle = encryptBundle(payload, current);
    expect(() => decryptBundle(bundle, () => randomBytes(32))).toThrow(
      /cannot unwrap the data key/,
    );
  });

  it('detects a tampered ciphertext, tag, IV or key id', () => {
    const bundle = encryptBundle(payload, current);
    const keyring = createKeyring([current, { id: 'k3', key: current.key }]);

    const ciphertext = Buffer.from(bundle.ciphertext);
    ciphertext[0] ^= 1;
    expect(() => decryptBundle({ ...bundle, ciphertext }, keyring)).toThrow(
      /failed authentication/,
    );

    const tag = Buffer.from(bundle.tag, 'base64');
    tag[0] ^= 1;
    expect(() =>
      decryptBundle({ ...bundle, tag: tag.toString('base64') }, keyring),
    ).toThrow(/failed authentication/);

    const iv = Buffer.from(bundle.iv, 'base64');
    iv[0] ^= 1;
    expect(() =>
      decryptBundle({ ...bundle, iv: iv.toString('base64') }, keyring),
    ).toThrow(/failed authentication/);

    // Same key material under another id: the id is authenticated.
    expect(() => decryptBundle({ ...bundle, keyId: 'k3' }, keyring)).toThrow(
      /cannot unwrap/,
    );
  });

  it('detects tampering of the serialized form', () => {
    const stored = serializeBundle(encryptBundle(payload, current));
    const tampered = Buffer.from(stored);
    tampered[tampered.length - 1] ^= 1;
    expect(() =>
      decryptBundle(deserializeBundle(tampered), createKeyring([current])),
    ).toThrow(/failed authentication/);
    expect(() => deserializeBundle(Buffer.from('not a bundle'))).toThrow(
      /bad magic bytes/,
    );
  });
});

const HERE = fieldBinding('privacy_requests', 'req-1', 'subject_enc');

describe('FieldCipher', () => {
  it('binds a value to its row and column: copied elsewhere it does not decrypt', () => {
    const cipher = new FieldCipher({ keyId: current.id, key: current.key });
    const keyring = createKeyring([current]);
    const value = cipher.encrypt('customer-42', HERE);
    expect(cipher.decrypt(value, keyring, HERE)).toBe('customer-42');
    for (const elsewhere of [
      fieldBinding('privacy_requests', 'req-2', 'subject_enc'),
      fieldBinding('privacy_requests', 'req-1', 'email_enc'),
      fieldBinding('privacy_holds', 'req-1', 'subject_enc'),
    ]) {
      expect(() => cipher.decrypt(value, keyring, elsewhere)).toThrow(
        /failed authentication/,
      );
    }
  });

  it('round-trips and writes a versioned compact string', () => {
    const cipher = new FieldCipher({ keyId: current.id, key: current.key });
    const value = cipher.encrypt('someone@example.com', HERE);
    expect(value).toMatch(
      /^v2:k2:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/,
    );
    expect(value).not.toContain('someone');
    expect(cipher.encrypt('someone@example.com', HERE)).not.toBe(value);
    expect(cipher.decrypt(value, createKeyring([current]), HERE)).toBe(
      'someone@example.com',
    );
  });

  it('decrypts values of a retired key and flags them for rotation', () => {
    const old = new FieldCipher({ keyId: retired.id, key: retired.key });
    const cipher = new FieldCipher({ keyId: current.id, key: current.key });
    const value = old.encrypt('customer-42', HERE);
    expect(cipher.decrypt(value, createKeyring([current, retired]), HERE)).toBe(
      'customer-42',
    );
    expect(cipher.needsRotation(value)).toBe(true);
    expect(() => cipher.decrypt(value, createKeyring([current]), HERE)).toThrow(
      'unknown key id "k1"',
    );
  });

  it('rejects tampered and malformed values', () => {
    const cipher = new FieldCipher({ keyId: current.id, key: current.key });
    const keyring = createKeyring([current]);
    const [v, id, iv, tag, ct] = cipher.encrypt('customer-42', HERE).split(':');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    expect(() =>
      cipher.decrypt(
        [v, id, iv, tag, flipped.toString('base64url')].join(':'),
        keyring,
        HERE,
      ),
    ).toThrow(/failed authentication/);
    expect(() => cipher.decrypt('customer-42', keyring, HERE)).toThrow(
      /not a v2/,
    );
  });
});

describe('subjectHash', () => {
  it('is a stable HMAC-SHA256 hex depending on the pepper', () => {
    const pepper = randomBytes(32);
    const hash = subjectHash('customer-42', pepper);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectHash('customer-42', pepper)).toBe(hash);
    expect(subjectHash('customer-43', pepper)).not.toBe(hash);
    expect(subjectHash('customer-42', randomBytes(32))).not.toBe(hash);
  });
});

describe('parseKey', () => {
  it('accepts 32 bytes of base64', () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString('base64'), 'x').equals(key)).toBe(true);
  });

  it('names the config key and never echoes the value', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseKey(short, 'privacy.regions.EU.masterKey.key')).toThrow(
      /privacy\.regions\.EU\.masterKey\.key must decode to 32 bytes, got 16/,
    );
    expect(() => parseKey('not base64!', 'privacy.fieldKey')).toThrow(
      /privacy\.fieldKey must be a base64-encoded 32-byte key/,
    );
  });
});
