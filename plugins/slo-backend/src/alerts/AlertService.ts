import { ConflictError, NotFoundError } from '@backstage/errors';
import type { AuditChain, Outbox } from '@internal/plugin-ops-node';
import type { SloAlert } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { ObjectiveStore } from '../objectives/ObjectiveStore';
import type { AlertStore } from './AlertStore';
import { PortalLinks, buildNotification, deliveriesFor } from './notifications';

/** Acknowledging and silencing alerts: each written with its audit event and its notifications, in one transaction. */
export class AlertService {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      db: Knex;
      alerts: AlertStore;
      objectives: Pick<ObjectiveStore, 'getStored'>;
      outbox: Outbox;
      audit: AuditChain;
      links: PortalLinks;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  list: AlertStore['list'] = (filter, page) =>
    this.options.alerts.list(filter, page);

  async acknowledge(
    id: string,
    input: { actor: string; reason: string },
  ): Promise<SloAlert> {
    return this.change(id, 'acknowledged', input, async (alert, at, tx) => {
      if (alert.state !== 'firing') {
        throw new ConflictError(
          `Alert ${id} is resolved: nothing to acknowledge`,
        );
      }
      await this.options.alerts.acknowledge(
        id,
        { by: input.actor, at, reason: input.reason },
        tx,
      );
    });
  }

  async silence(
    id: string,
    input: { actor: string; reason: string; until: Date },
  ): Promise<SloAlert> {
    return this.change(id, 'silenced', input, async (_alert, _at, tx) => {
      await this.options.alerts.silence(
        id,
        { by: input.actor, until: input.until, reason: input.reason },
        tx,
      );
    });
  }

  private async change(
    id: string,
    event: 'acknowledged' | 'silenced',
    input: { actor: string; reason: string; until?: Date },
    write: (alert: SloAlert, at: Date, tx: Knex.Transaction) => Promise<void>,
  ): Promise<SloAlert> {
    const { db, alerts, objectives, outbox, audit, links } = this.options;
    const at = this.now();
    await db.transaction(async tx => {
      const alert = await alerts.getById(id, tx);
      if (!alert) throw new NotFoundError(`No alert ${id}`);
      await write(alert, at, tx);
      const stored = await objectives.getStored(alert.objectiveRef, tx);
      if (stored) {
        const notification = buildNotification({
          stored,
          alert,
          event,
          at,
          actor: {
            by: input.actor,
            reason: input.reason,
            until: input.until?.toISOString(),
          },
          links,
        });
        await outbox.enqueue(
          deliveriesFor(
            notification,
            await alerts.notifiedTargets(id, tx),
            String(at.getTime()),
          ),
          tx,
        );
      }
      await audit.enqueue(
        [
          {
            recordId: id,
            type: `alert.${event}`,
            actor: input.actor,
            at,
            data: {
              objective: alert.objectiveRef,
              tier: alert.tier,
              reason: input.reason,
              ...(input.until ? { until: input.until.toISOString() } : {}),
            },
          },
        ],
        tx,
      );
    });
    return (await alerts.getById(id))!;
  }
}
