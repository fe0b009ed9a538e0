import { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';

/** The GitHub REST API version this client speaks. */
export const GITHUB_API_VERSION = '2022-11-28';

/** A pull request that was opened. */
export interface OpenedPullRequest {
  number: number;
  url: string;
}

/** A GitHub API call that failed, with a message saying what to do. */
export class GitHubApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'GitHubApiError';
    this.status = status;
  }
}

/** The few GitHub REST calls the git-revert action uses. */
export class GitHubPullRequestClient {
  private readonly apiBaseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: {
    apiBaseUrl: string;
    token: string;
    fetch?: typeof fetch;
  }) {
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** `GET /repos/{owner}/{repo}` → `default_branch`. */
  async getDefaultBranch(owner: string, repo: string): Promise<string> {
    const body = await this.request(
      'GET',
      `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`,
      undefined,
      `repository ${owner}/${repo}`,
    );
    if (typeof body?.default_branch !== 'string') {
      throw new GitHubApiError(
        `GitHub answered for ${owner}/${repo} without a default_branch`,
        200,
      );
    }
    return body.default_branch;
  }

  /** `POST /repos/{owner}/{repo}/pulls`. */
  async createPullRequest(options: {
    owner: string;
    repo: string;
    title: string;
    head: string;
    base: string;
    body: string;
  }): Promise<OpenedPullRequest> {
    const { owner, repo, title, head, base, body } = options;
    let result: any;
    try {
      result = await this.request(
        'POST',
        `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/pulls`,
        { title, head, base, body },
        `a pull request from ${head} into ${base} on ${owner}/${repo}`,
      );
    } catch (e) {
      if (
        e instanceof GitHubApiError &&
        e.status === 422 &&
        /already exists/i.test(e.message)
      ) {
        throw new GitHubApiError(
          `A pull request for branch ${head} into ${base} on ${owner}/${repo} already exists (GitHub answered 422); the branch is pushed, use the open pull request`,
          422,
        );
      }
      throw e;
    }
    if (typeof result?.html_url !== 'string') {
      throw new GitHubApiError(
        `GitHub created a pull request on ${owner}/${repo} but returned no html_url`,
        201,
      );
    }
    return { number: Number(result.number), url: result.html_url };
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    what: string,
  ): Promise<any> {
    const url = `${this.apiBaseUrl}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': GITHUB_API_VERSION,
          'User-Agent': 'backstage-ops-rollback',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new GitHubApiError(
        `Could not reach the GitHub API at ${
          this.apiBaseUrl
        } for ${what}: ${this.scrub(String((e as Error)?.message ?? e))}`,
        0,
      );
    }
    const text = await response.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed;

    const apiMessage = this.scrub(
      [
        parsed?.message,
        ...(Array.isArray(parsed?.errors)
          ? parsed.errors.map((e: any) => e?.message ?? e?.code).filter(Boolean)
          : []),
      ]
        .filter(Boolean)
        .join('; ') || text.slice(0, 300),
    );
    switch (response.status) {
      case 401:
        throw new GitHubApiError(
          `GitHub rejected the integration token (401) for ${what}: check integrations.github token for this host (${apiMessage})`,
          401,
        );
      case 403:
        throw new GitHubApiError(
          `GitHub refused ${what} (403): the token lacks permission (pull requests: write, contents: write) or a rate limit was hit (${apiMessage})`,
          403,
        );
      case 404:
        throw new GitHubApiError(
          `GitHub found no ${what} (404): the repository does not exist or the token cannot see it (${apiMessage})`,
          404,
        );
      case 422: {
        throw new GitHubApiError(
          `GitHub could not process ${what} (422): ${apiMessage}`,
          422,
        );
      }
      default:
        throw new GitHubApiError(
          `GitHub answered ${response.status} for ${what}: ${apiMessage}`,
          response.status,
        );
    }
  }

  private scrub(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }
}

/** The GitHub integration configured for a host, with its credentials. */
export interface GitHubTarget {
  host: string;
  apiBaseUrl: string;
  token?: string;
}

/**
 * Looks up the GitHub integration (`integrations.github[]`) for a repository
 * URL and the token for it (a personal token, or a GitHub App installation
 * token when apps are configured). Undefined when no GitHub integration has
 * that host.
 */
export async function findGitHubIntegration(
  config: Config,
  repositoryUrl: string,
): Promise<GitHubTarget | undefined> {
  const integrations = ScmIntegrations.fromConfig(config);
  const integration = integrations.github.byUrl(repositoryUrl);
  if (!integration) return undefined;
  const { host, apiBaseUrl } = integration.config;
  if (!apiBaseUrl) return undefined;
  const provider =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const credentials = await provider.getCredentials({ url: repositoryUrl });
  return { host, apiBaseUrl, token: credentials.token };
}
