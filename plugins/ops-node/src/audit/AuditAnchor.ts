import { NotFoundError } from '@backstage/errors';

/** The chain's head at some moment: the row `seq` had this `hash`. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** When it was anchored, ISO 8601. */
  at: string;
  /** The audit key that signed this head. */
  keyId: string;
  /** HMAC of the chain id and the fields above, so the anchor cannot be edited either. */
  mac: string;
}

/** What the anchor needs of a blob store (`BlobStore` fits). */
export interface AnchorStore {
  /** Throws a NotFoundError for an unknown key. */
  getBuffer(key: string): Promise<Buffer>;
  put(key: string, data: Buffer): Promise<unknown>;
}

/**
 * Keeps an audit chain's latest head outside the database. The hash chain
 * shows any altered or inserted row, and a deleted row in the middle, but
 * not rows deleted from its end, nor an emptied table: the rest still links.
 * The anchor does: `verify()` fails when the chain no longer reaches the
 * anchored head. The chain writes its head after every chaining, under
 * `<prefix>/audit-head/<chain id>.json`, a fixed name: every replica sharing
 * the store (an S3 bucket, with Object Lock where configured, keeps every
 * version) reads and writes the same anchor.
 */
export class AuditAnchor {
  readonly #store: AnchorStore;
  readonly #prefix: string;

  constructor(options: {
    store: AnchorStore;
    /** Key prefix, usually the plugin id. */
    prefix: string;
  }) {
    this.#store = options.store;
    this.#prefix = options.prefix;
  }

  async read(chain: string): Promise<AuditHead | undefined> {
    try {
      return JSON.parse(
        (await this.#store.getBuffer(this.#key(chain))).toString('utf8'),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Records `head` as the chain's latest. */
  async write(chain: string, head: AuditHead): Promise<void> {
    await this.#store.put(this.#key(chain), Buffer.from(JSON.stringify(head)));
  }

  #key(chain: string) {
    return `${this.#prefix}/audit-head/${chain}.json`;
  }
}
