import type {
  DsarRequest,
  RequestType,
  SlaReport,
} from '@internal/plugin-privacy-common';
import { formatSpan } from './format';
import { HOUR_MS } from '@internal/plugin-ops-common';

export type CountdownTone =
  | 'due'
  | 'due-soon'
  | 'overdue'
  | 'done'
  | 'done-late'
  | 'canceled';

/** How long a request has until its SLA, or took to finish. */
export function slaCountdown(
  request: Pick<
    DsarRequest,
    'state' | 'createdAt' | 'completedAt' | 'slaDueAt'
  >,
  now: number,
): { text: string; tone: CountdownTone } {
  if (request.state === 'canceled')
    return { text: 'canceled', tone: 'canceled' };
  const due = Date.parse(request.slaDueAt);
  if (request.state === 'completed') {
    if (!request.completedAt) return { text: 'done', tone: 'done' };
    const completed = Date.parse(request.completedAt);
    const hours = (completed - Date.parse(request.createdAt)) / HOUR_MS;
    return {
      text: `done in ${hours.toFixed(1)} h`,
      tone: completed <= due ? 'done' : 'done-late',
    };
  }
  const left = due - now;
  if (left < 0)
    return { text: `overdue by ${formatSpan(-left)}`, tone: 'overdue' };
  return {
    text: `due in ${formatSpan(left)}`,
    tone: left < 4 * HOUR_MS ? 'due-soon' : 'due',
  };
}

/** One request type's SLA over the report window, all regions together. */
export interface SlaSummary {
  type: RequestType;
  objective: number;
  total: number;
  withinSla: number;
  /** withinSla / total; null when no request counted yet. */
  compliance: number | null;
  /** The slowest region's p95, as regions cannot be merged exactly. */
  p95Hours: number | null;
  /** (1 - compliance) / (1 - objective) of the aggregate. */
  burnRate: number | null;
  atRisk: number;
}

export function summarizeSla(report: SlaReport, type: RequestType): SlaSummary {
  const rows = report.rows.filter(row => row.type === type);
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  const withinSla = rows.reduce((sum, row) => sum + row.withinSla, 0);
  const compliance = total > 0 ? withinSla / total : null;
  const p95s = rows
    .map(row => row.p95Hours)
    .filter((hours): hours is number => hours !== null);
  return {
    type,
    objective: report.objective,
    total,
    withinSla,
    compliance,
    p95Hours: p95s.length > 0 ? Math.max(...p95s) : null,
    burnRate:
      compliance === null || report.objective >= 1
        ? null
        : (1 - compliance) / (1 - report.objective),
    atRisk: rows.reduce((sum, row) => sum + row.atRisk, 0),
  };
}
