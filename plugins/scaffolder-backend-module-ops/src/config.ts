import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { z } from 'zod';

/** `ops.scaffolder`: the ops actions' own settings (clusters are Backstage's `kubernetes` config). */
export const opsActionsConfigSchema = z
  .object({
    /** Files every rollback as CC8.1 evidence through the evidence plugin. */
    evidenceFiling: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .default({}),
    /** Slack and Statuspage for `ops:notify`; checked by readNotifyConfig. */
    notify: z.unknown().optional(),
    demo: z
      .object({
        /**
         * DEMO ONLY: the committed demo audit key is accepted, and a
         * stand-in Kubernetes API (apps/v1 Deployments and ReplicaSets with
         * a small controller) serves the demo services, so a rollback can be
         * tried from the Create page. A `kubernetes.clusterLocatorMethods`
         * cluster points at it.
         */
        enabled: z.boolean().default(false),
        kubernetes: z
          .object({
            port: z.number().int().min(1).max(65535).default(7081),
            /** The cluster's `serviceAccountToken` must match. */
            token: z.string().min(1).default('demo-kubernetes-token'),
            /** How long new pods take to become ready. */
            readyAfterMs: z.number().int().min(0).max(600_000).default(3000),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type OpsActionsConfig = z.output<typeof opsActionsConfigSchema>;

/** Reads `ops.scaffolder`; a bad value stops the start with a message naming it. */
export function readOpsActionsConfig(config: Config): OpsActionsConfig {
  return readValidatedConfig(config, 'ops.scaffolder', opsActionsConfigSchema);
}
