import type { ChangeRecordRequest } from '@internal/plugin-evidence-common';
import type {
  AuditChain,
  AuditEntry,
  Outbox,
  OutboxDelivery,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { EVIDENCE_TARGET } from './evidenceDeliverer';
import { OPS_ACTIONS_EVIDENCE_TABLE } from './tables';

/** Where a change's evidence filing stands, for the task's output. */
export interface ChangeEvidence {
  /** `filed`, or the outbox delivery's state while it is not (`pending`, `dead`), or `off`. */
  state: 'filed' | 'pending' | 'dead' | 'off';
  /** The evidence item, once filed. */
  itemId?: string;
}

export interface ActionRecorderOptions {
  db: Knex;
  audit: Pick<AuditChain, 'enqueue'>;
  /** Absent when evidence filing is off: changes are only audited. */
  outbox?: Pick<Outbox, 'enqueue' | 'getByKey'>;
  /** Delivers what is due now (the outbox worker's `deliverDue`), so a filing usually lands before the step ends. */
  deliverNow?: () => Promise<unknown>;
}

/** The outbox key of a change's evidence filing. */
export const changeDeliveryKey = (changeKey: string) =>
  `ops-change:${changeKey}`;

/**
 * What the ops actions leave on record: an audit event for every action run
 * (in the module's audit chain), and for a change to production (a rollback)
 * a change record filed as CC8.1 evidence through the outbox, so the
 * evidence plugin being down delays the filing and loses nothing.
 */
export class ActionRecorder {
  constructor(private readonly options: ActionRecorderOptions) {}

  /** Writes one audit event. */
  async audit(entry: AuditEntry): Promise<void> {
    await this.options.db.transaction(tx =>
      this.options.audit.enqueue([entry], tx),
    );
  }

  /**
   * Audits a change and, with filing on, queues its evidence filing in the
   * same transaction; then tries to deliver it at once. A change key is
   * filed once however often this is called with it.
   */
  async recordChange(
    change: ChangeRecordRequest,
    entry: AuditEntry,
  ): Promise<ChangeEvidence> {
    const { db, audit, outbox, deliverNow } = this.options;
    await db.transaction(async tx => {
      await audit.enqueue([entry], tx);
      await outbox?.enqueue(
        [
          {
            idempotencyKey: changeDeliveryKey(change.key),
            target: EVIDENCE_TARGET,
            payload: change,
          },
        ],
        tx,
      );
    });
    if (!outbox) return { state: 'off' };
    // A failed attempt here is the worker's to retry; the change is queued.
    await deliverNow?.().catch(() => {});
    return this.evidenceOf(change.key);
  }

  /** Where the evidence filing of a change stands. */
  async evidenceOf(changeKey: string): Promise<ChangeEvidence> {
    const filed = await this.options
      .db(OPS_ACTIONS_EVIDENCE_TABLE)
      .where({ change_key: changeKey })
      .first();
    if (filed) return { state: 'filed', itemId: filed.item_id };
    if (!this.options.outbox) return { state: 'off' };
    const delivery: OutboxDelivery | undefined =
      await this.options.outbox.getByKey(changeDeliveryKey(changeKey));
    return { state: delivery?.state === 'dead' ? 'dead' : 'pending' };
  }

  /** Remembers the item a change was filed as (the deliverer calls it; idempotent). */
  async recordFiled(changeKey: string, itemId: string): Promise<void> {
    await this.options
      .db(OPS_ACTIONS_EVIDENCE_TABLE)
      .insert({ change_key: changeKey, item_id: itemId, filed_at: new Date() })
      .onConflict('change_key')
      .ignore();
  }
}
