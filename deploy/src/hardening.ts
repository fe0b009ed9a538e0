import { readFileSync } from 'node:fs';
// eslint-disable-next-line @backstage/no-undeclared-imports -- deploy/ is never built or shipped: these run only in its checks
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
// eslint-disable-next-line @backstage/no-undeclared-imports -- deploy/ is never built or shipped: these run only in its checks
import { parse } from 'yaml';
import { HARDENING_RULES_PATH } from './paths';

/** One rule of hardening-rules.yaml. */
export interface HardeningRule {
  id: string;
  title: string;
  scope: 'pod' | 'container';
  severity: string;
  expression: string;
  message: string;
}

/** hardening-rules.yaml as read here (the evidence collector validates its shape). */
export interface HardeningRules {
  workloadKinds: string[];
  params: Record<string, unknown>;
  variables: Array<{ name: string; expression: string }>;
  rules: HardeningRule[];
}

/** A rule that fails on a workload. */
export interface Violation {
  rule: string;
  kind: string;
  name: string;
  /** Failing containers, for a container rule. */
  containers: string[];
}

/** Reads the rule set (by default the evidence plugin's hardening-rules.yaml). */
export function readHardeningRules(
  file: string = HARDENING_RULES_PATH,
): HardeningRules {
  const raw = parse(readFileSync(file, 'utf8'));
  if (!raw || !Array.isArray(raw.rules) || !Array.isArray(raw.workloadKinds)) {
    throw new Error(`${file} is not a HardeningRules file`);
  }
  return {
    workloadKinds: raw.workloadKinds,
    params: raw.params ?? {},
    variables: raw.variables ?? [],
    rules: raw.rules,
  };
}

/** A container rule as an expression over the whole pod (as admission uses it). */
export function podExpression(rule: HardeningRule): string {
  return rule.scope === 'pod'
    ? rule.expression
    : `variables.containers.all(container, ${rule.expression})`;
}

/** The CEL environment of the evidence collector (rules.ts there). */
export function celEnvironment(): Environment {
  return new Environment()
    .registerVariable('object', 'map')
    .registerVariable('variables', 'map')
    .registerVariable('params', 'map')
    .registerVariable('container', 'map');
}

function holds(
  expression: ParseResult,
  context: Record<string, unknown>,
): boolean {
  try {
    return expression(context) === true;
  } catch {
    return false; // a rule that cannot be evaluated is a failure, as in the collector
  }
}

/**
 * Evaluates the rules over Kubernetes objects the way the evidence
 * collector does (its evaluate.ts is not exported from the plugin): CEL with
 * @marcbachmann/cel-js, variables in order, a container rule per container, an
 * evaluation error counting as a failure. Non-workload kinds are skipped.
 */
export function findViolations(
  objects: readonly Record<string, any>[],
  rules: HardeningRules,
  params: Record<string, unknown> = {},
): Violation[] {
  const env = celEnvironment();
  const variableExpressions = rules.variables.map(v => ({
    name: v.name,
    evaluate: env.parse(v.expression),
  }));
  const compiled = rules.rules.map(rule => ({
    rule,
    evaluate: env.parse(rule.expression),
  }));
  const effectiveParams = { ...rules.params, ...params };
  const violations: Violation[] = [];

  for (const object of objects) {
    if (!rules.workloadKinds.includes(object?.kind)) continue;
    const variables: Record<string, unknown> = {};
    let readable = true;
    try {
      for (const v of variableExpressions) {
        variables[v.name] = v.evaluate({
          object,
          variables,
          params: effectiveParams,
        });
      }
    } catch {
      readable = false;
    }
    const containers = Array.isArray(variables.containers)
      ? (variables.containers as Array<{ name?: string }>)
      : [];
    const context = { object, variables, params: effectiveParams };
    for (const { rule, evaluate } of compiled) {
      let failing: string[] = [];
      let ok: boolean;
      if (!readable) {
        ok = false;
      } else if (rule.scope === 'container') {
        failing = containers
          .map((container, i) => ({
            container,
            label: container?.name ?? `#${i}`,
          }))
          .filter(
            ({ container }) => !holds(evaluate, { ...context, container }),
          )
          .map(({ label }) => label);
        ok = failing.length === 0;
      } else {
        ok = holds(evaluate, { ...context, container: {} });
      }
      if (!ok) {
        violations.push({
          rule: rule.id,
          kind: object.kind,
          name: object.metadata?.name ?? '',
          containers: failing,
        });
      }
    }
  }
  return violations;
}
