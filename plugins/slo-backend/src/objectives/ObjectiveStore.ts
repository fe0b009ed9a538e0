import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type {
  Objective,
  SloObjectiveProblem,
  SloObjectiveState,
  SloObjectiveSummary,
  SloStatus,
  SloTierSummary,
  SloTimeWindow,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { DiscoveredObjective } from './discovery';
import { windowLabel } from './tiers';

export const OBJECTIVES_TABLE = 'slo_objectives';
const PROBLEMS_TABLE = 'slo_objective_problems';

interface ObjectiveRow {
  id: string;
  name: string;
  display_name: string;
  service: string;
  entity_ref: string | null;
  owner: string | null;
  system: string | null;
  target: number | string;
  spec: string;
  tiers: string;
  source_text: string;
  state: SloObjectiveState;
  budget_remaining: number | string | null;
  burn_1h: number | string | null;
  status: string | null;
  evaluated_at: Date | string | number | null;
  updated_at: Date | string | number;
}

interface ProblemRow {
  id: number;
  file: string;
  line: number;
  path: string;
  message: string;
  entity_ref: string | null;
}

/** An objective as stored: what discovery found. */
export type StoredObjective = DiscoveredObjective;

/** Filters of the overview. */
export interface ObjectiveFilter {
  entityRef?: string;
  owner?: string;
  system?: string;
  state?: SloObjectiveState;
  /** Part of the id, name or service. */
  q?: string;
}

export type ObjectiveSort = 'name' | 'budget' | 'burn' | 'state';

/** Worst first when sorted by state descending. */
const STATE_RANK: Record<SloObjectiveState, number> = {
  'no-data': 0,
  ok: 1,
  burning: 2,
  firing: 3,
  exhausted: 4,
};

function toStored(row: ObjectiveRow): StoredObjective {
  const spec = JSON.parse(row.spec) as {
    objective: Objective;
    window: SloTimeWindow;
    runbook?: string;
  };
  return {
    objective: spec.objective,
    window: spec.window,
    tiers: JSON.parse(row.tiers) as SloTierSummary[],
    entityRef: row.entity_ref ?? undefined,
    owner: row.owner ?? undefined,
    system: row.system ?? undefined,
    runbook: spec.runbook,
    sourceText: row.source_text,
  };
}

function toSummary(row: ObjectiveRow): SloObjectiveSummary {
  const { objective, window, tiers, entityRef, owner, system, runbook } =
    toStored(row);
  return {
    id: objective.id,
    name: objective.name,
    displayName: objective.displayName,
    service: objective.service,
    entityRef,
    owner,
    system,
    runbook,
    target: objective.target,
    window: objective.window,
    windowLabel: windowLabel(window),
    budgeting: objective.budgeting.method,
    source: objective.indicator.source === 'push' ? 'push' : 'prometheus',
    tiers,
    labels: objective.labels,
    sourceFile: objective.sourceFile,
    sourceLine: objective.sourceLine,
    state: row.state,
    status: row.status ? (JSON.parse(row.status) as SloStatus) : null,
  };
}

/** The columns that keep an objective's latest evaluation. */
function evaluationColumns(status: SloStatus, state: SloObjectiveState) {
  const burn = status.burnRates['1h'];
  return {
    state,
    state_rank: STATE_RANK[state],
    budget_remaining: status.sli === null ? null : status.budgetRemaining,
    burn_1h: burn && !burn.noTraffic ? burn.burnRate : null,
    status: JSON.stringify(status),
    evaluated_at: new Date(status.at),
  };
}

/** The slo_objectives table: objectives found by discovery, with their latest evaluation. */
export class ObjectiveStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Makes the table hold exactly these objectives and problems: new ones are
   * added, changed ones updated (their latest evaluation kept), and ones no
   * longer found removed (their SLI minutes and alerts stay).
   */
  async replaceAll(
    objectives: readonly DiscoveredObjective[],
    problems: readonly SloObjectiveProblem[],
  ): Promise<void> {
    const updatedAt = this.now();
    await this.db.transaction(async tx => {
      const ids = objectives.map(o => o.objective.id);
      const gone = tx(OBJECTIVES_TABLE);
      // Chunked: SQLite limits bound variables.
      const existing: string[] = (await tx(OBJECTIVES_TABLE).select('id')).map(
        (r: { id: string }) => r.id,
      );
      const keep = new Set(ids);
      const removed = existing.filter(id => !keep.has(id));
      for (let i = 0; i < removed.length; i += 500) {
        await gone
          .clone()
          .whereIn('id', removed.slice(i, i + 500))
          .delete();
      }
      for (const o of objectives) {
        const row = {
          id: o.objective.id,
          name: o.objective.name,
          display_name: o.objective.displayName,
          service: o.objective.service,
          entity_ref: o.entityRef ?? null,
          owner: o.owner ?? null,
          system: o.system ?? null,
          target: o.objective.target,
          spec: JSON.stringify({
            objective: o.objective,
            window: o.window,
            runbook: o.runbook,
          }),
          tiers: JSON.stringify(o.tiers),
          source_text: o.sourceText,
          updated_at: updatedAt,
        };
        await tx(OBJECTIVES_TABLE)
          .insert({ ...row, state: 'no-data', state_rank: 0 })
          .onConflict('id')
          .merge(Object.keys(row).filter(k => k !== 'id'));
      }
      await tx(PROBLEMS_TABLE).delete();
      for (let i = 0; i < problems.length; i += 100) {
        await tx(PROBLEMS_TABLE).insert(
          problems.slice(i, i + 100).map(p => ({
            file: p.file.slice(0, 1000),
            line: p.line,
            path: p.path.slice(0, 500),
            message: p.message,
            entity_ref: p.entityRef ?? null,
          })),
        );
      }
    });
  }

  async list(
    filter: ObjectiveFilter,
    page: PageQuery,
    sort: { by: ObjectiveSort; order: 'asc' | 'desc' } = {
      by: 'name',
      order: 'asc',
    },
  ): Promise<Page<SloObjectiveSummary>> {
    const query = this.db<ObjectiveRow>(OBJECTIVES_TABLE);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.owner) query.where('owner', filter.owner);
    if (filter.system) query.where('system', filter.system);
    if (filter.state) query.where('state', filter.state);
    if (filter.q) {
      const like = `%${filter.q
        .toLowerCase()
        .replace(/[\\%_]/g, c => `\\${c}`)}%`;
      query.where(q =>
        q
          .whereRaw(`lower(id) like ? escape '\\'`, [like])
          .orWhereRaw(`lower(display_name) like ? escape '\\'`, [like])
          .orWhereRaw(`lower(service) like ? escape '\\'`, [like]),
      );
    }
    const { order } = sort;
    const orderBy: Array<{ column: string; order?: 'asc' | 'desc' }> = [];
    if (sort.by === 'budget')
      orderBy.push({ column: 'budget_remaining', order });
    if (sort.by === 'burn') orderBy.push({ column: 'burn_1h', order });
    if (sort.by === 'state') orderBy.push({ column: 'state_rank', order });
    orderBy.push(
      { column: 'service', order: sort.by === 'name' ? order : 'asc' },
      { column: 'id', order: sort.by === 'name' ? order : 'asc' },
    );
    return readPage<ObjectiveRow, SloObjectiveSummary>(query, page, {
      orderBy,
      toItem: toSummary,
    });
  }

  async get(id: string): Promise<SloObjectiveSummary | undefined> {
    const row = await this.db<ObjectiveRow>(OBJECTIVES_TABLE)
      .where('id', id)
      .first();
    return row && toSummary(row);
  }

  async getStored(
    id: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<StoredObjective | undefined> {
    const row = await trx<ObjectiveRow>(OBJECTIVES_TABLE)
      .where('id', id)
      .first();
    return row && toStored(row);
  }

  /** Every objective, for the evaluation. */
  async all(): Promise<StoredObjective[]> {
    const rows = await this.db<ObjectiveRow>(OBJECTIVES_TABLE).orderBy('id');
    return rows.map(toStored);
  }

  /** Whether an objective with this id exists. */
  async exists(id: string): Promise<boolean> {
    const row = await this.db<ObjectiveRow>(OBJECTIVES_TABLE)
      .where('id', id)
      .first('id');
    return row !== undefined;
  }

  /** Keeps an objective's latest evaluation, for the overview. */
  async saveEvaluation(
    id: string,
    status: SloStatus,
    state: SloObjectiveState,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<void> {
    await trx(OBJECTIVES_TABLE)
      .where('id', id)
      .update(evaluationColumns(status, state));
  }

  /**
   * Keeps many objectives' latest evaluations at once: one UPDATE per 100
   * objectives (a VALUES list joined to the table), in one transaction.
   */
  async saveEvaluations(
    evaluations: ReadonlyArray<{
      id: string;
      status: SloStatus;
      state: SloObjectiveState;
    }>,
  ): Promise<void> {
    if (evaluations.length === 0) return;
    const row =
      '(?, ?, CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION), ?, CAST(? AS TIMESTAMPTZ))';
    await this.db.transaction(async tx => {
      for (let i = 0; i < evaluations.length; i += 100) {
        const chunk = evaluations.slice(i, i + 100);
        const bindings = chunk.flatMap(e => {
          const columns = evaluationColumns(e.status, e.state);
          return [
            e.id,
            columns.state,
            columns.state_rank,
            columns.budget_remaining,
            columns.burn_1h,
            columns.status,
            columns.evaluated_at,
          ];
        });
        await tx.raw(
          `WITH v(id, state, state_rank, budget_remaining, burn_1h, status, evaluated_at) AS (VALUES ${chunk
            .map(() => row)
            .join(', ')})
          UPDATE ${OBJECTIVES_TABLE} SET state = v.state, state_rank = v.state_rank,
            budget_remaining = v.budget_remaining, burn_1h = v.burn_1h,
            status = v.status, evaluated_at = v.evaluated_at
          FROM v WHERE ${OBJECTIVES_TABLE}.id = v.id`,
          bindings,
        );
      }
    });
  }

  async problems(page: PageQuery): Promise<Page<SloObjectiveProblem>> {
    return readPage<ProblemRow, SloObjectiveProblem>(
      this.db<ProblemRow>(PROBLEMS_TABLE),
      page,
      {
        orderBy: [{ column: 'file' }, { column: 'line' }, { column: 'id' }],
        toItem: row => ({
          file: row.file,
          line: row.line,
          path: row.path,
          message: row.message,
          entityRef: row.entity_ref ?? undefined,
        }),
      },
    );
  }
}
