import type { Knex } from 'knex';
import type { IdentifierProtection } from './identifiers';

/**
 * Legal holds by subject: while one is active, the subject's erasures wait
 * in `on_hold` and cannot be approved.
 */
export class LegalHoldStore {
  constructor(
    private readonly db: Knex,
    private readonly identifiers: IdentifierProtection,
  ) {}

  async isHeld(subjectId: string, trx: Knex = this.db): Promise<boolean> {
    const row = await trx('privacy_legal_holds')
      .where({ subject_hash: this.identifiers.hash(subjectId) })
      .whereNull('released_at')
      .first();
    return Boolean(row);
  }

  async place(
    hold: {
      id: string;
      subjectId: string;
      reason: string;
      createdBy: string;
      at: Date;
    },
    trx: Knex = this.db,
  ) {
    await trx('privacy_legal_holds').insert({
      id: hold.id,
      subject_hash: this.identifiers.hash(hold.subjectId),
      reason: hold.reason,
      created_by: hold.createdBy,
      created_at: hold.at,
    });
  }

  async get(id: string, trx: Knex = this.db) {
    return trx('privacy_legal_holds').where({ id }).first() as Promise<
      { id: string; subject_hash: string; released_at: unknown } | undefined
    >;
  }

  /** Marks a hold released; false if it was released already. */
  async release(id: string, at: Date, trx: Knex = this.db): Promise<boolean> {
    const changed = await trx('privacy_legal_holds')
      .where({ id })
      .whereNull('released_at')
      .update({ released_at: at });
    return changed > 0;
  }

  async isHashHeld(subjectHash: string, trx: Knex = this.db): Promise<boolean> {
    const row = await trx('privacy_legal_holds')
      .where({ subject_hash: subjectHash })
      .whereNull('released_at')
      .first();
    return Boolean(row);
  }
}
