import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_DIR } from './paths';

/** The portal's Grafana dashboard. */
export const DASHBOARD_PATH = path.join(DEPLOY_DIR, 'grafana/ops-portal.json');

/** One PromQL query of a dashboard and where it is. */
export interface DashboardQuery {
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

interface Dashboard {
  panels?: Panel[];
  templating?: {
    list?: Array<{ name: string; type: string; query?: unknown }>;
  };
}

export function readDashboard(file = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every PromQL expression: panel targets (rows included) and query variables. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) {
          queries.push({ where: `panel "${panel.title}"`, expr: target.expr });
        }
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = variable.query;
    const expr =
      typeof query === 'string'
        ? query
        : (query as { query?: string } | undefined)?.query;
    if (expr) queries.push({ where: `variable $${variable.name}`, expr });
  }
  return queries;
}

/** Words that are PromQL syntax, not metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression (or a Grafana `label_values(metric,
 * label)` / `query_result(...)` variable query) reads. A small scan, not a
 * parser: it drops Grafana variables, strings, label matchers `{…}`, ranges
 * `[…]` and the label lists of `by/without/on/ignoring/group_*`; what remains
 * is an identifier that is neither followed by `(` (a function or
 * aggregation) nor a keyword. The second argument of `label_values` is a label.
 */
export function metricNames(expr: string): Set<string> {
  const text = expr
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(
      /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi,
      ' ',
    )
    .replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, ' $1 ')
    .replace(/\blabel_values\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(
    /(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g,
  )) {
    const name = match[1];
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return names;
}

/** `# TYPE <name> <type>` lines of a Prometheus text exposition. */
export function exportedMetrics(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    types.set(match[1], match[2]);
  }
  return types;
}

/**
 * Whether `name` is exported: itself, or a histogram's or summary's
 * `_bucket`/`_sum`/`_count` series.
 */
export function isExported(
  name: string,
  exported: ReadonlyMap<string, string>,
): boolean {
  if (exported.has(name)) return true;
  const match = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!match) return false;
  const type = exported.get(match[1]);
  return type === 'histogram' || (type === 'summary' && match[2] !== 'bucket');
}
