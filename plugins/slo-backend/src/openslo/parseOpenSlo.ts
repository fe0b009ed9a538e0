import {
  Document,
  LineCounter,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import type {
  Objective,
  ObjectiveAlertPolicy,
  ObjectiveFileError,
  ObjectiveIndicator,
  ObjectiveNotificationTarget,
  ObjectiveWindow,
  PrometheusSource,
} from '@internal/plugin-slo-common';
import {
  AlertConditionSpec,
  AlertNotificationTargetSpec,
  AlertPolicySpec,
  DataSourceSpec,
  DURATION_PATTERN,
  MetricSource,
  OpenSloMetadata,
  SliSpec,
  SloSpec,
  openSloDocument,
} from './schema';
import { fanOut } from './fanOut';

/** One objectives file: its path (as it should appear in errors) and its text. */
export interface OpenSloFile {
  file: string;
  text: string;
}

/** What a set of OpenSLO files gives: the objectives, and every problem found. */
export interface OpenSloParseResult {
  objectives: Objective[];
  errors: ObjectiveFileError[];
}

type Path = ReadonlyArray<string | number>;

/** Where a document came from, to turn a field path into a line. */
interface DocLocation {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** A named document (referenced or inline) and the path of its `spec` in its YAML document. */
interface Located<S> {
  metadata: OpenSloMetadata;
  spec: S;
  at: DocLocation;
  specPath: Path;
}

interface Index {
  SLI: Map<string, Located<SliSpec>>;
  AlertPolicy: Map<string, Located<AlertPolicySpec>>;
  AlertCondition: Map<string, Located<AlertConditionSpec>>;
  AlertNotificationTarget: Map<string, Located<AlertNotificationTargetSpec>>;
  DataSource: Map<string, Located<DataSourceSpec>>;
}

type Report = (at: DocLocation, path: Path, message: string) => void;

/**
 * Reads OpenSLO v1 YAML (`apiVersion: openslo/v1`; several documents a file,
 * separated by `---`) into normalized objectives.
 *
 * - Kinds: `SLO`, `SLI`, `AlertPolicy`, `AlertCondition`,
 *   `AlertNotificationTarget`, `DataSource` (and `Service`, which is ignored).
 *   Each can be inlined where it is used or defined as its own document and
 *   referenced by `metadata.name` (`indicatorRef`, `alertPolicyRef`,
 *   `conditionRef`, `targetRef`, `metricSourceRef`). References resolve across
 *   all the files given.
 * - An SLI whose metric sources have no `spec.query` is fed by the push API
 *   (`source: 'push'`); otherwise the metric sources must be Prometheus (by
 *   `type`, or by the referenced `DataSource`'s type).
 * - Per-label SLOs: see {@link fanOut} for the `slo.ops.portal/fan-out-by`
 *   and `slo.ops.portal/fan-out-values` annotations.
 *
 * A document that is not valid YAML or not valid OpenSLO is reported, with its
 * file, the line and the field path, and skipped; an SLO that refers to a
 * missing (or invalid) document is reported and skipped. The other documents
 * still count.
 */
export function parseOpenSlo(
  files: readonly OpenSloFile[],
): OpenSloParseResult {
  const errors: ObjectiveFileError[] = [];
  const report: Report = (at, path, message) =>
    errors.push({
      file: at.file,
      line: lineOf(at, path),
      path: formatPath(path),
      message,
    });

  const index: Index = {
    SLI: new Map(),
    AlertPolicy: new Map(),
    AlertCondition: new Map(),
    AlertNotificationTarget: new Map(),
    DataSource: new Map(),
  };
  const slos: Located<SloSpec>[] = [];

  for (const { file, text } of files) {
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const at: DocLocation = { file, doc, lines };
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        errors.push({
          file,
          line: error.linePos?.[0].line ?? lineOf(at, []),
          path: '',
          message: `invalid YAML: ${error.message.split('\n')[0]}`,
        });
        continue;
      }
      if (doc.contents === null) continue; // an empty document, e.g. after a trailing `---`
      const parsed = openSloDocument.safeParse(doc.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          report(at, issue.path, issue.message);
        }
        continue;
      }
      const { kind, metadata, spec } = parsed.data;
      const located = { metadata, spec, at, specPath: ['spec'] };
      if (kind === 'Service') continue;
      if (kind === 'SLO') {
        slos.push(located as Located<SloSpec>);
        continue;
      }
      const byName = index[kind] as Map<string, Located<unknown>>;
      const earlier = byName.get(metadata.name);
      if (earlier) {
        report(
          at,
          ['metadata', 'name'],
          `${kind} "${metadata.name}" is already defined in ${
            earlier.at.file
          } line ${lineOf(earlier.at, [])}`,
        );
        continue;
      }
      byName.set(metadata.name, located);
    }
  }

  const objectives: Objective[] = [];
  const seenIds = new Map<string, Objective>();
  for (const slo of slos) {
    const sloErrors: ObjectiveFileError[] = [];
    const sloReport: Report = (at, path, message) =>
      sloErrors.push({
        file: at.file,
        line: lineOf(at, path),
        path: formatPath(path),
        message,
      });
    const built = buildObjectives(slo, index, sloReport);
    for (const objective of built) {
      const earlier = seenIds.get(objective.id);
      if (earlier) {
        sloReport(
          slo.at,
          ['metadata', 'name'],
          `objective id "${objective.id}" is already used by ${earlier.sourceFile} line ${earlier.sourceLine}`,
        );
      }
    }
    if (sloErrors.length > 0) {
      errors.push(...sloErrors);
      continue;
    }
    for (const objective of built) {
      seenIds.set(objective.id, objective);
      objectives.push(objective);
    }
  }
  return { objectives, errors: dedupe(errors) };
}

