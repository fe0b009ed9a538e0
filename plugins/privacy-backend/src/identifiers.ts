import type { PrivacyConfig } from './config';
import { FieldCipher, createKeyring, parseKey, subjectHash } from './crypto';

/**
 * How the plugin keeps subject identifiers at rest: a keyed hash to find and
 * dedupe requests by subject, and reversible encryption to show and execute
 * them. Nothing stores a subject id or email in clear.
 */
export interface IdentifierProtection {
  /** Stable keyed hash (HMAC) of a subject id. */
  hash(subjectId: string): string;
  /** Encrypts `text` bound to its place (`fieldBinding(table, id, column)`). */
  encrypt(text: string, boundTo: string): string;
  decrypt(value: string, boundTo: string): string;
}

/** AES-256-GCM for identifiers, HMAC-SHA256 with a pepper for their lookup hash. */
export function createIdentifierProtection(
  config: PrivacyConfig,
): IdentifierProtection {
  const key = parseKey(
    config.identifiers.key.key,
    'privacy.identifiers.key.key',
  );
  const pepper = parseKey(
    config.identifiers.pepper,
    'privacy.identifiers.pepper',
  );
  const cipher = new FieldCipher({ keyId: config.identifiers.key.id, key });
  const keyring = createKeyring([{ id: config.identifiers.key.id, key }]);
  return {
    hash: subjectId => subjectHash(subjectId, pepper),
    encrypt: (text, boundTo) => cipher.encrypt(text, boundTo),
    decrypt: (value, boundTo) => cipher.decrypt(value, keyring, boundTo),
  };
}
