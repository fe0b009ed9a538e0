import { NotFoundError } from '@backstage/errors';

/** The chain's head at some moment: the row `seq` had this `hash`. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** When it was anchored, ISO 8601. */
  at: string;
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
 * not rows deleted from its end: the shortened chain still links. The anchor
 * does: `verify()` fails when the chain no longer reaches the anchored head.
 * The head is written after the rows it names were committed, at most once
 * per `minIntervalMs`, under `<prefix>/audit-head/<hash of the first row>.json`:
 * each chain (a database) has its own anchor, so a fresh database (a test, a
 * demo restart) never meets the head of another. Limit: a chain rebuilt
 * from its first row is a new chain to the anchor.
 */
export class AuditAnchor {
  #lastWrite = 0;
  readonly #store: AnchorStore;
  readonly #prefix: string;
  readonly #minIntervalMs: number;

  constructor(options: {
    store: AnchorStore;
    /** Key prefix, usually the plugin id. */
    prefix: string;
    minIntervalMs?: number;
  }) {
    this.#store = options.store;
    this.#prefix = options.prefix;
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
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

  /** Whether a head should be written now: none for `minIntervalMs`, or `force`. */
  due(options: { force?: boolean } = {}): boolean {
    return options.force || Date.now() - this.#lastWrite >= this.#minIntervalMs;
  }

  /** Records `head` as the chain's latest. */
  async write(chain: string, head: Omit<AuditHead, 'at'>): Promise<void> {
    const now = Date.now();
    this.#lastWrite = now;
    const anchored: AuditHead = { ...head, at: new Date(now).toISOString() };
    await this.#store.put(
      this.#key(chain),
      Buffer.from(JSON.stringify(anchored)),
    );
  }

  #key(chain: string) {
    return `${this.#prefix}/audit-head/${chain}.json`;
  }
}
