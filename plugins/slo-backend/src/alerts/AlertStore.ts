import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { SloAlert, SloAlertLink } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { AlertLinkStore } from '../notify/types';

const ALERTS = 'slo_alerts';
const LINKS = 'slo_alert_links';

type Time = Date | string | number;

interface AlertRow {
  id: string;
  objective_ref: string;
  tier: string;
  severity: 'page' | 'ticket';
  dedup_key: string;
  state: 'firing' | 'resolved';
  fired_at: Time;
  resolved_at: Time | null;
  acknowledged_by: string | null;
  acknowledged_at: Time | null;
  acknowledged_reason: string | null;
  silenced_by: string | null;
  silenced_until: Time | null;
  silenced_reason: string | null;
}

interface LinkRow {
  alert_id: string;
  target: string;
  type: string;
  external_id: string;
  url: string | null;
}

const iso = (t: Time) => new Date(t).toISOString();

function toAlert(row: AlertRow, links: SloAlertLink[]): SloAlert {
  return {
    id: row.id,
    objectiveRef: row.objective_ref,
    tier: row.tier,
    severity: row.severity,
    dedupKey: row.dedup_key,
    state: row.state,
    firedAt: iso(row.fired_at),
    resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
    acknowledged:
      row.acknowledged_by && row.acknowledged_at
        ? {
            by: row.acknowledged_by,
            at: iso(row.acknowledged_at),
            reason: row.acknowledged_reason ?? '',
          }
        : null,
    silenced:
      row.silenced_by && row.silenced_until
        ? {
            by: row.silenced_by,
            until: iso(row.silenced_until),
            reason: row.silenced_reason ?? '',
          }
        : null,
    links,
  };
}

const toLink = (row: LinkRow): SloAlertLink => ({
  target: row.target,
  type: row.type,
  externalId: row.external_id,
  url: row.url ?? undefined,
});

/** Alert episodes and the links notifiers made for them. */
export class AlertStore implements AlertLinkStore {
  constructor(private readonly db: Knex) {}

  /** The firing alerts of an objective, by tier. */
  async openFor(
    objectiveRef: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<Map<string, SloAlert>> {
    const rows: AlertRow[] = await trx(ALERTS)
      .where({ objective_ref: objectiveRef, state: 'firing' })
      .select('*');
    return new Map(rows.map(r => [r.tier, toAlert(r, [])]));
  }

  /** The tiers with a firing alert, by objective: one read for every objective. */
  async openTiers(): Promise<Map<string, Set<string>>> {
    const rows: Array<{ objective_ref: string; tier: string }> = await this.db(
      ALERTS,
    )
      .where('state', 'firing')
      .select('objective_ref', 'tier');
    const byRef = new Map<string, Set<string>>();
    for (const row of rows) {
      const tiers = byRef.get(row.objective_ref) ?? new Set<string>();
      tiers.add(row.tier);
      byRef.set(row.objective_ref, tiers);
    }
    return byRef;
  }

  /** The most recent episode of a dedup key, firing or not. */
  async latestFor(
    dedupKey: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<SloAlert | undefined> {
    const row: AlertRow | undefined = await trx(ALERTS)
      .where('dedup_key', dedupKey)
      .orderBy('fired_at', 'desc')
      .first();
    return row && toAlert(row, []);
  }

  async insert(
    alert: Omit<SloAlert, 'links' | 'acknowledged' | 'resolvedAt' | 'state'> & {
      silenced: SloAlert['silenced'];
      /** The targets told it fired. */
      notified: readonly string[];
    },
    trx: Knex | Knex.Transaction,
  ): Promise<void> {
    await trx(ALERTS).insert({
      id: alert.id,
      objective_ref: alert.objectiveRef,
      tier: alert.tier,
      severity: alert.severity,
      dedup_key: alert.dedupKey,
      state: 'firing',
      fired_at: new Date(alert.firedAt),
      resolved_at: null,
      silenced_by: alert.silenced?.by ?? null,
      silenced_until: alert.silenced ? new Date(alert.silenced.until) : null,
      silenced_reason: alert.silenced?.reason ?? null,
      notified: JSON.stringify(alert.notified),
    });
  }

  /** The targets told an alert fired. */
  async notifiedTargets(
    id: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<string[]> {
    const row: { notified: string } | undefined = await trx(ALERTS)
      .where({ id })
      .first('notified');
    return row ? (JSON.parse(row.notified) as string[]) : [];
  }

  /** Resolves a firing alert; false when it was not firing. */
  async resolve(
    id: string,
    at: Date,
    trx: Knex | Knex.Transaction,
  ): Promise<boolean> {
    const n = await trx(ALERTS)
      .where({ id, state: 'firing' })
      .update({ state: 'resolved', resolved_at: at });
    return n > 0;
  }

  async acknowledge(
    id: string,
    ack: { by: string; at: Date; reason: string },
    trx: Knex | Knex.Transaction,
  ): Promise<boolean> {
    const n = await trx(ALERTS).where({ id }).update({
      acknowledged_by: ack.by,
      acknowledged_at: ack.at,
      acknowledged_reason: ack.reason,
    });
    return n > 0;
  }

  async silence(
    id: string,
    silence: { by: string; until: Date; reason: string },
    trx: Knex | Knex.Transaction,
  ): Promise<boolean> {
    const n = await trx(ALERTS).where({ id }).update({
      silenced_by: silence.by,
      silenced_until: silence.until,
      silenced_reason: silence.reason,
    });
    return n > 0;
  }

  async getById(
    id: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<SloAlert | undefined> {
    const row: AlertRow | undefined = await trx(ALERTS).where({ id }).first();
    if (!row) return undefined;
    const links: LinkRow[] = await trx(LINKS).where('alert_id', id);
    return toAlert(row, links.map(toLink));
  }

  async list(
    filter: { objectiveRef?: string; state?: 'firing' | 'resolved' },
    page: PageQuery,
  ): Promise<Page<SloAlert>> {
    const query = this.db<AlertRow>(ALERTS);
    if (filter.objectiveRef) query.where('objective_ref', filter.objectiveRef);
    if (filter.state) query.where('state', filter.state);
    const result = await readPage<AlertRow, AlertRow>(query, page, {
      orderBy: [{ column: 'fired_at', order: 'desc' }, { column: 'id' }],
      toItem: row => row,
    });
    const ids = result.items.map(r => r.id);
    const links: LinkRow[] = ids.length
      ? await this.db(LINKS).whereIn('alert_id', ids)
      : [];
    return {
      ...result,
      items: result.items.map(row =>
        toAlert(row, links.filter(l => l.alert_id === row.id).map(toLink)),
      ),
    };
  }

  // AlertLinkStore: what notifiers made at vendors.
  async get(
    alertId: string,
    target: string,
  ): Promise<SloAlertLink | undefined> {
    const row: LinkRow | undefined = await this.db(LINKS)
      .where({ alert_id: alertId, target })
      .first();
    return row && toLink(row);
  }

  async put(alertId: string, link: SloAlertLink): Promise<void> {
    await this.db(LINKS)
      .insert({
        alert_id: alertId,
        target: link.target,
        type: link.type,
        external_id: link.externalId,
        url: link.url ?? null,
      })
      .onConflict(['alert_id', 'target'])
      .merge(['type', 'external_id', 'url']);
  }
}
