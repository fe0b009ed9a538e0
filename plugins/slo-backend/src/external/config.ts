import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { z } from 'zod';
import type { NotificationTargetConfig } from '../notify';

/** The targets an external source's alerts go to, by severity. */
export interface ExternalRoute {
  page: string[];
  ticket: string[];
}

/** `slo.notifications.external`: source (a plugin id) → its routes. */
export type ExternalRouting = Record<string, ExternalRoute>;

const targetNames = z.array(z.string().min(1)).default([]);

/**
 * The schema of `slo.notifications.external` against the configured
 * targets: every name must be one of them, and none a `statuspage` target
 * (a security incident must never reach a public status page).
 */
export function externalRoutingSchema(
  targets: Record<string, Pick<NotificationTargetConfig, 'type'>>,
) {
  return z
    .record(
      z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{0,39}$/,
          'must be a plugin id (lowercase letters, digits and dashes)',
        ),
      z.object({ page: targetNames, ticket: targetNames }).strict(),
    )
    .default({})
    .superRefine((sources, ctx) => {
      for (const [source, route] of Object.entries(sources)) {
        for (const severity of ['page', 'ticket'] as const) {
          route[severity].forEach((name, index) => {
            const target = Object.hasOwn(targets, name)
              ? targets[name]
              : undefined;
            const path = [source, severity, index];
            if (!target) {
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path,
                message: `unknown notification target '${name}' (not in slo.notifications.targets)`,
              });
            } else if (target.type === 'statuspage') {
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path,
                message: `'${name}' is a statuspage target: alerts from other plugins never go to a public status page`,
              });
            }
          });
        }
      }
    });
}

/** Reads and checks `slo.notifications.external` at start-up; absent, no source is accepted. */
export function readExternalRouting(
  config: Config,
  targets: Record<string, Pick<NotificationTargetConfig, 'type'>>,
): ExternalRouting {
  return readValidatedConfig(
    config,
    'slo.notifications.external',
    externalRoutingSchema(targets),
  );
}
