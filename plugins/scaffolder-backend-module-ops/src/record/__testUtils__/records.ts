import type { GitRevertResult } from '../../actions/gitRevert';
import type { ImageRollbackRecord } from '../../actions/rollbackImage';
import type { KubernetesRollbackRecord } from '../../actions/rollbackKubernetes';

const DIGEST = (n: string) => `sha256:${n.repeat(64)}`;

/** A Kubernetes rollback as the action hands it to `onRolledBack`. */
export const kubernetesRecord = (
  overrides: Partial<KubernetesRollbackRecord> = {},
): KubernetesRollbackRecord => ({
  cluster: 'demo',
  namespace: 'shop',
  deployment: 'payments',
  fromRevision: 3,
  toRevision: 2,
  imagesBefore: ['registry.example.com/pay:2'],
  imagesAfter: ['registry.example.com/pay:1'],
  durationMs: 1200,
  rolloutWaitMs: 900,
  dryRun: false,
  entityRef: 'component:default/payments',
  reason: 'Checkout errors after the 14:02 deploy',
  incidentUrl: 'https://status.example.com/incidents/42',
  initiatedBy: 'user:default/amy',
  taskId: '6f1c2a8e-55e3-4a0b-9d7e-1f2a3b4c5d6e',
  stepId: 'rollback',
  startedAt: '2026-01-15T10:00:00.000Z',
  ...overrides,
});

/** An image rollback as the action hands it to `onRolledBack`. */
export const imageRecord = (
  overrides: Partial<ImageRollbackRecord> = {},
): ImageRollbackRecord => ({
  cluster: 'demo',
  namespace: 'shop',
  deployment: 'payments',
  container: 'app',
  imageBefore: `registry.example.com/pay@${DIGEST('b')}`,
  imageAfter: `registry.example.com/pay@${DIGEST('a')}`,
  fromRevision: 3,
  toRevision: 4,
  durationMs: 1500,
  rolloutWaitMs: 1100,
  dryRun: false,
  entityRef: 'component:default/payments',
  reason: 'Bad image',
  initiatedBy: 'user:default/amy',
  taskId: '0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
  stepId: 'image',
  startedAt: '2026-01-15T10:00:00.000Z',
  ...overrides,
});

/** A git revert as the action hands it to `onReverted`. */
export const gitRevertResult = (
  overrides: Partial<GitRevertResult> = {},
): GitRevertResult => ({
  entityRef: 'component:default/payments',
  repositoryUrl: 'https://github.com/acme/payments',
  branch: 'rollback/revert-abc1234',
  baseBranch: 'main',
  headSha: 'f'.repeat(40),
  revertedCommits: [
    { sha: 'a'.repeat(40), subject: 'Add retries', merge: false },
    { sha: 'b'.repeat(40), subject: 'Merge #12', merge: true },
  ],
  pullRequestUrl: 'https://github.com/acme/payments/pull/13',
  reason: 'Checkout errors after the last deploy',
  initiator: 'user:default/amy',
  taskId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  stepId: 'revert',
  startedAt: '2026-01-15T10:00:00.000Z',
  ...overrides,
});

/** Where the portal shows a task. */
export const taskUrl = (taskId: string) =>
  `https://portal.example.com/create/tasks/${taskId}`;
