import type { HardeningRuleSet, HardeningSeverity } from './rules';

/** One rule's verdict on one workload. */
export interface RuleResult {
  rule: string;
  title: string;
  severity: HardeningSeverity;
  status: 'pass' | 'fail';
  /** For a container rule: the containers that fail it (or could not be checked). */
  failingContainers: string[];
  /** The rule's advice, when it failed. */
  message?: string;
  /** Why the rule could not be evaluated, when it could not (a failure too). */
  error?: string;
}

/** The verdicts on one workload. */
export interface WorkloadResult {
  /** The workload's position in the objects handed in. */
  index: number;
  kind: string;
  name: string;
  namespace?: string;
  results: RuleResult[];
  /** Set when the workload has no pod spec the rules can read. */
  error?: string;
}

type KubeObject = {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
};

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'summary' in error) {
    const summary = (error as { summary?: unknown }).summary;
    if (typeof summary === 'string' && summary) return summary;
  }
  return error instanceof Error ? error.message : String(error);
}

function containerName(container: unknown, position: number): string {
  const name =
    container && typeof container === 'object'
      ? (container as { name?: unknown }).name
      : undefined;
  return typeof name === 'string' && name ? name : `#${position}`;
}

/**
 * Checks Kubernetes objects against compiled hardening rules. Objects whose
 * kind is not a workload kind of the rule set are skipped; each workload gets
 * every rule's verdict. `params` override the rule set's default params.
 * A rule that cannot be evaluated on a workload fails with the reason: it is
 * never counted as passed.
 */
export function evaluateHardening(
  objects: readonly unknown[],
  rules: HardeningRuleSet,
  params: Record<string, unknown> = {},
): WorkloadResult[] {
  const effectiveParams = { ...rules.params, ...params };
  const kinds = new Set(rules.workloadKinds);
  const results: WorkloadResult[] = [];

  objects.forEach((value, index) => {
    const object = value as KubeObject;
    if (!object || typeof object !== 'object') return;
    if (typeof object.kind !== 'string' || !kinds.has(object.kind)) return;
    const name =
      typeof object.metadata?.name === 'string' ? object.metadata.name : '';
    const namespace =
      typeof object.metadata?.namespace === 'string'
        ? object.metadata.namespace
        : undefined;
    const workload: WorkloadResult = {
      index,
      kind: object.kind,
      name,
      ...(namespace ? { namespace } : {}),
      results: [],
    };
    results.push(workload);

    const variables: Record<string, unknown> = {};
    try {
      for (const variable of rules.variables) {
        variables[variable.name] = variable.evaluate({
          object,
          variables,
          params: effectiveParams,
        });
      }
    } catch (error) {
      workload.error = `No pod spec the rules can read: ${messageOf(error)}`;
    }
    const containers = Array.isArray(variables.containers)
      ? (variables.containers as unknown[])
      : [];

    for (const rule of rules.rules) {
      const base = {
        rule: rule.id,
        title: rule.title,
        severity: rule.severity,
      };
      if (workload.error) {
        workload.results.push({
          ...base,
          status: 'fail',
          failingContainers: [],
          message: rule.message,
          error: workload.error,
        });
        continue;
      }
      const context = { object, variables, params: effectiveParams };
      const failing: string[] = [];
      const errors: string[] = [];
      const check = (extra: Record<string, unknown>, label?: string) => {
        try {
          if (rule.evaluate({ ...context, ...extra }) !== true) {
            if (label !== undefined) failing.push(label);
            return false;
          }
          return true;
        } catch (error) {
          if (label !== undefined) failing.push(label);
          errors.push(
            label !== undefined
              ? `${label}: ${messageOf(error)}`
              : messageOf(error),
          );
          return false;
        }
      };

      let passed: boolean;
      if (rule.scope === 'container') {
        passed = containers
          .map((container, i) =>
            check({ container }, containerName(container, i)),
          )
          .every(Boolean);
      } else {
        passed = check({ container: {} });
      }
      workload.results.push({
        ...base,
        status: passed ? 'pass' : 'fail',
        failingContainers: failing,
        ...(passed ? {} : { message: rule.message }),
        ...(errors.length ? { error: errors.join('; ') } : {}),
      });
    }
  });
  return results;
}
