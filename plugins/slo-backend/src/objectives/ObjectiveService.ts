import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { Page, PageQuery } from '@internal/plugin-ops-node';
import type {
  SloObjectiveProblem,
  SloObjectiveSummary,
  SloSeries,
  SloStatus,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import { PortalLinks, objectiveUrl } from '../alerts/notifications';
import { MINUTE_MS } from '../engine';
import {
  MAX_SERIES_POINTS,
  evaluateAt,
  latestMinute,
  seriesOf,
} from '../evaluation/evaluateObjective';
import { lastWholeMinute } from '../evaluation/EvaluationService';
import type {
  ObjectiveFilter,
  ObjectiveSort,
  ObjectiveStore,
  StoredObjective,
} from './ObjectiveStore';
import {
  generateRules,
  toPrometheusRuleManifest,
  toRulesFileYaml,
} from '../rules';
import { periodMinutes } from './tiers';

/** The formats `GET /objectives/:ref/rules` serves. */
export type RulesFormat = 'rules' | 'prometheusrule';

/** Reading objectives: the overview, one objective, its status at a minute, its chart series, its source. */
export class ObjectiveService {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      db: Knex;
      store: ObjectiveStore;
      links?: PortalLinks;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  list(
    filter: ObjectiveFilter,
    page: PageQuery,
    sort?: { by: ObjectiveSort; order: 'asc' | 'desc' },
  ): Promise<Page<SloObjectiveSummary>> {
    return this.options.store.list(filter, page, sort);
  }

  problems(page: PageQuery): Promise<Page<SloObjectiveProblem>> {
    return this.options.store.problems(page);
  }

  async get(ref: string): Promise<SloObjectiveSummary> {
    const found = await this.options.store.get(ref);
    if (!found) throw new NotFoundError(`No objective '${ref}'`);
    return found;
  }

  private async stored(ref: string): Promise<StoredObjective> {
    const found = await this.options.store.getStored(ref);
    if (!found) throw new NotFoundError(`No objective '${ref}'`);
    return found;
  }

  /** The evaluation as of `at` (a whole minute, not in the future); default the last whole minute. */
  async status(ref: string, at?: Date): Promise<SloStatus> {
    const stored = await this.stored(ref);
    const minute = at ? at.getTime() : lastWholeMinute(this.now());
    if (minute % MINUTE_MS !== 0) {
      throw new InputError('at must be a whole minute (seconds zero)');
    }
    if (minute > this.now().getTime()) {
      throw new InputError('at must not be in the future');
    }
    return evaluateAt(this.options.db, stored, minute);
  }

  /**
   * The chart series from `from` to `to` (default: the last day up to the
   * latest stored minute or now), one point per `stepMinutes` (default: so
   * that there are at most 300 points), at most MAX_SERIES_POINTS points.
   */
  async series(
    ref: string,
    query: { from?: Date; to?: Date; stepMinutes?: number },
  ): Promise<SloSeries> {
    const stored = await this.stored(ref);
    const floor = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    const latest = await latestMinute(this.options.db, stored.objective.id);
    const to = floor(
      query.to?.getTime() ?? latest ?? lastWholeMinute(this.now()),
    );
    const from = floor(query.from?.getTime() ?? to - 24 * 60 * MINUTE_MS);
    if (from > to) throw new InputError('from must not be after to');
    const spanMinutes = (to - from) / MINUTE_MS;
    const stepMinutes =
      query.stepMinutes ?? Math.max(1, Math.ceil(spanMinutes / 300));
    if (spanMinutes / stepMinutes + 1 > MAX_SERIES_POINTS) {
      throw new InputError(
        `At most ${MAX_SERIES_POINTS} points: choose a step of at least ${Math.ceil(
          spanMinutes / (MAX_SERIES_POINTS - 1),
        )} minutes for this range`,
      );
    }
    return seriesOf(this.options.db, stored, { from, to, stepMinutes });
  }

  /** The OpenSLO document the objective was read from. */
  async source(ref: string): Promise<string> {
    return (await this.stored(ref)).sourceText;
  }

  /**
   * The Prometheus recording and alerting rules of an objective, as a rules
   * file or a PrometheusRule manifest. A push-fed objective (or a threshold
   * SLI) has none: a 409 that says why.
   */
  async rules(ref: string, format: RulesFormat): Promise<string> {
    const stored = await this.stored(ref);
    const { objective } = stored;
    const result = generateRules({
      id: objective.id,
      displayName: objective.displayName,
      service: objective.service,
      owner: stored.owner,
      target: objective.target,
      periodMinutes: periodMinutes(stored.window),
      indicator: objective.indicator.source,
      tiers: stored.tiers,
      links: {
        objective: objectiveUrl(
          this.options.links ?? { baseUrl: '' },
          objective.id,
        ),
        runbook: stored.runbook,
      },
    });
    if (!result.available) throw new ConflictError(result.message);
    if (format === 'rules') return toRulesFileYaml(result.groups);
    return toPrometheusRuleManifest(result.groups, {
      name: `slo-${objective.name}`
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .slice(0, 63)
        .replace(/-+$/, ''),
    });
  }
}
