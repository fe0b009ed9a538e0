import { NotAllowedError } from '@backstage/errors';
import type { AuditChain, Outbox } from '@internal/plugin-ops-node';
import type { ExternalAlertResponse } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { PortalLinks } from '../alerts/notifications';
import { externalAlertKey } from '../notify/describe';
import type { ExternalRouting } from './config';
import {
  ParsedExternalAlert,
  externalDeliveries,
  externalNotification,
} from './deliveries';

/** The audit event type of an external alert taken in. */
export const EXTERNAL_ALERT_AUDIT_TYPE = 'external-alert.received';

/**
 * Alerts other backend plugins hand the SLO plugin's notifiers: routed by
 * the source's configured targets for their severity, enqueued once per
 * (alert, event, target) in the SLO outbox with their audit event.
 */
export class ExternalAlertService {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      db: Knex;
      outbox: Outbox;
      audit: AuditChain;
      routing: ExternalRouting;
      links: PortalLinks;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The source a service caller sends for: `plugin:<id>` where `<id>` is a
   * configured source. Anyone else is refused (403).
   */
  sourceOf(subject: string): string {
    const match = /^plugin:([a-z][a-z0-9-]{0,39})$/.exec(subject);
    if (!match) {
      throw new NotAllowedError(
        'External alerts are taken from backend plugins only (a plugin:<id> service token)',
      );
    }
    const source = match[1];
    if (!Object.hasOwn(this.options.routing, source)) {
      throw new NotAllowedError(
        `External alert source '${source}' is not configured (slo.notifications.external)`,
      );
    }
    return source;
  }

  /**
   * Enqueues one delivery per target routed for the alert's severity. The
   * alert's `source` must be the calling plugin (`caller`, from `sourceOf`).
   * A repeat enqueues nothing new and answers the same.
   */
  async receive(
    caller: string,
    alert: ParsedExternalAlert,
  ): Promise<ExternalAlertResponse> {
    if (alert.source !== caller) {
      throw new NotAllowedError(
        `The source of an external alert must be the calling plugin's id: '${alert.source}' was sent by plugin '${caller}'`,
      );
    }
    const { db, outbox, audit, routing, links } = this.options;
    const source = this.sourceOf(`plugin:${caller}`);
    const targets = routing[source][alert.severity];
    const notification = externalNotification(alert, links);
    const deliveries = externalDeliveries(notification, targets);
    await db.transaction(async tx => {
      const created = await outbox.enqueue(deliveries, tx);
      if (created === 0) return;
      // Ids and routing only: titles, summaries and fields may name people.
      await audit.enqueue(
        [
          {
            recordId: externalAlertKey(notification.dedupKey),
            type: EXTERNAL_ALERT_AUDIT_TYPE,
            actor: `service:plugin:${source}`,
            at: this.now(),
            data: {
              source,
              alertId: alert.alertId,
              event: alert.event,
              severity: alert.severity,
              targets,
              enqueued: created,
            },
          },
        ],
        tx,
      );
    });
    return {
      deliveries: deliveries.map(({ target, idempotencyKey }) => ({
        target,
        idempotencyKey,
      })),
    };
  }
}
