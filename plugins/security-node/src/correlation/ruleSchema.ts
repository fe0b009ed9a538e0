import { z } from 'zod';
import type { CorrelationRule, FieldCondition, MatchExpression } from './types';

const fieldPath = z
  .string()
  .regex(/^[A-Za-z0-9_@]+(\.[A-Za-z0-9_@]+)*$/, 'must be a dotted field path');
const fieldValue = z.union([z.string(), z.number(), z.boolean()]);

const condition: z.ZodType<FieldCondition> = z.union([
  z.object({ field: fieldPath, equals: fieldValue }).strict(),
  z.object({ field: fieldPath, in: z.array(fieldValue).min(1) }).strict(),
  z.object({ field: fieldPath, exists: z.boolean() }).strict(),
]);

const matchExpression: z.ZodType<MatchExpression> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(matchExpression).min(1) }).strict(),
    z.object({ any: z.array(matchExpression).min(1) }).strict(),
    condition,
  ]),
);

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (00:00–23:59)');

function isTimeZone(name: string): boolean {
  try {
    return Boolean(new Intl.DateTimeFormat('en-US', { timeZone: name }));
  } catch {
    return false;
  }
}

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case'),
    title: z.string().min(1),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    match: matchExpression,
    groupBy: z.union([fieldPath, z.array(fieldPath).min(1)]),
    threshold: z.number().int().min(1).max(10_000),
    windowSeconds: z.number().positive(),
    timeOfDay: z
      .object({
        from: clock,
        to: clock,
        timezone: z
          .string()
          .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Berlin'),
      })
      .strict()
      .refine(t => t.from !== t.to, 'from and to must differ')
      .optional(),
  })
  .strict();

const rulesSchema = z.array(ruleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [i, 'id'],
        message: `duplicate rule id ${rule.id}`,
      });
    }
    seen.add(rule.id);
  });
});

/** Thrown for invalid rule config; `issues` are `rules.<i>.<field>: <message>` lines. */
export class CorrelationRuleError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid correlation rules: ${issues.join('; ')}`);
    this.name = 'CorrelationRuleError';
  }
}

/**
 * Validates rule config (e.g. from app-config or a YAML file). Throws a
 * {@link CorrelationRuleError} naming every bad field, e.g.
 * `rules.1.windowSeconds: Number must be greater than 0`.
 */
export function parseCorrelationRules(input: unknown): CorrelationRule[] {
  const result = rulesSchema.safeParse(input);
  if (!result.success) {
    throw new CorrelationRuleError(
      result.error.issues.map(
        issue => `${['rules', ...issue.path].join('.')}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}
