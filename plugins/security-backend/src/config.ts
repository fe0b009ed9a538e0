import {
  CorrelationRuleError,
  parseCorrelationRules,
  seedRules,
  type CorrelationRule,
} from '@internal/plugin-security-node';
import { SECURITY_SEVERITIES } from '@internal/plugin-security-common';
import { z } from 'zod';

const isTimeZone = (zone: string) => {
  try {
    return Boolean(new Intl.DateTimeFormat('en', { timeZone: zone }));
  } catch {
    return false;
  }
};

const notifySeverity = z.enum(['page', 'ticket']);

/** `security` in app-config (see config.d.ts). */
export const securityConfigSchema = z
  .object({
    /** IANA zone of the after-hours rule (22:00–06:00). */
    timezone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
      .default('UTC'),
    /** Correlation rules; the seed rules when absent. */
    rules: z.array(z.unknown()).min(1).optional(),
    maxKeysPerRule: z.number().int().min(1).max(1_000_000).default(10_000),
    queue: z
      .object({
        maxEntries: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .strict()
      .default({}),
    geoip: z
      .object({ database: z.string().min(1, 'a path to a .mmdb file') })
      .strict()
      .optional(),
    notifications: z
      .object({
        enabled: z.boolean().default(true),
        entityRef: z
          .string()
          .regex(
            /^[a-z0-9-]+:[^/:]+\/[^/:]+$/i,
            'must be a full entity ref such as group:default/platform',
          )
          .default('group:default/platform'),
        severities: z
          .object(
            Object.fromEntries(
              SECURITY_SEVERITIES.map(s => [s, notifySeverity.optional()]),
            ) as Record<
              (typeof SECURITY_SEVERITIES)[number],
              z.ZodOptional<typeof notifySeverity>
            >,
          )
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    demo: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type SecurityConfig = z.output<typeof securityConfigSchema>;

/** How each alert severity is sent through the SLO notifiers. */
export type SeverityRouting = Record<
  (typeof SECURITY_SEVERITIES)[number],
  'page' | 'ticket'
>;

export const DEFAULT_SEVERITY_ROUTING: SeverityRouting = {
  critical: 'page',
  high: 'page',
  medium: 'ticket',
  low: 'ticket',
};

export function severityRouting(config: SecurityConfig): SeverityRouting {
  return {
    ...DEFAULT_SEVERITY_ROUTING,
    ...definedOnly(config.notifications.severities),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** The configured rules (validated, messages naming `security.rules.<i>.<field>`), else the seed. */
export function rulesOf(config: SecurityConfig): CorrelationRule[] {
  if (!config.rules) return seedRules({ timezone: config.timezone });
  try {
    return parseCorrelationRules(config.rules);
  } catch (error) {
    if (error instanceof CorrelationRuleError) {
      throw new Error(
        error.issues
          .map(issue => `Invalid configuration at security.${issue}`)
          .join('; '),
      );
    }
    throw error;
  }
}
