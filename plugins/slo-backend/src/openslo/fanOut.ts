import type { OpenSloMetadata } from './schema';

/** SLO annotation naming the labels a per-label SLO is fanned out by, comma-separated, e.g. `region,type`. */
export const FAN_OUT_BY_ANNOTATION = 'slo.ops.portal/fan-out-by';

/**
 * SLO annotation listing the values of each fan-out label, as a JSON object of
 * arrays, e.g. `{"region":["EU","US"],"type":["export","delete"]}`.
 */
export const FAN_OUT_VALUES_ANNOTATION = 'slo.ops.portal/fan-out-values';

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Values end up in ids and inside PromQL string literals: keep them plain. */
const LABEL_VALUE = /^[A-Za-z0-9_.-]+$/;

/**
 * The label combinations one SLO is fanned out into: `[{}]` for an ordinary
 * SLO, or one record per combination of the values of the labels named in
 * {@link FAN_OUT_BY_ANNOTATION}, in the order they are named there.
 *
 * The convention, on an OpenSLO `SLO` document:
 *
 * ```yaml
 * metadata:
 *   name: privacy-sla
 *   annotations:
 *     slo.ops.portal/fan-out-by: region,type
 *     slo.ops.portal/fan-out-values: '{"region":["EU","US"],"type":["export","delete"]}'
 * ```
 *
 * gives four objectives, `privacy-sla:region=EU,type=export`,
 * `privacy-sla:region=EU,type=delete`, `privacy-sla:region=US,type=export` and
 * `privacy-sla:region=US,type=delete`, each with its labels set and the
 * `{{region}}` and `{{type}}` placeholders of its queries filled in (other
 * placeholders, such as `{{window}}`, are left alone). Label names are
 * identifiers; values are letters, digits, `_`, `.` and `-`.
 *
 * Problems are reported (with the annotation's field path) and give
 * `undefined`.
 */
export function fanOut(
  metadata: OpenSloMetadata,
  report: (path: Array<string | number>, message: string) => void,
): Array<Record<string, string>> | undefined {
  const by = metadata.annotations?.[FAN_OUT_BY_ANNOTATION];
  if (by === undefined) return [{}];
  const byPath = ['metadata', 'annotations', FAN_OUT_BY_ANNOTATION];
  const valuesPath = ['metadata', 'annotations', FAN_OUT_VALUES_ANNOTATION];

  const labels = by.split(',').map(label => label.trim());
  const badLabel = labels.find(label => !LABEL_NAME.test(label));
  if (badLabel !== undefined || new Set(labels).size !== labels.length) {
    report(
      byPath,
      badLabel !== undefined
        ? `"${badLabel}" is not a label name`
        : 'a label is named twice',
    );
    return undefined;
  }

  const valuesText = metadata.annotations?.[FAN_OUT_VALUES_ANNOTATION];
  if (valuesText === undefined) {
    report(valuesPath, `required with ${FAN_OUT_BY_ANNOTATION}`);
    return undefined;
  }
  let values: unknown;
  try {
    values = JSON.parse(valuesText);
  } catch (e) {
    report(valuesPath, `expected a JSON object: ${(e as Error).message}`);
    return undefined;
  }

  let combinations: Array<Record<string, string>> = [{}];
  for (const label of labels) {
    const list = (values as Record<string, unknown> | null)?.[label];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every(v => typeof v === 'string' && LABEL_VALUE.test(v)) ||
      new Set(list).size !== list.length
    ) {
      report(
        valuesPath,
        `"${label}" needs a list of distinct values made of letters, digits, "_", "." and "-"`,
      );
      return undefined;
    }
    combinations = combinations.flatMap(c =>
      (list as string[]).map(v => ({ ...c, [label]: v })),
    );
  }
  return combinations;
}
