import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AuditChain, Outbox } from '@internal/plugin-ops-node';
import type { SloStatus } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { AlertStore } from '../alerts/AlertStore';
import {
  PortalLinks,
  buildNotification,
  deliveriesFor,
} from '../alerts/notifications';
import { dedupKey, MINUTE_MS, nextAlertState } from '../engine';
import type {
  ObjectiveStore,
  StoredObjective,
} from '../objectives/ObjectiveStore';
import { evaluateAt, stateOf } from './evaluateObjective';
import { IncrementalSums } from './IncrementalSums';

/** The actor of what the evaluation does. */
export const EVALUATOR = 'plugin:slo';

export interface EvaluationServiceOptions {
  db: Knex;
  objectives: ObjectiveStore;
  alerts: AlertStore;
  outbox: Outbox;
  audit: AuditChain;
  links: PortalLinks;
  /** Names of the targets that have a deliverer; others are skipped with a warning. */
  targets: ReadonlySet<string>;
  logger: LoggerService;
  now?: () => Date;
}

/** What one run did. */
export interface EvaluationRunSummary {
  at: string;
  evaluated: number;
  failed: number;
  fired: number;
  resolved: number;
}

/** The objective's catalog entity, for the audit event's `service.target`. */
const entityOf = (stored: StoredObjective) =>
  stored.entityRef ? { entityRef: stored.entityRef } : {};

/** The last whole minute before `now`: the newest minute every window ends with. */
export function lastWholeMinute(now: Date): number {
  return Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
}

/**
 * Evaluates every objective as of one minute, keeps the result for the
 * overview, and moves each (objective, tier) alert through its state
 * machine. A transition, its audit event and its notifications (outbox
 * deliveries) commit in one transaction: a crash before the commit leaves
 * nothing, and the next run finds the same transition; after it, the alert
 * row exists and the transition is not made again.
 */
export class EvaluationService {
  private readonly now: () => Date;
  /** What each objective's windows summed last minute (the live path). */
  readonly sums: IncrementalSums;

  constructor(private readonly options: EvaluationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.sums = new IncrementalSums(options.db, this.now);
  }

  async evaluateAll(at?: number): Promise<EvaluationRunSummary> {
    const minute = at ?? lastWholeMinute(this.now());
    const summary: EvaluationRunSummary = {
      at: new Date(minute).toISOString(),
      evaluated: 0,
      failed: 0,
      fired: 0,
      resolved: 0,
    };
    const objectives = await this.options.objectives.all();
    const statuses = await this.sums.evaluateAll(objectives, minute);
    // Most minutes move no alert: those evaluations are kept in one batch;
    // an objective whose firing tiers differ from its open alerts gets its
    // own transaction, which reads the alerts again and moves them.
    const open = await this.options.alerts.openTiers();
    const quiet: Array<{ id: string; status: SloStatus }> = [];
    for (const stored of objectives) {
      const ref = stored.objective.id;
      try {
        const status = statuses.get(ref);
        if (!status) throw new Error('not evaluated');
        if (status instanceof Error) throw status;
        const openTiers = open.get(ref) ?? new Set<string>();
        const firing = new Set(status.firing);
        const moves =
          status.firing.some(t => !openTiers.has(t)) ||
          [...openTiers].some(t => !firing.has(t));
        if (moves) {
          const result = await this.apply(stored, status);
          summary.fired += result.fired;
          summary.resolved += result.resolved;
        } else {
          quiet.push({ id: ref, status });
        }
        summary.evaluated += 1;
      } catch (error) {
        summary.failed += 1;
        this.options.logger.warn(`SLO evaluation of ${ref} failed: ${error}`);
      }
    }
    await this.options.objectives.saveEvaluations(
      quiet.map(q => ({ ...q, state: stateOf(q.status) })),
    );
    return summary;
  }

  /** Evaluates one objective afresh from the store, and applies the result. */
  async evaluateOne(
    stored: StoredObjective,
    at: number,
  ): Promise<{ status: SloStatus; fired: number; resolved: number }> {
    return this.apply(stored, await evaluateAt(this.options.db, stored, at));
  }

