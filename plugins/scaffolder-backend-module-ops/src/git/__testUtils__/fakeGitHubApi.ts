import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the fake GitHub API received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/**
 * A local HTTP server speaking the two GitHub REST calls the rollback uses:
 * `GET /repos/{owner}/{repo}` and `POST /repos/{owner}/{repo}/pulls`, under
 * the `/api/v3` prefix of GitHub Enterprise Server.
 */
export async function startFakeGitHubApi(options: {
  token: string;
  repos: Record<string, { default_branch: string }>;
  /** Branches (`head`) that already have an open pull request; '*' for all. */
  openPullRequestHeads?: string[] | '*';
}) {
  const requests: RecordedRequest[] = [];
  const all = options.openPullRequestHeads === '*';
  const open = new Set(all ? [] : options.openPullRequestHeads ?? []);
  let next = 1;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? JSON.parse(raw) : undefined;
      const path = req.url ?? '/';
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
      });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        send(401, { message: 'Bad credentials', status: '401' });
        return;
      }
      const match = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)(\/pulls)?$/.exec(path);
      const repo = match && options.repos[`${match[1]}/${match[2]}`];
      if (!match || !repo) {
        send(404, { message: 'Not Found', status: '404' });
        return;
      }
      if (!match[3] && req.method === 'GET') {
        send(200, { full_name: `${match[1]}/${match[2]}`, ...repo });
        return;
      }
      if (match[3] && req.method === 'POST') {
        if (!body?.title || !body?.head || !body?.base) {
          send(422, {
            message: 'Validation Failed',
            errors: [{ code: 'missing_field' }],
          });
          return;
        }
        if (all || open.has(body.head)) {
          send(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${match[1]}:${body.head}.`,
              },
            ],
            status: '422',
          });
          return;
        }
        open.add(body.head);
        const number = next++;
        send(201, {
          number,
          html_url: `https://github.com/${match[1]}/${match[2]}/pull/${number}`,
          head: { ref: body.head },
          base: { ref: body.base },
        });
        return;
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}/api/v3`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
