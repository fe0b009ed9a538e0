import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  type AuditChain,
  type Outbox,
  type PageQuery,
  readPage,
} from '@internal/plugin-ops-node';
import {
  SECURITY_SEVERITIES,
  type SecurityAlertDetail,
  type SecurityAlertStatus,
  type SecurityAlertSummary,
  type SecurityAlertSummaryByDay,
  type SecurityEvent,
  type SecurityNotificationState,
  type SecuritySeverity,
} from '@internal/plugin-security-common';
import type { SecurityAlert } from '@internal/plugin-security-node';
import type { Page } from '@internal/plugin-ops-common';
import type { Knex } from 'knex';
import { createHash, randomUUID } from 'node:crypto';
import {
  externalAlertOf,
  type NotificationOptions,
} from '../notify/notification';
import {
  SECURITY_ALERTS_TABLE as ALERTS,
  SECURITY_ALERT_EVENTS_TABLE as EVENTS,
  SLO_TARGET,
} from './tables';
import { canChangeStatus, statusAuditType } from './transitions';

type Time = Date | string | number;
const iso = (value: Time) => new Date(value).toISOString();
const DAY_MS = 24 * 60 * 60 * 1000;

interface AlertRow {
  id: string;
  dedup_key: string;
  rule_id: string;
  title: string;
  severity: SecuritySeverity;
  status: SecurityAlertStatus;
  group_by: string;
  group_key: string;
  first_at: Time;
  last_at: Time;
  raised_at: Time;
  count: number;
  window_seconds: number | null;
  notification: SecurityNotificationState;
  status_by: string | null;
  status_at: Time | null;
  status_note: string | null;
  demo: boolean | number;
}

function toSummary(row: AlertRow): SecurityAlertSummary {
  return {
    id: row.id,
    ruleId: row.rule_id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    groupBy: row.group_by,
    groupKey: row.group_key,
    firstAt: iso(row.first_at),
    lastAt: iso(row.last_at),
    raisedAt: iso(row.raised_at),
    count: row.count,
    notification: row.notification,
    ...(row.status_by &&
      row.status_at !== null && {
        statusChange: {
          by: row.status_by,
          at: iso(row.status_at),
          note: row.status_note ?? '',
        },
      }),
    ...(row.demo ? { demo: true } : {}),
  };
}

const notifiedOf = (row: AlertRow) => ({
  id: row.id,
  ruleId: row.rule_id,
  title: row.title,
  severity: row.severity,
  groupBy: row.group_by,
  groupKey: row.group_key,
  firstAt: iso(row.first_at),
  lastAt: iso(row.last_at),
  count: row.count,
  windowSeconds: row.window_seconds ?? undefined,
});

/** The engine's dedup key is long and holds an address: stored as its hash. */
export const dedupHash = (dedupKey: string) =>
  createHash('sha256').update(dedupKey).digest('hex');

/** Outbox keys of an alert's notifications. */
export const notificationKey = (id: string, event: 'fired' | 'resolved') =>
  `security-alert:${id}:${event}`;

export interface AlertFilters {
  status?: SecurityAlertStatus;
  severity?: SecuritySeverity;
  ruleId?: string;
}

export interface AlertStoreOptions {
  db: Knex;
  audit: AuditChain;
  outbox: Outbox;
  /** Off (`security.notifications.enabled: false`): nothing is enqueued, alerts say `off`. */
  notifications?: NotificationOptions;
  now?: () => Date;
}

/**
 * Alerts, their triggering events, their notifications (in the plugin's
 * outbox) and status changes (in its audit chain), each change in one
 * transaction. An alert's engine dedup key is unique: a second replica or a
 * replay that raises the same alert stores and notifies nothing.
 */
export class AlertStore {
  readonly #db: Knex;
  readonly #audit: AuditChain;
  readonly #outbox: Outbox;
  readonly #notifications?: NotificationOptions;
  readonly #now: () => Date;

