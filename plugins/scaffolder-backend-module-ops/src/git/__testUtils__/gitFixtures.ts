import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const FIXTURE_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  LANG: 'C',
};

/** Runs git for a fixture (never the code under test). */
export function fixtureGit(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: FIXTURE_ENV, encoding: 'utf8' });
}

export interface FixtureCommit {
  message: string;
  files: Record<string, string>;
}

/** A bare repository (branch main) in a temp folder, with commits. */
export interface BareRepoFixture {
  root: string;
  bare: string;
  url: string;
  /** SHAs in the order the commits were made (oldest first). */
  shas: string[];
  git(args: string[]): string;
  /** Branch names in the bare repository. */
  branches(): string[];
  cleanup(): void;
}

export function createBareRepo(commits: FixtureCommit[]): BareRepoFixture {
  const root = mkdtempSync(join(tmpdir(), 'ops-git-fixture-'));
  const bare = join(root, 'o', 'r.git');
  const work = join(root, 'work');
  mkdirSync(bare, { recursive: true });
  mkdirSync(work);
  fixtureGit(bare, ['init', '--quiet', '--bare', '--initial-branch=main']);
  fixtureGit(work, ['init', '--quiet', '--initial-branch=main']);
  const shas: string[] = [];
  for (const commit of commits) {
    for (const [file, content] of Object.entries(commit.files)) {
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, file), content);
    }
    fixtureGit(work, ['add', '-A']);
    fixtureGit(work, ['commit', '--quiet', '-m', commit.message]);
    shas.push(fixtureGit(work, ['rev-parse', 'HEAD']).trim());
  }
  fixtureGit(work, ['push', '--quiet', bare, 'main']);
  return {
    root,
    bare,
    url: `file://${bare}`,
    shas,
    git: args => fixtureGit(bare, args),
    branches: () =>
      fixtureGit(bare, [
        'for-each-ref',
        '--format=%(refname:short)',
        'refs/heads',
      ])
        .split('\n')
        .filter(Boolean),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Numbered lines; used to make independent and conflicting edits. */
export function lines(values: string[]): string {
  return `${values.join('\n')}\n`;
}

/**
 * A smart-HTTP git server (git http-backend) over a folder of bare
 * repositories that demands one Authorization header, recording what it got.
 */
export async function startAuthenticatedGitHttpServer(options: {
  projectRoot: string;
  expectedAuthorization: string;
}): Promise<{
  url: string;
  seenAuthorizations: Array<string | undefined>;
  close(): Promise<void>;
}> {
  const seenAuthorizations: Array<string | undefined> = [];
  const backend = join(
    execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(),
    'git-http-backend',
  );
  const server: Server = createServer((req: IncomingMessage, res) => {
    seenAuthorizations.push(req.headers.authorization);
    if (req.headers.authorization !== options.expectedAuthorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn(backend, [], {
      env: {
        ...FIXTURE_ENV,
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.receivepack',
        GIT_CONFIG_VALUE_0: 'true',
        REMOTE_USER: 'tester',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
    });
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', d => chunks.push(d));
    child.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('utf8');
      const body = all.subarray(split + 4);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seenAuthorizations,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