  /** Keeps an evaluation for the overview and moves the alerts of its tiers. */
  private async apply(
    stored: StoredObjective,
    status: SloStatus,
  ): Promise<{ status: SloStatus; fired: number; resolved: number }> {
    const { db, objectives, alerts } = this.options;
    const at = Date.parse(status.at);
    let fired = 0;
    let resolved = 0;
    await db.transaction(async tx => {
      await objectives.saveEvaluation(
        stored.objective.id,
        status,
        stateOf(status),
        tx,
      );
      const open = await alerts.openFor(stored.objective.id, tx);
      const firingNow = new Set(status.firing);
      const tierNames = new Set([
        ...stored.tiers.map(t => t.name),
        ...open.keys(),
      ]);
      for (const tier of tierNames) {
        const previous = open.get(tier);
        const { transition } = nextAlertState(
          previous && {
            dedupKey: previous.dedupKey,
            objectiveRef: previous.objectiveRef,
            tier,
            firing: true,
            since: Date.parse(previous.firedAt),
          },
          firingNow.has(tier),
          { objectiveRef: stored.objective.id, tier, at },
        );
        if (transition === 'fired') {
          await this.fire(stored, tier, status, tx);
          fired += 1;
        } else if (transition === 'resolved' && previous) {
          await this.resolve(stored, previous.id, tier, status, tx);
          resolved += 1;
        }
      }
    });
    return { status, fired, resolved };
  }

  private targetsOf(stored: StoredObjective, tier: string): string[] {
    const names = stored.tiers.find(t => t.name === tier)?.targets ?? [];
    const known = names.filter(n => this.options.targets.has(n));
    for (const missing of names.filter(n => !this.options.targets.has(n))) {
      this.options.logger.warn(
        `SLO ${stored.objective.id} tier ${tier} names notification target '${missing}', which is not configured in slo.notifications.targets`,
      );
    }
    return known;
  }

  private async fire(
    stored: StoredObjective,
    tier: string,
    status: SloStatus,
    tx: Knex.Transaction,
  ) {
    const { alerts, outbox, audit, links } = this.options;
    const key = dedupKey(stored.objective.id, tier);
    const now = this.now();
    // A silence outlives its episode: a new firing within it is recorded, not sent.
    const last = await alerts.latestFor(key, tx);
    const silenced =
      last?.silenced && Date.parse(last.silenced.until) > now.getTime()
        ? last.silenced
        : null;
    const alert = {
      id: randomUUID(),
      objectiveRef: stored.objective.id,
      tier,
      severity: stored.tiers.find(t => t.name === tier)?.severity ?? 'ticket',
      dedupKey: key,
      firedAt: status.at,
      silenced,
    };
    const targets = silenced ? [] : this.targetsOf(stored, tier);
    await alerts.insert({ ...alert, notified: targets }, tx);
    const notification = buildNotification({
      stored,
      alert,
      event: 'fired',
      at: new Date(status.at),
      status,
      links,
    });
    await outbox.enqueue(deliveriesFor(notification, targets), tx);
    await audit.enqueue(
      [
        {
          recordId: alert.id,
          type: 'alert.fired',
          actor: EVALUATOR,
          at: now,
          data: {
            objective: stored.objective.id,
            ...entityOf(stored),
            tier,
            minute: status.at,
            burnRates: notification.burnRates,
            targets,
            silenced: silenced !== null,
          },
        },
      ],
      tx,
    );
  }

  private async resolve(
    stored: StoredObjective,
    alertId: string,
    tier: string,
    status: SloStatus,
    tx: Knex.Transaction,
  ) {
    const { alerts, outbox, audit, links } = this.options;
    if (!(await alerts.resolve(alertId, new Date(status.at), tx))) return;
    // Whoever was told it fired is told it resolved, silenced or not.
    const targets = await alerts.notifiedTargets(alertId, tx);
    const notification = buildNotification({
      stored,
      alert: {
        id: alertId,
        tier,
        dedupKey: dedupKey(stored.objective.id, tier),
      },
      event: 'resolved',
      at: new Date(status.at),
      status,
      links,
    });
    await outbox.enqueue(deliveriesFor(notification, targets), tx);
    await audit.enqueue(
      [
        {
          recordId: alertId,
          type: 'alert.resolved',
          actor: EVALUATOR,
          at: this.now(),
          data: {
            objective: stored.objective.id,
            ...entityOf(stored),
            tier,
            minute: status.at,
          },
        },
      ],
      tx,
    );
  }
}
