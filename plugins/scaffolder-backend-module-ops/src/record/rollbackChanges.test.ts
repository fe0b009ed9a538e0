import { changeRecordRequestSchema } from '@internal/plugin-evidence-common';
import {
  changeKey,
  gitRevertChange,
  imageRollbackChange,
  kubernetesRollbackChange,
} from './rollbackChanges';
import {
  gitRevertResult,
  imageRecord,
  kubernetesRecord,
  taskUrl,
} from './__testUtils__/records';

/** The evidence plugin's verdict on a change record: its issues, none when it takes it. */
const issuesOf = (change: unknown) => {
  const parsed = changeRecordRequestSchema.safeParse(change);
  return parsed.success
    ? []
    : parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`);
};

describe('the change records of the rollbacks', () => {
  it('files a Kubernetes rollback the evidence plugin accepts, with its audit event', () => {
    const record = kubernetesRecord();
    const { change, entry } = kubernetesRollbackChange(record, taskUrl);

    expect(issuesOf(change)).toEqual([]);
    expect(change).toMatchObject({
      key: `scaffolder:${record.taskId}:rollback`,
      kind: 'rollback',
      strategy: 'kubernetes',
      entityRef: 'component:default/payments',
      performedBy: 'user:default/amy',
      startedAt: record.startedAt,
      reason: record.reason,
      incidentUrl: record.incidentUrl,
      taskUrl: taskUrl(record.taskId),
      before: { revision: 3, images: record.imagesBefore },
      after: { revision: 2, images: record.imagesAfter },
      details: { cluster: 'demo', namespace: 'shop', deployment: 'payments' },
    });
    expect(Date.parse(change.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(change.startedAt),
    );
    expect(entry).toEqual({
      type: 'rollback.completed',
      actor: 'user:default/amy',
      recordId: record.taskId,
      data: {
        strategy: 'kubernetes',
        entityRef: change.entityRef,
        before: change.before,
        after: change.after,
        details: change.details,
        changeKey: change.key,
      },
    });
  });

  it('files an image rollback the evidence plugin accepts', () => {
    const record = imageRecord();
    const { change } = imageRollbackChange(record, taskUrl);
    expect(issuesOf(change)).toEqual([]);
    expect(change).toMatchObject({
      strategy: 'image',
      before: { revision: 3, image: record.imageBefore },
      after: { revision: 4, image: record.imageAfter },
      details: { container: 'app' },
    });
    expect(change).not.toHaveProperty('incidentUrl');
  });

  it('files a git revert the evidence plugin accepts', () => {
    const result = gitRevertResult();
    const { change, entry } = gitRevertChange(result, taskUrl);
    expect(issuesOf(change)).toEqual([]);
    expect(change).toMatchObject({
      strategy: 'git-revert',
      performedBy: 'user:default/amy',
      before: {
        branch: 'main',
        commits: result.revertedCommits.map(c => c.sha),
      },
      after: { branch: result.branch, headSha: result.headSha },
      details: {
        repository: result.repositoryUrl,
        pullRequest: result.pullRequestUrl,
      },
    });
    expect(entry.recordId).toBe(result.taskId);
    const withoutPr = gitRevertChange(
      gitRevertResult({ pullRequestUrl: undefined }),
      taskUrl,
    ).change;
    expect(issuesOf(withoutPr)).toEqual([]);
    expect(withoutPr.details).not.toHaveProperty('pullRequest');
  });

  it('leaves out the task link when the portal URL is unknown, and names an unknown user', () => {
    const { change } = kubernetesRollbackChange(
      kubernetesRecord({ initiatedBy: undefined, incidentUrl: undefined }),
      () => undefined,
    );
    expect(issuesOf(change)).toEqual([]);
    expect(change).not.toHaveProperty('taskUrl');
    expect(change).not.toHaveProperty('incidentUrl');
    expect(change.performedBy).toBe('user:default/unknown');
  });

  it('gives a step the same key when a recovered task runs it again', () => {
    expect(changeKey('t-1', 'rollback')).toBe('scaffolder:t-1:rollback');
    expect(changeKey('t-1', 'rollback')).toBe(changeKey('t-1', 'rollback'));
    expect(changeKey('t-1', undefined)).toBe('scaffolder:t-1:step');
  });

  // What the actions accept but the evidence plugin's schema does not: a
  // record it refuses is dead-lettered, so the change would go unfiled.
  it('still files what the actions accept: a reason over several lines, a short entity ref, any step id', () => {
    const k8s = kubernetesRollbackChange(
      kubernetesRecord({
        reason: 'Checkout errors\nafter the 14:02 deploy\t(see incident)',
        stepId: 'roll back #1',
      }),
      taskUrl,
    ).change;
    expect(issuesOf(k8s)).toEqual([]);
    expect(k8s.reason).toBe(
      'Checkout errors after the 14:02 deploy (see incident)',
    );

    // ops:rollback:git-revert passes its entityRef input on as given.
    const git = gitRevertChange(
      gitRevertResult({ entityRef: 'component:payments' }),
      taskUrl,
    ).change;
    expect(issuesOf(git)).toEqual([]);
    expect(git.entityRef).toBe('component:default/payments');

    const long = kubernetesRollbackChange(
      kubernetesRecord({ reason: 'x'.repeat(5000) }),
      taskUrl,
    ).change;
    expect(issuesOf(long)).toEqual([]);
  });

  it('keeps an incident link only when the evidence plugin can take it (http or https)', () => {
    const { change } = kubernetesRollbackChange(
      kubernetesRecord({ incidentUrl: 'ftp://files.example.com/incident-42' }),
      taskUrl,
    );
    expect(issuesOf(change)).toEqual([]);
    expect(change).not.toHaveProperty('incidentUrl');
  });
});
