import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Entity } from '@backstage/catalog-model';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import { createChangeManagementCollector } from '../collector';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepository,
} from '../testing/fakeGitHub';
import { GitHubApiError, GitHubClient, linkRel } from './GitHubClient';
import { readGitHubHistory } from './githubHistory';

const TOKEN = 'ghp_test-token';
const PERIOD = {
  start: new Date('2026-01-10T00:00:00Z'),
  end: new Date('2026-01-17T00:00:00Z'),
};
const user = (login: string) => ({ login });

function pull(
  number: number,
  author: string,
  dates: { updated: string; closed: string; merged?: string },
) {
  return {
    number,
    title: `change ${number}`,
    user: user(author),
    state: 'closed' as const,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: dates.updated,
    closed_at: dates.closed,
    merged_at: dates.merged ?? null,
    merge_commit_sha: dates.merged ? `sha${number}` : null,
    base: { ref: 'main' },
  };
}

function review(
  id: number,
  login: string,
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED',
  at: string,
) {
  return {
    id,
    user: user(login),
    state,
    submitted_at: at,
    commit_id: 'abc',
    body: '',
  };
}

function run(
  id: number,
  created: string,
  status: 'completed' | 'in_progress',
  conclusion: 'success' | 'failure' | null,
) {
  return {
    id,
    name: 'deploy',
    event: 'push',
    status,
    conclusion,
    head_branch: 'main',
    head_sha: `sha-run-${id}`,
    created_at: created,
    actor: user('alice'),
    triggering_actor: user('alice'),
  };
}

function deployment(id: number, created: string, environment: string) {
  return {
    id,
    sha: `sha-dep-${id}`,
    ref: 'main',
    task: 'deploy',
    environment,
    creator: user('github-actions[bot]'),
    created_at: created,
  };
}

function deploymentStatus(
  id: number,
  state: string,
  at: string,
  runId?: number,
) {
  const url = runId
    ? `https://github.com/acme/portal/actions/runs/${runId}/job/${id}`
    : '';
  return {
    id,
    state,
    creator: user('github-actions[bot]'),
    created_at: at,
    log_url: url,
    target_url: url,
  };
}

/** A week of activity on acme/portal, with older items the reader must not fetch. */
const PORTAL: FakeRepository = {
  pulls: [
    pull(1, 'alice', {
      updated: '2026-01-12T10:00:00Z',
      closed: '2026-01-12T10:00:00Z',
      merged: '2026-01-12T10:00:00Z',
    }),
    pull(2, 'alice', {
      updated: '2026-01-13T10:00:00Z',
      closed: '2026-01-13T10:00:00Z',
      merged: '2026-01-13T10:00:00Z',
    }),
    pull(3, 'bob', {
      updated: '2026-01-15T10:00:00Z',
      closed: '2026-01-14T10:00:00Z',
      merged: '2026-01-14T10:00:00Z',
    }),
    pull(4, 'dave', {
      updated: '2026-01-14T12:00:00Z',
      closed: '2026-01-14T12:00:00Z',
    }),
    // merged before the period, commented on in it
    pull(6, 'erin', {
      updated: '2026-01-11T00:00:00Z',
      closed: '2026-01-09T00:00:00Z',
      merged: '2026-01-09T00:00:00Z',
    }),
    // merged after the period
    pull(7, 'erin', {
      updated: '2026-01-18T00:00:00Z',
      closed: '2026-01-18T00:00:00Z',
      merged: '2026-01-18T00:00:00Z',
    }),
    pull(5, 'erin', {
      updated: '2026-01-06T00:00:00Z',
      closed: '2026-01-05T00:00:00Z',
      merged: '2026-01-05T00:00:00Z',
    }),
    pull(8, 'erin', {
      updated: '2026-01-02T00:00:00Z',
      closed: '2026-01-02T00:00:00Z',
    }),
    pull(9, 'erin', {
      updated: '2026-01-01T00:00:00Z',
      closed: '2026-01-01T00:00:00Z',
    }),
  ],
  reviews: {
    // three reviews: two pages
    1: [
      review(11, 'bob', 'CHANGES_REQUESTED', '2026-01-11T10:00:00Z'),
      review(12, 'bob', 'COMMENTED', '2026-01-11T12:00:00Z'),
      review(13, 'bob', 'APPROVED', '2026-01-12T09:00:00Z'),
    ],
    // the author's own approval and a comment
    2: [
      review(21, 'alice', 'APPROVED', '2026-01-13T09:00:00Z'),
      review(22, 'carol', 'COMMENTED', '2026-01-13T09:30:00Z'),
    ],
    // approved after the merge
    3: [review(31, 'carol', 'APPROVED', '2026-01-15T10:00:00Z')],
  },
  runs: [
    run(101, '2026-01-11T08:00:00Z', 'completed', 'success'),
    run(102, '2026-01-12T08:00:00Z', 'completed', 'failure'),
    run(103, '2026-01-15T08:00:00Z', 'completed', 'success'),
    run(104, '2026-01-16T23:00:00Z', 'in_progress', null),
    run(105, '2026-01-05T08:00:00Z', 'completed', 'success'),
  ],
  deployments: [
    deployment(202, '2026-01-16T08:00:00Z', 'staging'),
    deployment(201, '2026-01-15T08:05:00Z', 'production'),
    deployment(200, '2026-01-03T08:00:00Z', 'production'),
    deployment(199, '2026-01-02T08:00:00Z', 'production'),
    deployment(198, '2026-01-01T08:00:00Z', 'production'),
  ],
  statuses: {
    201: [
      deploymentStatus(3, 'success', '2026-01-15T09:00:00Z', 103),
      deploymentStatus(2, 'in_progress', '2026-01-15T08:30:00Z', 103),
      deploymentStatus(1, 'waiting', '2026-01-15T08:05:00Z'),
    ],
    202: [deploymentStatus(4, 'failure', '2026-01-16T08:10:00Z', 102)],
  },
  approvals: {
    103: [
      {
        environments: [{ id: 1, name: 'production' }],
        state: 'approved',
        comment: 'ship it',
        user: user('carol'),
      },
    ],
    102: [
      {
        environments: [{ id: 2, name: 'staging' }],
        state: 'rejected',
        comment: 'not now',
        user: user('carol'),
      },
    ],
  },
};

