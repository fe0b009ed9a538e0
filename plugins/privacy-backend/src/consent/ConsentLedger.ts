import type {
  ConsentPurpose,
  ConsentState,
} from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import type { AuditChain } from '@internal/plugin-ops-node';

export const CONSENT_TABLE = 'privacy_consent_events';

/** One grant or withdrawal, as the ledger records it. */
export interface ConsentRecord {
  /** Keyed hash of the subject id (never the raw id). */
  subjectHash: string;
  purpose: ConsentPurpose;
  granted: boolean;
  /** Where consent was given or withdrawn, e.g. "web-banner". */
  source: string;
  /** Entity ref of the user or service that recorded the change. */
  actor: string;
  /** Defaults to now. */
  at?: Date;
}

interface ConsentRow {
  seq: number | string;
  subject_hash: string;
  purpose: ConsentPurpose;
  granted: boolean | number;
  source: string;
  actor: string;
  at: Date | string | number;
}

const iso = (value: Date | string | number) => new Date(value).toISOString();

function checkSubjectHash(subjectHash: string) {
  if (
    typeof subjectHash !== 'string' ||
    subjectHash.length === 0 ||
    subjectHash.length > 64
  ) {
    throw new TypeError('subjectHash must be a keyed hash of 1-64 characters');
  }
}

/**
 * The consent ledger: every grant and withdrawal is a new row, never an update,
 * and each one is also appended to the audit log in the same transaction. The
 * audit event carries the subject's keyed hash (never the id), so the chain
 * binds each change to its subject: a ledger row changed behind the chain's
 * back no longer matches an event.
 */
export class ConsentLedger {
  constructor(private readonly db: Knex, private readonly audit: AuditChain) {}

  /** Records a change; with `trx` it joins the caller's transaction. */
  async record(change: ConsentRecord, trx?: Knex.Transaction): Promise<void> {
    checkSubjectHash(change.subjectHash);
    const at = new Date(change.at ? change.at.getTime() : Date.now());
    const write = async (tx: Knex.Transaction) => {
      await tx(CONSENT_TABLE).insert({
        subject_hash: change.subjectHash,
        purpose: change.purpose,
        granted: change.granted,
        source: change.source,
        actor: change.actor,
        at,
      });
      await this.audit.append(
        [
          {
            type: 'consent.changed',
            actor: change.actor,
            at,
            data: {
              subjectHash: change.subjectHash,
              purpose: change.purpose,
              granted: change.granted,
              source: change.source,
            },
          },
        ],
        tx,
      );
    };
    if (trx) {
      await write(trx);
    } else {
      await this.db.transaction(write);
    }
  }

  /** Every change for one subject, oldest first. */
  async history(subjectHash: string): Promise<ConsentState['history']> {
    const rows: ConsentRow[] = await this.db(CONSENT_TABLE)
      .where({ subject_hash: subjectHash })
      .orderBy('seq', 'asc');
    return rows.map(row => ({
      purpose: row.purpose,
      granted: Boolean(row.granted),
      at: iso(row.at),
      source: row.source,
      actor: row.actor,
    }));
  }

  /** The latest change per purpose; purposes never recorded are absent. */
  async current(subjectHash: string): Promise<ConsentState['current']> {
    const rows: ConsentRow[] = await this.db(CONSENT_TABLE)
      .where({ subject_hash: subjectHash })
      .whereIn(
        'seq',
        this.db(CONSENT_TABLE)
          .max('seq')
          .where({ subject_hash: subjectHash })
          .groupBy('purpose'),
      );
    const current: ConsentState['current'] = {};
    for (const row of rows) {
      current[row.purpose] = {
        granted: Boolean(row.granted),
        at: iso(row.at),
        source: row.source,
      };
    }
    return current;
  }
}
