import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { resolveCluster } from '../kubernetes/clusters';
import {
  ImageRollbackResult,
  rollbackImage,
} from '../kubernetes/rollbackImage';
import { EntitySource, entityReader } from './catalogEntity';
import {
  OnChange,
  TaskStep,
  evidenceOutputs,
  finishRollback,
} from './changeRecording';

/** What the action knows once an image rollback is done, for evidence and audit. */
export type ImageRollbackRecord = ImageRollbackResult & {
  entityRef: string;
  reason: string;
  incidentUrl?: string;
} & TaskStep;

export type RollbackImageActionOptions = EntitySource & {
  /** Root config: `kubernetes.clusterLocatorMethods`. */
  config: Config;
  /**
   * Called after a change (not a dry run) has rolled out, before the
   * action's outputs are set; the place for an audit event and evidence
   * filing, whose state it returns for the outputs. A failure here fails
   * the step (the change stays applied).
   */
  onRolledBack?: OnChange<ImageRollbackRecord>;
  /** Overrides for the client's timing (tests). */
  timing?: { requestTimeoutMs?: number; pollIntervalMs?: number };
};

/** The action's id. */
export const ROLLBACK_IMAGE_ACTION_ID = 'ops:rollback:image';

/**
 * `ops:rollback:image`: sets one container's image of a catalog entity's
 * Deployment to a digest, or to its image in the previous revision, and
 * waits for the rollout.
 */
export function createRollbackImageAction(options: RollbackImageActionOptions) {
  const readEntity = entityReader(options, ROLLBACK_IMAGE_ACTION_ID);

  return createTemplateAction({
    id: ROLLBACK_IMAGE_ACTION_ID,
    description:
      "Sets one container's image of a catalog entity's Kubernetes Deployment to a digest, or back to its image in the previous revision, and waits for the rollout.",
    supportsDryRun: true,
    examples: [
      {
        description:
          "Put the container's image of the previous revision back (the only container)",
        example: [
          'steps:',
          '  - id: rollback',
          '    action: ops:rollback:image',
          '    name: Previous image',
          '    input:',
          '      entityRef: ${{ parameters.service }}',
          '      reason: ${{ parameters.reason }}',
          '      incidentUrl: ${{ parameters.incidentUrl }}',
        ].join('\n'),
      },
      {
        description:
          'Pin the api container to a known-good digest on the production cluster',
        example: [
          'steps:',
          '  - id: rollback',
          '    action: ops:rollback:image',
          '    name: Pin a known-good image',
          '    input:',
          '      entityRef: component:default/payments',
          '      cluster: production',
          '      container: api',
          '      image: registry.example.com/shop/payments@sha256:3f1c0e9a5b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e',
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
              'The catalog entity whose Deployment is changed, e.g. component:default/payments',
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Name of the cluster (kubernetes.clusterLocatorMethods); needed when several are configured',
            ),
        container: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'The container whose image is set; needed when the pod template has several',
            ),
        image: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              "The image, pinned by digest: registry/repository@sha256:<64 hex>; default: the container's image in the previous revision",
            ),
        reason: z =>
          z.string().min(3).describe('Why the image is rolled back (recorded)'),
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
        container: z => z.string(),
        imageBefore: z => z.string(),
        imageAfter: z => z.string(),
        fromRevision: z => z.number(),
        toRevision: z => z.number(),
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
      const result = await rollbackImage({
        entity,
        cluster: cluster.name,
        kubeConfig: cluster.kubeConfig,
        container: input.container,
        image: input.image,
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
