import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { startFakeGitHubApi } from '../git/__testUtils__/fakeGitHubApi';
import {
  BareRepoFixture,
  createBareRepo,
} from '../git/__testUtils__/gitFixtures';
import { createGitRevertAction, GitRevertResult } from './gitRevert';

const token = 'ghp_actionTokenValue42';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

function context(input: Record<string, unknown>, isDryRun = false) {
  const outputs: Record<string, unknown> = {};
  const logger = mockServices.logger.mock();
  const ctx = {
    input,
    logger,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    workspacePath: '/nonexistent',
    isDryRun,
    task: { id: 'task-1' },
    user: { ref: 'user:default/alice' },
    getInitiatorCredentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
    }),
    checkpoint: async (opts: any) => opts.fn(),
    createTemporaryDirectory: async () => '/nonexistent',
  };
  const logs = () => logger.info.mock.calls.map(c => String(c[0]));
  return { ctx: ctx as any, outputs, logs };
}

// Real git processes; slower than unit tests, especially in parallel.
jest.setTimeout(60_000);

describe('ops:rollback:git-revert', () => {
  let repo: BareRepoFixture;
  let api: Awaited<ReturnType<typeof startFakeGitHubApi>>;

  beforeEach(async () => {
    repo = createBareRepo([
      { message: 'initial', files: { 'values.yaml': 'image: v1\n' } },
      { message: 'deploy v2', files: { 'values.yaml': 'image: v2\n' } },
    ]);
    api = await startFakeGitHubApi({
      token,
      repos: { 'o/r': { default_branch: 'main' } },
    });
  });
  afterEach(async () => {
    await api.close();
    repo.cleanup();
  });

  function action(
    annotations: Record<string, string>,
    extra: {
      withIntegration?: boolean;
      onReverted?: (r: GitRevertResult) => void;
    } = {},
  ) {
    return createGitRevertAction({
      config: new ConfigReader({
        integrations:
          extra.withIntegration === false
            ? {}
            : {
                github: [
                  { host: 'github.com', apiBaseUrl: api.apiBaseUrl, token },
                ],
              },
        scaffolder: {
          defaultAuthor: { name: 'Portal', email: 'portal@example.com' },
        },
      }),
      getEntity: async ref =>
        ref === 'component:default/payments' ? entity(annotations) : undefined,
      // the bare repository stands in for github.com (git's own URL rewriting)
      gitConfig: {
        [`url.file://${repo.root}/.insteadOf`]: 'https://github.com/',
      },
      onReverted: extra.onReverted,
    });
  }

  it('reverts, pushes the branch and opens a pull request through the integration', async () => {
    const seen: GitRevertResult[] = [];
    const a = action(
      {
        'backstage.io/source-location': 'url:https://github.com/o/r/tree/main/',
      },
      { onReverted: r => void seen.push(r) },
    );
    const { ctx, outputs } = context({
      entityRef: 'component:default/payments',
      lastCommits: 1,
      reason: 'v2 breaks checkout',
      incidentUrl: 'https://status.example.com/i/7',
    });
    await a.handler(ctx);

    const branch = outputs.branch as string;
    expect(branch).toMatch(/^rollback\/[0-9a-f]{7}-/);
    expect(outputs.revertedCommits).toEqual([repo.shas[1]]);
    expect(outputs.pullRequestUrl).toBe('https://github.com/o/r/pull/1');
    expect(repo.git(['show', `${branch}:values.yaml`])).toBe('image: v1\n');
    expect(repo.git(['log', '-1', '--format=%cn <%ce>', branch]).trim()).toBe(
      'Portal <portal@example.com>',
    );

    // the annotation names the branch, so only the pull request is requested
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v3/repos/o/r/pulls',
    ]);
    const pr = api.requests[0];
    expect(pr.headers.authorization).toBe(`Bearer ${token}`);
    expect(pr.body).toMatchObject({ head: branch, base: 'main' });
    expect(pr.body.title).toContain('v2 breaks checkout');
    expect(pr.body.body).toContain('https://status.example.com/i/7');
    expect(pr.body.body).toContain(repo.shas[1]);
    expect(pr.body.body).toContain('user:default/alice');

    expect(seen).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/payments',
        branch,
        baseBranch: 'main',
        pullRequestUrl: 'https://github.com/o/r/pull/1',
        reason: 'v2 breaks checkout',
        initiator: 'user:default/alice',
        taskId: 'task-1',
      }),
    ]);
  });

  it('asks GitHub for the default branch with the project-slug annotation', async () => {
    const a = action({ 'github.com/project-slug': 'o/r' });
    const { ctx, outputs } = context({
      entityRef: 'component:default/payments',
      commits: [repo.shas[1].slice(0, 8)],
      reason: 'bad',
    });
    await a.handler(ctx);
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v3/repos/o/r',
      'POST /api/v3/repos/o/r/pulls',
    ]);
    expect(outputs.pullRequestUrl).toBe('https://github.com/o/r/pull/1');
  });

  it('reports the 422 of an existing pull request clearly', async () => {
    await api.close();
    api = await startFakeGitHubApi({
      token,
      repos: { 'o/r': { default_branch: 'main' } },
      openPullRequestHeads: '*',
    });
    const a = action({ 'github.com/project-slug': 'o/r' });
    const { ctx, outputs } = context({
      entityRef: 'component:default/payments',
      lastCommits: 1,
      reason: 'x',
    });
    const error = await a.handler(ctx).catch(e => e);
    expect(error.message).toBe(
      `A pull request for branch ${outputs.branch} into main on o/r already exists (GitHub answered 422); the branch is pushed, use the open pull request`,
    );
    expect(repo.branches()).toContain(outputs.branch);
  });

  it('pushes the branch only, and says so, without an integration for the host', async () => {
    const a = action(
      {
        'backstage.io/source-location': 'url:https://github.com/o/r/tree/main/',
      },
      { withIntegration: false },
    );
    // ScmIntegrations always knows github.com, but without a token no PR is opened
    const { ctx, outputs, logs } = context({
      entityRef: 'component:default/payments',
      lastCommits: 1,
      reason: 'x',
    });
    await a.handler(ctx);
    expect(outputs.pullRequestUrl).toBeUndefined();
    expect(repo.branches()).toContain(outputs.branch);
    expect(api.requests).toEqual([]);
    expect(logs().join('\n')).toContain('no pull request');
  });

  it('in a dry run reports what it would revert and pushes nothing', async () => {
    const seen: GitRevertResult[] = [];
    const a = action(
      {
        'backstage.io/source-location': 'url:https://github.com/o/r/tree/main/',
      },
      { onReverted: r => void seen.push(r) },
    );
    const { ctx, outputs, logs } = context(
      { entityRef: 'component:default/payments', lastCommits: 1, reason: 'x' },
      true,
    );
    await a.handler(ctx);
    expect(outputs.revertedCommits).toEqual([repo.shas[1]]);
    expect(outputs.pullRequestUrl).toBeUndefined();
    expect(repo.branches()).toEqual(['main']);
    expect(api.requests).toEqual([]);
    expect(seen).toEqual([]);
    expect(logs().join('\n')).toMatch(
      /Dry run: would push rollback\/.*"deploy v2".*nothing was pushed/,
    );
  });

  it('fails naming both annotations when the entity has neither', async () => {
    const a = action({});
    await expect(
      a.handler(
        context({
          entityRef: 'component:default/payments',
          lastCommits: 1,
          reason: 'x',
        }).ctx,
      ),
    ).rejects.toThrow(
      'component:default/payments has neither a backstage.io/source-location nor a github.com/project-slug annotation',
    );
    await expect(
      a.handler(
        context({
          entityRef: 'component:default/other',
          lastCommits: 1,
          reason: 'x',
        }).ctx,
      ),
    ).rejects.toThrow('Entity component:default/other was not found');
  });

  it('fails on a conflict without pushing, and no error carries the token', async () => {
    const conflicting = createBareRepo([
      { message: 'initial', files: { 'values.yaml': 'image: v1\n' } },
      { message: 'deploy v2', files: { 'values.yaml': 'image: v2\n' } },
      { message: 'deploy v3', files: { 'values.yaml': 'image: v3\n' } },
    ]);
    try {
      const a = createGitRevertAction({
        config: new ConfigReader({
          integrations: {
            github: [{ host: 'github.com', apiBaseUrl: api.apiBaseUrl, token }],
          },
        }),
        getEntity: async () => entity({ 'github.com/project-slug': 'o/r' }),
        gitConfig: {
          [`url.file://${conflicting.root}/.insteadOf`]: 'https://github.com/',
        },
      });
      const error = await a
        .handler(
          context({
            entityRef: 'component:default/payments',
            commits: [conflicting.shas[1]],
            reason: 'x',
          }).ctx,
        )
        .catch(e => e);
      expect(error.message).toContain(
        `Reverting commit ${conflicting.shas[1]}`,
      );
      expect(error.message).toContain('values.yaml');
      expect(error.message).not.toContain(token);
      expect(conflicting.branches()).toEqual(['main']);
      expect(api.requests.map(r => r.method)).toEqual(['GET']);
    } finally {
      conflicting.cleanup();
    }
  });
});
