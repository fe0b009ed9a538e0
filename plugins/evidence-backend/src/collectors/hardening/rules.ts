import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { parse } from 'yaml';
import { z } from 'zod';

/** How bad a failed rule is. */
export type HardeningSeverity = 'critical' | 'high' | 'medium' | 'low';

/** One hardening rule as the rules file writes it. */
export interface HardeningRule {
  id: string;
  title: string;
  /**
   * `pod`: the expression is about the workload (`object`,
   * `variables.podSpec`). `container`: it is about one container
   * (`container`), and must hold for every container of the pod.
   */
  scope: 'pod' | 'container';
  severity: HardeningSeverity;
  /** CEL; true when the workload (or container) complies. */
  expression: string;
  /** What to do about a failure. */
  message: string;
}

/** A rule, compiled. */
export interface CompiledHardeningRule extends HardeningRule {
  /**
   * The expression over the whole pod, as an admission policy would use it:
   * the expression itself for a pod rule, else
   * `variables.containers.all(container, …)`.
   */
  podExpression: string;
  evaluate: ParseResult;
}

/** The rules file, loaded and compiled. */
export interface HardeningRuleSet {
  /** Where the rules came from, and the SHA-256 of that file's text. */
  source: { name: string; sha256: string };
  workloadKinds: string[];
  /** Default `params`; callers may override them. */
  params: Record<string, unknown>;
  /** Named CEL values, evaluated in order (`variables.<name>`). */
  variables: Array<{ name: string; expression: string; evaluate: ParseResult }>;
  rules: CompiledHardeningRule[];
}

/** A rules file that cannot be used: bad YAML, bad shape or CEL that does not compile. */
export class HardeningRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardeningRulesError';
  }
}

const ruleSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by -'),
    title: z.string().min(1),
    scope: z.enum(['pod', 'container']),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    expression: z.string().min(1),
    message: z.string().min(1),
  })
  .strict();

const fileSchema = z
  .object({
    apiVersion: z.literal('ops.portal/v1alpha1'),
    kind: z.literal('HardeningRules'),
    workloadKinds: z.array(z.string().min(1)).min(1),
    params: z.record(z.unknown()).default({}),
    variables: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z_]\w*$/),
            expression: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

/** The CEL environment the rules are compiled in. */
function celEnvironment(): Environment {
  return new Environment()
    .registerVariable('object', 'map')
    .registerVariable('variables', 'map')
    .registerVariable('params', 'map')
    .registerVariable('container', 'map');
}

function compile(
  env: Environment,
  where: string,
  expression: string,
  wantBool: boolean,
): ParseResult {
  let parsed: ParseResult;
  try {
    parsed = env.parse(expression);
  } catch (error) {
    throw new HardeningRulesError(
      `${where}: the CEL expression does not parse: ${
        (error as Error).message
      }`,
    );
  }
  const checked = parsed.check();
  if (!checked.valid) {
    throw new HardeningRulesError(
      `${where}: the CEL expression does not type-check: ${checked.error?.message}`,
    );
  }
  if (wantBool && checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new HardeningRulesError(
      `${where}: the CEL expression returns ${checked.type}, not bool`,
    );
  }
  return parsed;
}

/**
 * Parses and compiles a rules file. Throws {@link HardeningRulesError},
 * naming the file and the rule, when anything in it is wrong.
 */
export function parseHardeningRules(
  text: string,
  name = 'hardening-rules.yaml',
): HardeningRuleSet {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new HardeningRulesError(
      `${name}: not valid YAML: ${(error as Error).message}`,
    );
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues
      .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new HardeningRulesError(`${name}: ${issues}`);
  }
  const file = result.data;
  const ids = new Set<string>();
  for (const rule of file.rules) {
    if (ids.has(rule.id)) {
      throw new HardeningRulesError(
        `${name}: rule id "${rule.id}" is used twice`,
      );
    }
    ids.add(rule.id);
  }

  const env = celEnvironment();
  const variables = file.variables.map(v => ({
    ...v,
    evaluate: compile(
      env,
      `${name}: variable "${v.name}"`,
      v.expression,
      false,
    ),
  }));
  const rules = file.rules.map(rule => {
    const where = `${name}: rule "${rule.id}"`;
    const podExpression =
      rule.scope === 'pod'
        ? rule.expression
        : `variables.containers.all(container, ${rule.expression})`;
    const evaluate = compile(env, where, rule.expression, true);
    if (rule.scope === 'container') {
      compile(env, `${where} (as a pod expression)`, podExpression, true);
    }
    return { ...rule, podExpression, evaluate };
  });

  return {
    source: {
      name,
      sha256: createHash('sha256').update(text).digest('hex'),
    },
    workloadKinds: file.workloadKinds,
    params: file.params,
    variables,
    rules,
  };
}

/** The rules file that ships with the plugin. */
export function defaultHardeningRulesPath(): string {
  return resolvePackagePath(
    '@internal/plugin-evidence-backend',
    'hardening-rules.yaml',
  );
}

/**
 * Loads and compiles the hardening rules from `path` (by default the
 * plugin's own `hardening-rules.yaml`). A broken file is a
 * {@link HardeningRulesError}.
 */
export async function loadHardeningRules(
  path: string = defaultHardeningRulesPath(),
): Promise<HardeningRuleSet> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new HardeningRulesError(
      `Cannot read the hardening rules at ${path}: ${(error as Error).message}`,
    );
  }
  return parseHardeningRules(text, path);
}
