import { createHash, createHmac, hkdfSync } from 'node:crypto';

/** One audit key as configured: an id stored with every row, and a secret. */
export interface AuditKey {
  id: string;
  /** At least 32 bytes of entropy, e.g. `openssl rand -base64 32`. */
  key: string;
}

/** What a MAC is for; each purpose has its own derived key. */
export type AuditKeyPurpose = 'chain' | 'pending' | 'anchor';

/** HMAC-SHA256 split in two, so PostgreSQL can compute it with sha256() alone. */
export interface HmacPads {
  /** The derived key XOR 0x36, one 64-byte block. */
  inner: Buffer;
  /** The derived key XOR 0x5c, one 64-byte block. */
  outer: Buffer;
}

const SHA256_BLOCK_BYTES = 64;

/**
 * The keys of one audit chain, kept outside the database: a row's hash is an
 * HMAC, so someone who can write the database but does not hold the key
 * cannot rebuild the chain after an edit. The first key signs; every key
 * verifies (rotation: put the new key first and keep the old ones for as
 * long as rows signed with them must verify). Each chain and purpose uses
 * its own key derived with HKDF, so the key that authenticates pending rows
 * (sent to PostgreSQL as a parameter) never signs the chain itself.
 */
export class AuditKeyring {
  readonly signingKeyId: string;
  readonly #secrets: Map<string, Buffer>;
  readonly #derived = new Map<string, Buffer>();
  readonly #chain: string;

  constructor(keys: AuditKey[], chain: string) {
    if (keys.length === 0) {
      throw new Error('An audit keyring needs at least one key');
    }
    this.#secrets = new Map(keys.map(k => [k.id, Buffer.from(k.key, 'utf8')]));
    if (this.#secrets.size !== keys.length) {
      throw new Error('Audit key ids must be unique');
    }
    this.signingKeyId = keys[0].id;
    this.#chain = chain;
  }

  /** The same keys for another chain (another plugin's tables). */
  forChain(chain: string): AuditKeyring {
    return new AuditKeyring(
      [...this.#secrets].map(([id, secret]) => ({
        id,
        key: secret.toString('utf8'),
      })),
      chain,
    );
  }

  has(keyId: string): boolean {
    return this.#secrets.has(keyId);
  }

  /** HMAC-SHA256 hex of `message` under the key `keyId` derived for `purpose`. */
  mac(purpose: AuditKeyPurpose, keyId: string, message: string): string {
    return createHmac('sha256', this.#derive(purpose, keyId))
      .update(message, 'utf8')
      .digest('hex');
  }

  /**
   * The pads of `purpose`'s key: HMAC(k, m) = sha256(outer || sha256(inner || m)),
   * which a database computes without the key itself.
   */
  pads(purpose: AuditKeyPurpose, keyId: string): HmacPads {
    const key = this.#derive(purpose, keyId);
    const block = Buffer.alloc(SHA256_BLOCK_BYTES);
    key.copy(block);
    return {
      inner: Buffer.from(block.map(byte => byte ^ 0x36)),
      outer: Buffer.from(block.map(byte => byte ^ 0x5c)),
    };
  }

  #derive(purpose: AuditKeyPurpose, keyId: string): Buffer {
    const name = `${keyId}\u0000${purpose}`;
    let derived = this.#derived.get(name);
    if (!derived) {
      const secret = this.#secrets.get(keyId);
      if (!secret) throw new Error(`Unknown audit key id ${keyId}`);
      derived = Buffer.from(
        hkdfSync(
          'sha256',
          secret,
          Buffer.alloc(0),
          `ops-audit/${this.#chain}/${purpose}`,
          32,
        ),
      );
      this.#derived.set(name, derived);
    }
    return derived;
  }
}

/** SHA-256 hex of a secret as configured: how committed demo keys are recognized. */
export const secretFingerprint = (secret: string) =>
  createHash('sha256').update(secret.trim()).digest('hex');
