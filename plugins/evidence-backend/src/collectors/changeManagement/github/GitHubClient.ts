/** Where the GitHub REST API is and the token to read it with. */
export interface GitHubOptions {
  /** e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  baseUrl: string;
  token: string;
}

export const GITHUB_API_VERSION = '2022-11-28';

/** A GitHub answer that was not a success, with what it means for us. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly kind: 'rate-limited' | 'not-found' | 'unauthorized' | 'other',
    message: string,
    /** When a rate limit lifts, if GitHub said. */
    readonly resetAt?: Date,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/**
 * A small reader of the GitHub REST API over plain `fetch`: bearer token,
 * the versioned media type, and `Link: rel="next"` pagination. It only
 * follows links on the API's own origin, so the token goes nowhere else.
 */
export class GitHubClient {
  private readonly base: URL;

  constructor(
    private readonly options: GitHubOptions & { signal?: AbortSignal },
  ) {
    this.base = new URL(`${options.baseUrl.replace(/\/+$/, '')}/`);
  }

  /** One JSON document. */
  async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const { body } = await this.request<T>(this.urlOf(path, query));
    return body;
  }

  /**
   * Pages of a list endpoint, one at a time, following `rel="next"` until
   * there is none or the caller stops iterating. `pick` takes the items out
   * of a page body (default: the body is the array).
   */
  async *pages<T>(
    path: string,
    query: Record<string, string> = {},
    pick: (body: any) => T[] = body => body as T[],
  ): AsyncGenerator<T[]> {
    let url: URL | undefined = this.urlOf(path, { per_page: '100', ...query });
    while (url) {
      const answer: { body: unknown; next: URL | undefined } =
        await this.request<unknown>(url);
      yield pick(answer.body);
      url = answer.next;
    }
  }

  private urlOf(path: string, query: Record<string, string>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [key, value] of Object.entries(query)) {
      url.searchParams.set(key, value);
    }
    return url;
  }

  private async request<T>(
    url: URL,
  ): Promise<{ body: T; next: URL | undefined }> {
    const path = `${url.pathname}${url.search}`;
    const response = await fetch(url, {
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${this.options.token}`,
        'X-GitHub-Api-Version': GITHUB_API_VERSION,
        'User-Agent': 'backstage-evidence-change-management',
      },
      signal: this.options.signal,
    });
    if (!response.ok) throw await errorOf(response, path);
    const body = (await response.json()) as T;
    const nextLink = linkRel(response.headers.get('link'), 'next');
    let next: URL | undefined;
    if (nextLink) {
      next = new URL(nextLink, url);
      if (next.origin !== this.base.origin) {
        throw new GitHubApiError(
          response.status,
          path,
          'other',
          `GitHub pointed the next page at another origin (${next.origin}); not followed`,
        );
      }
    }
    return { body, next };
  }
}

async function errorOf(
  response: Response,
  path: string,
): Promise<GitHubApiError> {
  let message = '';
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body?.message === 'string') message = body.message;
  } catch {
    // not JSON: the status says enough
  }
  const { status, headers } = response;
  const remaining = headers.get('x-ratelimit-remaining');
  const retryAfter = headers.get('retry-after');
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (remaining === '0' ||
        retryAfter !== null ||
        /rate limit/i.test(message)));
  if (rateLimited) {
    const reset = headers.get('x-ratelimit-reset');
    const resetAt = resetTimeOf(retryAfter, reset);
    return new GitHubApiError(
      status,
      path,
      'rate-limited',
      `GitHub rate limit reached (HTTP ${status})${
        resetAt && !Number.isNaN(resetAt.getTime())
          ? `; it lifts at ${resetAt.toISOString()}`
          : ''
      }`,
      resetAt,
    );
  }
  if (status === 404) {
    return new GitHubApiError(
      status,
      path,
      'not-found',
      `GitHub says ${path} does not exist, or the token may not see it (HTTP 404)`,
    );
  }
  if (status === 401 || status === 403) {
    return new GitHubApiError(
      status,
      path,
      'unauthorized',
      `GitHub refused the token for ${path} (HTTP ${status}${
        message ? `: ${message}` : ''
      })`,
    );
  }
  return new GitHubApiError(
    status,
    path,
    'other',
    `GitHub answered HTTP ${status} for ${path}${
      message ? `: ${message}` : ''
    }`,
  );
}

/** When a rate limit lifts: `retry-after` seconds, else `x-ratelimit-reset`. */
function resetTimeOf(
  retryAfter: string | null,
  reset: string | null,
): Date | undefined {
  if (retryAfter) return new Date(Date.now() + Number(retryAfter) * 1000);
  if (reset) return new Date(Number(reset) * 1000);
  return undefined;
}

/** The target of the link with relation `rel` in a `Link` header (RFC 8288). */
export function linkRel(
  header: string | null,
  rel: string,
): string | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const params = match[2];
    const relParam = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (relParam?.[1] ?? relParam?.[2] ?? '').split(/\s+/);
    if (rels.includes(rel)) return match[1];
  }
  return undefined;
}