/** {@link parseOpenSlo} for a single file. */
export function parseOpenSloText(
  text: string,
  file: string,
): OpenSloParseResult {
  return parseOpenSlo([{ file, text }]);
}

/**
 * Minutes in a duration shorthand of fixed length (`m`, `h`, `d`, `w`);
 * `undefined` for months, quarters and years, whose length varies.
 */
export function durationMinutes(shorthand: string): number | undefined {
  const match = DURATION_PATTERN.exec(shorthand);
  if (!match) return undefined;
  const perUnit: Record<string, number> = { m: 1, h: 60, d: 1440, w: 10080 };
  const unit = perUnit[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

function buildObjectives(
  slo: Located<SloSpec>,
  index: Index,
  report: Report,
): Objective[] {
  const { metadata, spec, at } = slo;
  const indicator = buildIndicator(slo, index, report);
  const alertPolicies = spec.alertPolicies.flatMap((policy, i) => {
    const located = resolve(
      index.AlertPolicy,
      'AlertPolicy',
      policy.alertPolicyRef,
      policy,
      slo,
      ['spec', 'alertPolicies', i],
      'alertPolicyRef',
      report,
    );
    return located ? buildAlertPolicy(located, index, report) : [];
  });
  const combinations = fanOut(metadata, (path, message) =>
    report(at, path, message),
  );

  if (indicator?.kind === 'threshold') {
    if (spec.objectives.length > 1) {
      report(
        at,
        ['spec', 'objectives'],
        'a thresholdMetric SLI allows only one objective',
      );
    }
    spec.objectives.forEach((o, i) => {
      for (const key of ['op', 'value'] as const) {
        if (o[key] === undefined) {
          report(
            at,
            ['spec', 'objectives', i, key],
            'required with a thresholdMetric SLI',
          );
        }
      }
    });
  }
  if (!indicator || !combinations) return [];

  const window = toWindow(spec.timeWindow[0]);
  const labels = Object.fromEntries(
    Object.entries(metadata.labels ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(',') : v,
    ]),
  );
  return spec.objectives.flatMap((o, i) => {
    const baseId =
      spec.objectives.length > 1 ? `${metadata.name}#${i}` : metadata.name;
    // The SLO's name says what is measured ("Checkout latency"); an
    // objective's own name is added when the SLO has several.
    const sloName = metadata.displayName ?? metadata.name;
    const displayName =
      spec.objectives.length > 1 && o.displayName
        ? `${sloName}: ${o.displayName}`
        : sloName;
    return combinations.map(combination => {
      const entries = Object.entries(combination);
      const suffix = entries.map(([k, v]) => `${k}=${v}`).join(',');
      const objective: Objective = {
        id: suffix ? `${baseId}:${suffix}` : baseId,
        name: metadata.name,
        displayName: suffix
          ? `${displayName} (${entries
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : displayName,
        service: spec.service,
        ...(spec.description !== undefined && {
          description: spec.description,
        }),
        target:
          o.target ?? Number(((o.targetPercent ?? 0) / 100).toPrecision(12)),
        budgeting:
          spec.budgetingMethod === 'Timeslices'
            ? {
                method: 'Timeslices',
                timeSliceTarget: o.timeSliceTarget!,
                timeSliceWindow:
                  typeof o.timeSliceWindow === 'number'
                    ? `${o.timeSliceWindow}m`
                    : o.timeSliceWindow!,
                timeSliceWindowMinutes:
                  typeof o.timeSliceWindow === 'number'
                    ? o.timeSliceWindow
                    : durationMinutes(o.timeSliceWindow!) ?? 0,
              }
            : { method: 'Occurrences' },
        window,
        indicator: {
          ...indicator,
          source: fillSource(indicator.source, combination),
          ...(indicator.kind === 'threshold' && {
            threshold: { op: o.op!, value: o.value! },
          }),
        },
        alertPolicies,
        labels: { ...labels, ...combination },
        sourceFile: at.file,
        sourceLine: lineOf(at, []),
      };
      return objective;
    });
  });
}

function buildIndicator(
  slo: Located<SloSpec>,
  index: Index,
  report: Report,
): ObjectiveIndicator | undefined {
  const { spec } = slo;
  const sli = resolve(
    index.SLI,
    'SLI',
    spec.indicatorRef,
    spec.indicator,
    slo,
    ['spec', 'indicator'],
    'indicatorRef',
    report,
  );
  if (!sli) return undefined;
  const { ratioMetric, thresholdMetric } = sli.spec;
  const parts: Array<[string, MetricSource]> = ratioMetric
    ? [
        ratioMetric.good
          ? ['good', ratioMetric.good.metricSource]
          : ['bad', ratioMetric.bad!.metricSource],
        ['total', ratioMetric.total!.metricSource],
      ]
    : [['query', thresholdMetric!.metricSource]];
  const partPath = (key: string): Path =>
    key === 'query'
      ? [...sli.specPath, 'thresholdMetric', 'metricSource']
      : [...sli.specPath, 'ratioMetric', key, 'metricSource'];

  let ok = true;
  let dataSource: PrometheusSource['dataSource'];
  const queries: Record<string, string> = {};
  for (const [key, source] of parts) {
    const path = partPath(key);
    let type = source.type;
    if (source.metricSourceRef) {
      const ds = index.DataSource.get(source.metricSourceRef);
      if (!ds) {
        report(
          sli.at,
          [...path, 'metricSourceRef'],
          `DataSource "${source.metricSourceRef}" (metricSourceRef) is not defined or is invalid`,
        );
        ok = false;
        continue;
      }
      type ??= ds.spec.type;
      dataSource ??= {
        name: ds.metadata.name,
        connectionDetails: ds.spec.connectionDetails,
      };
    }
    const query = source.spec?.query;
    if (query === undefined) continue;
    if (typeof query !== 'string' || query.trim() === '') {
      report(sli.at, [...path, 'spec', 'query'], 'expected a query string');
      ok = false;
    } else if (type?.toLowerCase() !== 'prometheus') {
      report(
        sli.at,
        [...path, 'type'],
        type
          ? `metric source type "${type}" is not supported: use Prometheus, or leave out the query to push samples`
          : 'type is required with a query (or a metricSourceRef to a DataSource)',
      );
      ok = false;
    } else {
      queries[key] = query;
    }
  }
  const withQuery = Object.keys(queries).length;
  if (ok && withQuery > 0 && withQuery < parts.length) {
    report(
      sli.at,
      sli.specPath,
      'give a query for every metric source of the SLI, or for none (samples pushed through the API)',
    );
    ok = false;
  }
  if (!ok) return undefined;
  return {
    name: sli.metadata.name,
    ...(sli.metadata.displayName !== undefined && {
      displayName: sli.metadata.displayName,
    }),
    kind: ratioMetric ? 'ratio' : 'threshold',
    ...(ratioMetric && { counter: ratioMetric.counter ?? true }),
    source:
      withQuery === 0
        ? 'push'
        : ({
            type: 'prometheus',
            ...(dataSource && { dataSource }),
            ...queries,
          } as PrometheusSource),
  };
}

function buildAlertPolicy(
  policy: Located<AlertPolicySpec>,
  index: Index,
  report: Report,
): ObjectiveAlertPolicy[] {
  const { spec, metadata } = policy;
  const c = spec.conditions[0];
  const condition = resolve(
    index.AlertCondition,
    'AlertCondition',
    c.conditionRef,
    c,
    policy,
    [...policy.specPath, 'conditions', 0],
    'conditionRef',
    report,
  );
  const targets = spec.notificationTargets.map((t, i) =>
    resolve(
      index.AlertNotificationTarget,
      'AlertNotificationTarget',
      t.targetRef,
      t,
      policy,
      [...policy.specPath, 'notificationTargets', i],
      'targetRef',
      report,
    ),
  );
  if (!condition || targets.some(t => !t)) return [];
  const { condition: burn, severity } = condition.spec;
  return [
    {
      name: metadata.name,
      ...(metadata.displayName !== undefined && {
        displayName: metadata.displayName,
      }),
      ...(spec.description !== undefined && { description: spec.description }),
      alertWhenBreaching: spec.alertWhenBreaching,
      alertWhenResolved: spec.alertWhenResolved,
      alertWhenNoData: spec.alertWhenNoData,
      condition: {
        name: condition.metadata.name,
        severity,
        kind: 'burnrate',
        op: burn.op ?? 'gt',
        threshold: burn.threshold,
        lookbackWindow: burn.lookbackWindow,
        lookbackMinutes: durationMinutes(burn.lookbackWindow) ?? 0,
        alertAfter: burn.alertAfter,
        alertAfterMinutes: durationMinutes(burn.alertAfter) ?? 0,
      },
      notificationTargets: targets.map(t => {
        const target: ObjectiveNotificationTarget = {
          name: t!.metadata.name,
          type: t!.spec.target.toLowerCase().replace(/[\s_-]/g, ''),
          ...(t!.spec.description !== undefined && {
            description: t!.spec.description,
          }),
        };
        return target;
      }),
    },
  ];
}

/**
 * The document a field refers to by name, or the inline one; reports a
 * missing reference (at the ref field) and returns `undefined`.
 */
function resolve<S>(
  byName: Map<string, Located<S>>,
  kind: string,
  ref: string | undefined,
  inline: { metadata?: OpenSloMetadata; spec?: S } | undefined,
  parent: Located<unknown>,
  path: Path,
  refKey: string,
  report: Report,
): Located<S> | undefined {
  if (ref !== undefined) {
    const found = byName.get(ref);
    if (!found) {
      const refPath =
        refKey === 'indicatorRef' ? ['spec', refKey] : [...path, refKey];
      report(
        parent.at,
        refPath,
        `${kind} "${ref}" (${refKey}) is not defined or is invalid`,
      );
    }
    return found;
  }
  if (!inline?.metadata || inline.spec === undefined) return undefined;
  return {
    metadata: inline.metadata,
    spec: inline.spec,
    at: parent.at,
    specPath: [...path, 'spec'],
  };
}

function toWindow(w: SloSpec['timeWindow'][number]): ObjectiveWindow {
  if (w.isRolling) {
    return {
      type: 'rolling',
      duration: w.duration,
      minutes: durationMinutes(w.duration)!,
    };
  }
  const [, count, unit] = DURATION_PATTERN.exec(w.duration)!;
  const [date, time = '00:00:00'] = w.calendar!.startTime.split(' ');
  return {
    type: 'calendar',
    duration: w.duration,
    count: Number(count),
    unit: unit as 'd' | 'w' | 'M' | 'Q' | 'Y',
    startTime: `${date} ${time.length === 5 ? `${time}:00` : time}`,
    timeZone: w.calendar!.timeZone,
  };
}

/** Fills `{{label}}` placeholders of the queries with a combination's values. */
function fillSource(
  source: ObjectiveIndicator['source'],
  labels: Record<string, string>,
): ObjectiveIndicator['source'] {
  if (source === 'push' || Object.keys(labels).length === 0) return source;
  const filled: Record<string, unknown> = { ...source };
  for (const key of ['good', 'bad', 'total', 'query']) {
    const query = filled[key];
    if (typeof query === 'string') {
      filled[key] = query.replace(
        /\{\{\s*([\w]+)\s*\}\}/g,
        (whole, name) => labels[name] ?? whole,
      );
    }
  }
  return filled as PrometheusSource;
}

/**
 * The line of the field at `path` (of its key, for a map entry), or of its
 * nearest parent present in the YAML.
 */
function lineOf(at: DocLocation, path: Path): number {
  for (let n = path.length; n > 0; n--) {
    const parent = at.doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    let node: unknown;
    if (isMap(parent)) {
      node = parent.items.find(
        pair => isScalar(pair.key) && pair.key.value === last,
      )?.key;
    } else if (isSeq(parent) && typeof last === 'number') {
      node = parent.items[last];
    }
    if (isNode(node) && node.range) {
      return at.lines.linePos(node.range[0]).line;
    }
  }
  const start = isNode(at.doc.contents) ? at.doc.contents.range : at.doc.range;
  return at.lines.linePos(start?.[0] ?? 0).line;
}

/** `spec.objectives[0].target`; keys that are not plain words are quoted, `["a/b"]`. */
export function formatPath(path: Path): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(part)) return i === 0 ? part : `.${part}`;
      return `[${JSON.stringify(part)}]`;
    })
    .join('');
}

function dedupe(errors: ObjectiveFileError[]): ObjectiveFileError[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.file}\u0000${e.line}\u0000${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
