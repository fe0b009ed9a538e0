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

  async place(hold: {
    id: string;
    subjectId: string;
    reason: string;
    createdBy: string;
    at: Date;
  }) {
    await this.db('privacy_legal_holds').insert({
      id: hold.id,
      subject_hash: this.identifiers.hash(hold.subjectId),
      reason: hold.reason,
      created_by: hold.createdBy,
      created_at: hold.at,
    });
  }
}
