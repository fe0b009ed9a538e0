/**
 * A local stand-in for the GitHub REST API endpoints the change-management
 * collector reads, speaking their documented shapes: bearer auth, `per_page`
 * and `page` with `Link` headers, `created` ranges on workflow runs, 404 for
 * unknown repositories and the primary rate-limit answer (403 with
 * `x-ratelimit-remaining: 0`). Only tests import this file.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
}

export interface FakePull {
  number: number;
  title: string;
  user: FakeUser;
  state: 'closed' | 'open';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: { ref: string };
}

export interface FakeReview {
  id: number;
  user: FakeUser;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  submitted_at: string;
  commit_id: string;
  body: string;
}

export interface FakeRun {
  id: number;
  name: string;
  event: string;
  status: 'completed' | 'in_progress' | 'queued' | 'waiting';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  head_branch: string;
  head_sha: string;
  created_at: string;
  actor: FakeUser;
  triggering_actor: FakeUser;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  creator: FakeUser;
  created_at: string;
}

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  creator: FakeUser;
  created_at: string;
  log_url: string;
  target_url: string;
}

export interface FakeApproval {
  environments: Array<{ id: number; name: string }>;
  state: 'approved' | 'rejected';
  comment: string;
  user: FakeUser;
}

export interface FakeRepository {
  pulls?: FakePull[];
  reviews?: Record<number, FakeReview[]>;
  runs?: FakeRun[];
  deployments?: FakeDeployment[];
  /** Newest first, as GitHub lists them. */
  statuses?: Record<number, FakeDeploymentStatus[]>;
  approvals?: Record<number, FakeApproval[]>;
  /** Every request about this repository hits the primary rate limit. */
  rateLimited?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FakeGitHub {
  baseUrl: string;
  requests: RecordedRequest[];
  /** When the rate limit lifts, as sent in `x-ratelimit-reset`. */
  rateLimitReset: Date;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: {
  token: string;
  /** The most items a page holds, whatever `per_page` asks. */
  maxPerPage: number;
  repositories: Record<string, FakeRepository>;
}): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const rateLimitReset = new Date('2030-01-01T00:00:00Z');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    });
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname);
    const repo = match && options.repositories[`${match[1]}/${match[2]}`];
    if (req.method !== 'GET' || !match || !repo) {
      notFound(res);
      return;
    }
    if (repo.rateLimited) {
      res.writeHead(403, {
        'Content-Type': 'application/json; charset=utf-8',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(rateLimitReset.getTime() / 1000),
        'x-ratelimit-resource': 'core',
      });
      res.end(
        JSON.stringify({
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        }),
      );
      return;
    }
    const rest = match[3];
    const page = (items: unknown[], wrap?: (items: unknown[]) => unknown) =>
      paginate(res, url, items, options.maxPerPage, wrap);
    const [owner, name] = [match[1], match[2]];
    const byDateDesc = (a: string, b: string) => Date.parse(b) - Date.parse(a);

    const routes: Array<[RegExp, (m: RegExpExecArray) => void]> = [
      [
        /^\/pulls$/,
        () => {
          const state = url.searchParams.get('state') ?? 'open';
          const byUpdate =
            url.searchParams.get('sort') === 'updated' &&
            url.searchParams.get('direction') === 'desc';
          const pulls = (repo.pulls ?? [])
            .filter(p => state === 'all' || p.state === state)
            .sort((a, b) =>
              byUpdate
                ? byDateDesc(a.updated_at, b.updated_at)
                : byDateDesc(a.created_at, b.created_at),
            )
            .map(p => ({
              ...p,
              html_url: `https://github.com/${owner}/${name}/pull/${p.number}`,
            }));
          page(pulls);
        },
      ],
      [
        /^\/pulls\/(\d+)\/reviews$/,
        m => {
          const pull = repo.pulls?.find(p => p.number === Number(m[1]));
          if (!pull) notFound(res);
          else page(repo.reviews?.[pull.number] ?? []);
        },
      ],
      [
        /^\/actions\/runs$/,
        () => {
          const created = url.searchParams.get('created');
          const range = created && /^(.+)\.\.(.+)$/.exec(created);
          const runs = (repo.runs ?? [])
            .filter(
              r =>
                !range ||
                (Date.parse(r.created_at) >= Date.parse(range[1]) &&
                  Date.parse(r.created_at) <= Date.parse(range[2])),
            )
            .sort((a, b) => byDateDesc(a.created_at, b.created_at))
            .map(r => ({
              ...r,
              html_url: `https://github.com/${owner}/${name}/actions/runs/${r.id}`,
            }));
          page(runs, items => ({
            total_count: runs.length,
            workflow_runs: items,
          }));
        },
      ],
      [
        /^\/actions\/runs\/(\d+)\/approvals$/,
        m => {
          const run = repo.runs?.find(r => r.id === Number(m[1]));
          if (!run) notFound(res);
          else json(res, 200, repo.approvals?.[run.id] ?? []);
        },
      ],
      [
        /^\/deployments$/,
        () =>
          page(
            [...(repo.deployments ?? [])].sort((a, b) =>
              byDateDesc(a.created_at, b.created_at),
            ),
          ),
      ],
      [
        /^\/deployments\/(\d+)\/statuses$/,
        m => {
          const deployment = repo.deployments?.find(d => d.id === Number(m[1]));
          if (!deployment) notFound(res);
          else page(repo.statuses?.[deployment.id] ?? []);
        },
      ],
    ];
    for (const [pattern, handle] of routes) {
      const found = pattern.exec(rest);
      if (found) {
        handle(found);
        return;
      }
    }
    notFound(res);
  });

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    rateLimitReset,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One page of `items`, with GitHub's `Link` header when there are others. */
function paginate(
  res: ServerResponse,
  url: URL,
  items: unknown[],
  maxPerPage: number,
  wrap: (items: unknown[]) => unknown = list => list,
) {
  const perPage = Math.min(
    Number(url.searchParams.get('per_page') ?? 30),
    maxPerPage,
  );
  const pageNumber = Number(url.searchParams.get('page') ?? 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const linkTo = (n: number) => {
    const target = new URL(url.toString());
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>`;
  };
  const links: string[] = [];
  if (pageNumber < lastPage) {
    links.push(`${linkTo(pageNumber + 1)}; rel="next"`);
    links.push(`${linkTo(lastPage)}; rel="last"`);
  }
  if (pageNumber > 1) {
    links.push(`${linkTo(pageNumber - 1)}; rel="prev"`);
    links.push(`${linkTo(1)}; rel="first"`);
  }
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    ...(links.length ? { Link: links.join(', ') } : {}),
  });
  res.end(
    JSON.stringify(
      wrap(items.slice((pageNumber - 1) * perPage, pageNumber * perPage)),
    ),
  );
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse) {
  json(res, 404, {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
  });
}
