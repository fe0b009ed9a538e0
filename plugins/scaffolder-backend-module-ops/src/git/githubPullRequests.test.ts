import { ConfigReader } from '@backstage/config';
import { startFakeGitHubApi } from './__testUtils__/fakeGitHubApi';
import {
  findGitHubIntegration,
  GITHUB_API_VERSION,
  GitHubPullRequestClient,
} from './githubPullRequests';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

describe('GitHubPullRequestClient against a local server speaking the GitHub REST shapes', () => {
  const token = 'ghp_testTokenValue123';
  let api: Awaited<ReturnType<typeof startFakeGitHubApi>>;

  beforeEach(async () => {
    api = await startFakeGitHubApi({
      token,
      repos: { 'o/r': { default_branch: 'trunk' } },
      openPullRequestHeads: ['rollback/existing'],
    });
  });
  afterEach(() => api.close());

  it('reads the default branch and opens a pull request', async () => {
    const client = new GitHubPullRequestClient({
      apiBaseUrl: `${api.apiBaseUrl}/`,
      token,
    });
    await expect(client.getDefaultBranch('o', 'r')).resolves.toBe('trunk');
    await expect(
      client.createPullRequest({
        owner: 'o',
        repo: 'r',
        title: 'Roll back',
        head: 'rollback/abc-1',
        base: 'trunk',
        body: 'why',
      }),
    ).resolves.toEqual({ number: 1, url: 'https://github.com/o/r/pull/1' });

    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v3/repos/o/r',
      'POST /api/v3/repos/o/r/pulls',
    ]);
    for (const r of api.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${token}`);
      expect(r.headers.accept).toBe('application/vnd.github+json');
      expect(r.headers['x-github-api-version']).toBe(GITHUB_API_VERSION);
    }
    expect(api.requests[1].headers['content-type']).toBe('application/json');
    expect(api.requests[1].body).toEqual({
      title: 'Roll back',
      head: 'rollback/abc-1',
      base: 'trunk',
      body: 'why',
    });
  });

  it('says so when a pull request for the branch exists (422)', async () => {
    const client = new GitHubPullRequestClient({
      apiBaseUrl: api.apiBaseUrl,
      token,
    });
    await expect(
      client.createPullRequest({
        owner: 'o',
        repo: 'r',
        title: 't',
        head: 'rollback/existing',
        base: 'trunk',
        body: '',
      }),
    ).rejects.toThrow(
      'A pull request for branch rollback/existing into trunk on o/r already exists (GitHub answered 422)',
    );
  });

  it('gives clear errors for 401, 404 and other 422s, without the token', async () => {
    const bad = new GitHubPullRequestClient({
      apiBaseUrl: api.apiBaseUrl,
      token: 'nope',
    });
    const e401 = await bad.getDefaultBranch('o', 'r').catch(e => e);
    expect(e401.message).toMatch(
      /rejected the integration token \(401\).*Bad credentials/,
    );
    expect(e401.status).toBe(401);

    const client = new GitHubPullRequestClient({
      apiBaseUrl: api.apiBaseUrl,
      token,
    });
    const e404 = await client.getDefaultBranch('o', 'missing').catch(e => e);
    expect(e404.message).toContain(
      'GitHub found no repository o/missing (404)',
    );

    const e422 = await client
      .createPullRequest({
        owner: 'o',
        repo: 'r',
        title: '',
        head: 'h',
        base: 'trunk',
        body: '',
      })
      .catch(e => e);
    expect(e422.message).toContain(
      'could not process a pull request from h into trunk on o/r (422): Validation Failed; missing_field',
    );
    for (const e of [e401, e404, e422]) expect(e.message).not.toContain(token);
  });

  it('explains a 403', async () => {
    const fetch403 = (async () =>
      new Response(
        JSON.stringify({ message: 'Resource not accessible by integration' }),
        {
          status: 403,
        },
      )) as unknown as typeof fetch;
    const client = new GitHubPullRequestClient({
      apiBaseUrl: 'https://api.github.com',
      token,
      fetch: fetch403,
    });
    await expect(client.getDefaultBranch('o', 'r')).rejects.toThrow(
      'GitHub refused repository o/r (403): the token lacks permission (pull requests: write, contents: write) or a rate limit was hit (Resource not accessible by integration)',
    );
  });
});

describe('findGitHubIntegration', () => {
  it('reads integrations.github[] for the host of the repository', async () => {
    const config = new ConfigReader({
      integrations: {
        github: [
          {
            host: 'ghe.example.com',
            apiBaseUrl: 'https://ghe.example.com/api/v3',
            token: 'tok',
          },
        ],
      },
    });
    await expect(
      findGitHubIntegration(config, 'https://ghe.example.com/o/r'),
    ).resolves.toEqual({
      host: 'ghe.example.com',
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      token: 'tok',
    });
    await expect(
      findGitHubIntegration(config, 'https://gitlab.example.com/o/r'),
    ).resolves.toBeUndefined();
  });
});