const EXPECTED_SUMMARY = {
  pullRequestsClosed: 4,
  pullRequestsMerged: 3,
  mergedWithIndependentApproval: 1,
  workflowRuns: 4,
  runsByConclusion: { success: 2, failure: 1, in_progress: 1 },
  deployments: 2,
  approvals: 1,
  rejections: 1,
};

function component(name: string, slug?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: slug ? { 'github.com/project-slug': slug } : {},
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

function context(overrides: Partial<CollectorContext> = {}) {
  const lines: string[] = [];
  const ctx: CollectorContext = {
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now: PERIOD.end,
    previous: async () => undefined,
    ...overrides,
  };
  return { ctx, lines };
}

describe('GitHub change history', () => {
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await startFakeGitHub({
      token: TOKEN,
      maxPerPage: 2,
      repositories: {
        'acme/portal': PORTAL,
        'acme/limited': { rateLimited: true },
      },
    });
  });
  afterAll(() => github.close());
  beforeEach(() => {
    github.requests.length = 0;
  });

  it('reads pull requests, reviews, runs, deployments and approvals, page by page', async () => {
    const client = new GitHubClient({ baseUrl: github.baseUrl, token: TOKEN });
    const history = await readGitHubHistory(
      client,
      { owner: 'acme', repo: 'portal' },
      PERIOD,
    );
    expect(history.summary).toEqual(EXPECTED_SUMMARY);
    expect(history.pullRequests.map(p => p.number)).toEqual([3, 4, 2, 1]);
    const byNumber = new Map(history.pullRequests.map(p => [p.number, p]));
    expect(byNumber.get(1)!.reviews).toHaveLength(3);
    expect(byNumber.get(1)!.independentApprovers).toEqual(['bob']);
    expect(byNumber.get(2)!.independentApprovers).toEqual([]);
    expect(byNumber.get(3)!.independentApprovers).toEqual([]);
    expect(byNumber.get(4)!.reviews).toEqual([]);
    expect(history.deployments.map(d => [d.id, d.runIds])).toEqual([
      [202, [102]],
      [201, [103]],
    ]);
    expect(history.deployments[1].statuses.map(s => s.state)).toEqual([
      'success',
      'in_progress',
      'waiting',
    ]);
    expect(history.approvals).toEqual([
      {
        runId: 102,
        state: 'rejected',
        reviewer: 'carol',
        comment: 'not now',
        environments: ['staging'],
      },
      {
        runId: 103,
        state: 'approved',
        reviewer: 'carol',
        comment: 'ship it',
        environments: ['production'],
      },
    ]);

    // Pages were followed through Link headers and stopped at the period.
    const pages = (path: string) =>
      github.requests
        .filter(r => r.path === path)
        .map(r => r.query.get('page') ?? '1');
    expect(pages('/repos/acme/portal/pulls')).toEqual(['1', '2', '3', '4']);
    expect(pages('/repos/acme/portal/pulls/1/reviews')).toEqual(['1', '2']);
    expect(pages('/repos/acme/portal/deployments')).toEqual(['1', '2']);
    expect(pages('/repos/acme/portal/actions/runs')).toEqual(['1', '2']);
    const pullsQuery = github.requests.find(
      r => r.path === '/repos/acme/portal/pulls',
    )!.query;
    expect(Object.fromEntries(pullsQuery)).toEqual({
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: '100',
    });
    expect(
      github.requests
        .find(r => r.path === '/repos/acme/portal/actions/runs')!
        .query.get('created'),
    ).toBe('2026-01-10T00:00:00Z..2026-01-17T00:00:00Z');
    // Closed, never merged: no reviews fetched.
    expect(pages('/repos/acme/portal/pulls/4/reviews')).toEqual([]);
    // pulls 4, reviews 2+1+1, runs 2, deployments 2, statuses 2+1, approvals 2
    expect(github.requests).toHaveLength(17);
  });

  it('sends the token, the media type and the API version on every request', async () => {
    const client = new GitHubClient({ baseUrl: github.baseUrl, token: TOKEN });
    await readGitHubHistory(client, { owner: 'acme', repo: 'portal' }, PERIOD);
    expect(github.requests.length).toBeGreaterThan(10);
    for (const request of github.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.accept).toBe('application/vnd.github+json');
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it('names rate limits, missing repositories and refused tokens', async () => {
    const client = new GitHubClient({ baseUrl: github.baseUrl, token: TOKEN });
    const limited = await readGitHubHistory(
      client,
      { owner: 'acme', repo: 'limited' },
      PERIOD,
    ).catch(e => e);
    expect(limited).toBeInstanceOf(GitHubApiError);
    expect(limited).toMatchObject({ status: 403, kind: 'rate-limited' });
    expect(limited.message).toBe(
      'GitHub rate limit reached (HTTP 403); it lifts at 2030-01-01T00:00:00.000Z',
    );

    await expect(
      readGitHubHistory(client, { owner: 'acme', repo: 'missing' }, PERIOD),
    ).rejects.toMatchObject({ status: 404, kind: 'not-found' });

    const wrongToken = new GitHubClient({
      baseUrl: github.baseUrl,
      token: 'wrong',
    });
    await expect(
      readGitHubHistory(wrongToken, { owner: 'acme', repo: 'portal' }, PERIOD),
    ).rejects.toMatchObject({ status: 401, kind: 'unauthorized' });
  });

  it('files GitHub evidence per entity and logs the entities it could not read', async () => {
    const collector = createChangeManagementCollector({
      loadEntities: async () => [
        component('portal', 'acme/portal'),
        component('limited', 'acme/limited'),
        component('missing', 'acme/missing'),
        component('nothing'),
      ],
      github: { baseUrl: github.baseUrl, token: TOKEN },
    });
    const { ctx, lines } = context();
    const evidence = await collector.collect(ctx);

    expect(evidence).toHaveLength(1);
    const [item] = evidence;
    expect(item).toMatchObject({
      type: 'change-management.github',
      points: ['CC8.1'],
      entityRef: 'component:default/portal',
      fileName: 'change-management-github-portal.json',
      mediaType: 'application/json',
      period: PERIOD,
      summary: EXPECTED_SUMMARY,
    });
    const document = JSON.parse(item.content as string);
    expect(document.repository).toBe('acme/portal');
    expect(document.summary).toEqual(EXPECTED_SUMMARY);
    expect(document.pullRequests).toHaveLength(4);

    expect(lines).toContain(
      'component:default/limited: GitHub acme/limited could not be read: ' +
        'GitHub rate limit reached (HTTP 403); it lifts at 2030-01-01T00:00:00.000Z',
    );
    expect(
      lines.some(l =>
        l.startsWith(
          'component:default/missing: GitHub acme/missing could not be read: GitHub says /repos/acme/missing/pulls',
        ),
      ),
    ).toBe(true);
    expect(lines.some(l => l.includes('(HTTP 404)'))).toBe(true);
    expect(
      lines.some(l => l.startsWith('component:default/nothing: no repository')),
    ).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('fails the run when no entity could be read', async () => {
    const collector = createChangeManagementCollector({
      loadEntities: async () => [
        component('limited', 'acme/limited'),
        component('missing', 'acme/missing'),
      ],
      github: { baseUrl: github.baseUrl, token: TOKEN },
    });
    const { ctx } = context();
    await expect(collector.collect(ctx)).rejects.toThrow(
      'no repository could be read for any of the 2 entities',
    );
  });
});

describe('GitHubClient', () => {
  it('reads Link headers', () => {
    const header =
      '<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last"';
    expect(linkRel(header, 'next')).toBe(
      'https://api.github.com/repositories/1/pulls?page=2',
    );
    expect(linkRel(header, 'last')).toBe(
      'https://api.github.com/repositories/1/pulls?page=5',
    );
    expect(linkRel(header, 'prev')).toBeUndefined();
    expect(linkRel(null, 'next')).toBeUndefined();
  });

  it('does not follow a next link to another origin with the token', async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        Link: '<http://elsewhere.invalid/steal?page=2>; rel="next"',
      });
      res.end('[1]');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new GitHubClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: TOKEN,
      });
      const pages: number[][] = [];
      await expect(
        (async () => {
          for await (const page of client.pages<number>('/things')) {
            pages.push(page);
          }
        })(),
      ).rejects.toThrow('another origin');
      expect(pages).toEqual([]);
      expect(seen).toEqual([`Bearer ${TOKEN}`]);
    } finally {
      server.close();
    }
  });
});
