import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { resolveCluster } from '../kubernetes/clusters';
import { EntitySource, entityReader } from './catalogEntity';
import {
  OnChange,
  TaskStep,
  evidenceOutputs,
  finishRollback,
} from './changeRecording';
import { rollbackDeployment, RollbackResult } from '../kubernetes/rollback';

/** What the action knows once a rollback is done, for evidence and audit. */
export type KubernetesRollbackRecord = RollbackResult & {
  entityRef: string;
  reason: string;
  incidentUrl?: string;
} & TaskStep;

export type RollbackKubernetesActionOptions = EntitySource & {
  /** Root config: `kubernetes.clusterLocatorMethods`. */
  config: Config;
  /**
   * Called after a rollback (not a dry run) has rolled out, before the
   * action's outputs are set; the place for an audit event and evidence
   * filing, whose state it returns for the outputs. A failure here fails the
   * step (the rollback stays applied).
   */
  onRolledBack?: OnChange<KubernetesRollbackRecord>;
  /** Overrides for the client's timing (tests). */
  timing?: { requestTimeoutMs?: number; pollIntervalMs?: number };
};

/** The action's id. */
export const ROLLBACK_KUBERNETES_ACTION_ID = 'ops:rollback:kubernetes';

/**
 * `ops:rollback:kubernetes`: rolls a catalog entity's Deployment back to the
 * previous (or a given) revision the way `kubectl rollout undo` does and waits
 * for the rollout.
 */
export function createRollbackKubernetesAction(
  options: RollbackKubernetesActionOptions,
) {
  const readEntity = entityReader(options, ROLLBACK_KUBERNETES_ACTION_ID);

  return createTemplateAction({
    id: ROLLBACK_KUBERNETES_ACTION_ID,
    description:
      "Rolls a catalog entity's Kubernetes Deployment back to the previous or a given revision (like kubectl rollout undo) and waits for the rollout.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Roll back to the previous revision',
        example: [
          'steps:',
          '  - id: rollback',
          '    action: ops:rollback:kubernetes',
          '    name: Roll back',
          '    input:',
          '      entityRef: ${{ parameters.service }}',
          '      reason: ${{ parameters.reason }}',
          '      incidentUrl: ${{ parameters.incidentUrl }}',
        ].join('\n'),
      },
      {
        description:
          'Roll back to revision 4 on the production cluster, waiting at most 2 minutes',
        example: [
          'steps:',
          '  - id: rollback',
          '    action: ops:rollback:kubernetes',
          '    name: Roll back to revision 4',
          '    input:',
          '      entityRef: component:default/payments',
          '      cluster: production',
          '      toRevision: 4',
          '      reason: Checkout errors after the 14:02 deploy',
          '      incidentUrl: https://status.example.com/incidents/123',
          '      timeoutSeconds: 120',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The catalog entity whose Deployment is rolled back, e.g. component:default/payments',
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Name of the cluster (kubernetes.clusterLocatorMethods); needed when several are configured',
            ),
        toRevision: z =>
          z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              'The revision to roll back to; default: the previous one',
            ),
        reason: z =>
          z.string().min(3).describe('Why the rollback is done (recorded)'),
        incidentUrl: z =>
          z.string().url().optional().describe('Link to the incident'),
        timeoutSeconds: z =>
          z
            .number()
            .positive()
            .max(3600)
            .optional()
            .describe('How long to wait for the rollout (default 300)'),
      },
      output: {
        cluster: z => z.string(),
        namespace: z => z.string(),
        deployment: z => z.string(),
        fromRevision: z => z.number(),
        toRevision: z => z.number(),
        imagesBefore: z => z.array(z.string()),
        imagesAfter: z => z.array(z.string()),
        durationMs: z => z.number(),
        rolloutWaitMs: z => z.number(),
        dryRun: z => z.boolean(),
        ...evidenceOutputs,
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const startedAt = new Date().toISOString();
      const { entityRef, entity } = await readEntity(input.entityRef, ctx);
      const cluster = resolveCluster(options.config, input.cluster);
      const result = await rollbackDeployment({
        entity,
        cluster: cluster.name,
        kubeConfig: cluster.kubeConfig,
        toRevision: input.toRevision,
        dryRun: ctx.isDryRun ?? false,
        reason: input.reason,
        rolloutTimeoutMs: (input.timeoutSeconds ?? 300) * 1000,
        requestTimeoutMs: options.timing?.requestTimeoutMs,
        pollIntervalMs: options.timing?.pollIntervalMs,
        signal: ctx.signal,
        log: message => ctx.logger.info(message),
      });
      await finishRollback(
        ctx,
        result,
        {
          entityRef,
          reason: input.reason,
          incidentUrl: input.incidentUrl,
          startedAt,
        },
        options.onRolledBack,
      );
    },
  });
}

export type { CatalogReader } from './catalogEntity';