  constructor(options: AlertStoreOptions) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.#outbox = options.outbox;
    this.#notifications = options.notifications;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Stores an alert with its events and enqueues its notification, at once.
   * Returns the new alert's summary, or undefined when its dedup key was
   * stored already (nothing changed).
   */
  async insert(
    alert: SecurityAlert,
    options: {
      windowSeconds?: number;
      demo?: boolean;
      notify?: boolean;
      /** Default: now. */
      raisedAt?: Date;
    } = {},
  ): Promise<SecurityAlertSummary | undefined> {
    const raisedAt = options.raisedAt ?? this.#now();
    const notify = options.notify !== false && this.#notifications;
    const row: AlertRow = {
      id: randomUUID(),
      dedup_key: dedupHash(alert.dedupKey),
      rule_id: alert.ruleId,
      title: alert.title,
      severity: alert.severity,
      status: 'open',
      group_by: alert.groupBy,
      group_key: alert.groupKey,
      first_at: new Date(alert.firstAt),
      last_at: new Date(alert.lastAt),
      raised_at: raisedAt,
      count: alert.count,
      window_seconds: options.windowSeconds ?? null,
      notification: notify ? 'pending' : 'off',
      status_by: null,
      status_at: null,
      status_note: null,
      demo: options.demo ?? false,
    };
    return this.#db.transaction(async tx => {
      const inserted = await tx(ALERTS)
        .insert(row)
        .onConflict('dedup_key')
        .ignore()
        .returning('id');
      if (inserted.length === 0) return undefined;
      if (alert.events.length > 0) {
        await tx(EVENTS).insert(
          alert.events.map((event, seq) => ({
            alert_id: row.id,
            seq,
            document: JSON.stringify(event),
          })),
        );
      }
      if (notify) {
        await this.#outbox.enqueue(
          [
            {
              idempotencyKey: notificationKey(row.id, 'fired'),
              target: SLO_TARGET,
              payload: externalAlertOf(
                notifiedOf(row),
                'fired',
                raisedAt.toISOString(),
                notify,
              ),
            },
          ],
          tx,
        );
      }
      return toSummary(row);
    });
  }

  async count(): Promise<number> {
    const [{ count }] = await this.#db(ALERTS).count({ count: '*' });
    return Number(count);
  }

  /** Newest first. */
  async list(
    filters: AlertFilters,
    page: PageQuery,
  ): Promise<Page<SecurityAlertSummary>> {
    const query = this.#db<AlertRow>(ALERTS);
    if (filters.status) query.where('status', filters.status);
    if (filters.severity) query.where('severity', filters.severity);
    if (filters.ruleId) query.where('rule_id', filters.ruleId);
    return readPage(query, page, {
      orderBy: [
        { column: 'raised_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: toSummary,
    });
  }

  async get(id: string): Promise<SecurityAlertDetail> {
    const row = await this.#db<AlertRow>(ALERTS).where({ id }).first();
    if (!row) throw new NotFoundError(`No security alert ${id}`);
    const events = await this.#db(EVENTS)
      .where({ alert_id: id })
      .orderBy('seq')
      .select('document');
    return {
      ...toSummary(row),
      events: events.map(e => JSON.parse(e.document) as SecurityEvent),
    };
  }

  /**
   * Alerts raised per UTC day and severity over the last `days` days
   * (today included), oldest first, every day present; and how many are open.
   */
  async summaryByDay(days: number): Promise<SecurityAlertSummaryByDay> {
    const today = Math.floor(this.#now().getTime() / DAY_MS) * DAY_MS;
    const from = today - (days - 1) * DAY_MS;
    const rows: Array<{ raised_at: Time; severity: SecuritySeverity }> =
      await this.#db(ALERTS)
        .where('raised_at', '>=', new Date(from))
        .select('raised_at', 'severity');
    const buckets = Array.from({ length: days }, (_, i) => ({
      day: iso(from + i * DAY_MS).slice(0, 10),
      ...(Object.fromEntries(SECURITY_SEVERITIES.map(s => [s, 0])) as Record<
        SecuritySeverity,
        number
      >),
    }));
    for (const row of rows) {
      const index = Math.floor(
        (new Date(row.raised_at).getTime() - from) / DAY_MS,
      );
      if (index >= 0 && index < days) buckets[index][row.severity] += 1;
    }
    const [{ count }] = await this.#db(ALERTS)
      .where({ status: 'open' })
      .count({ count: '*' });
    return { days: buckets, open: Number(count) };
  }

  /**
   * Changes an alert's status with who and why, audited in the same
   * transaction; closing enqueues the `resolved` notification (once per
   * alert: a second close after a reopen sends none).
   */
  async changeStatus(
    id: string,
    change: { status: SecurityAlertStatus; note: string },
    by: string,
  ): Promise<SecurityAlertSummary> {
    const at = this.#now();
    return this.#db.transaction(async tx => {
      const row = await tx<AlertRow>(ALERTS).where({ id }).forUpdate().first();
      if (!row) throw new NotFoundError(`No security alert ${id}`);
      if (!canChangeStatus(row.status, change.status)) {
        throw new ConflictError(
          `The alert is ${row.status}; it cannot become ${change.status}`,
        );
      }
      const update = {
        status: change.status,
        status_by: by,
        status_at: at,
        status_note: change.note,
      };
      await tx(ALERTS).where({ id }).update(update);
      await this.#audit.enqueue(
        [
          {
            recordId: id,
            type: statusAuditType(change.status),
            actor: by,
            at,
            data: { from: row.status, to: change.status, ruleId: row.rule_id },
          },
        ],
        tx,
      );
      if (
        change.status === 'closed' &&
        row.notification !== 'off' &&
        this.#notifications
      ) {
        await this.#outbox.enqueue(
          [
            {
              idempotencyKey: notificationKey(id, 'resolved'),
              target: SLO_TARGET,
              payload: externalAlertOf(
                notifiedOf(row),
                'resolved',
                at.toISOString(),
                this.#notifications,
              ),
            },
          ],
          tx,
        );
      }
      return toSummary({ ...row, ...update });
    });
  }

  /** Records how the `fired` notification went (the outbox deliverer calls it). */
  async setNotification(
    id: string,
    state: Extract<SecurityNotificationState, 'sent' | 'failed'>,
  ): Promise<void> {
    await this.#db(ALERTS)
      .where({ id })
      .whereNot({ notification: 'off' })
      .update({ notification: state });
  }

  /** Alerts by rule, severity and status (for metrics). */
  async countsBy(): Promise<
    Array<{ ruleId: string; severity: string; status: string; count: number }>
  > {
    const rows: Array<Record<string, unknown>> = await this.#db(ALERTS)
      .select('rule_id', 'severity', 'status')
      .count({ count: '*' })
      .groupBy('rule_id', 'severity', 'status');
    return rows.map(r => ({
      ruleId: String(r.rule_id),
      severity: String(r.severity),
      status: String(r.status),
      count: Number(r.count),
    }));
  }
}
