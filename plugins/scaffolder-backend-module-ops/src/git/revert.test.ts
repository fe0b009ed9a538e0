import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BareRepoFixture,
  createBareRepo,
  fixtureGit,
  lines,
  startAuthenticatedGitHttpServer,
} from './__testUtils__/gitFixtures';
import { GitRunner } from './gitCli';
import { revertCommits, RevertConflictError } from './revert';

const author = { name: 'On Call', email: 'oncall@example.com' };
const committer = { name: 'Scaffolder', email: 'scaffolder@example.com' };

// Real git processes; slower than unit tests, especially in parallel.
jest.setTimeout(60_000);

describe('revertCommits (real git against a local bare repository)', () => {
  let repo: BareRepoFixture;
  let temp: string;

  beforeEach(() => {
    // app.txt has 5 lines; commits touch separate lines so reverts are independent.
    repo = createBareRepo([
      {
        message: 'initial',
        files: { 'app.txt': lines(['a', 'b', 'c', 'd', 'e']) },
      },
      {
        message: 'change line 1',
        files: { 'app.txt': lines(['A', 'b', 'c', 'd', 'e']) },
      },
      { message: 'add config', files: { 'config.yaml': 'replicas: 2\n' } },
      {
        message: 'change line 5',
        files: { 'app.txt': lines(['A', 'b', 'c', 'd', 'E']) },
      },
      { message: 'bump replicas', files: { 'config.yaml': 'replicas: 5\n' } },
    ]);
    temp = mkdtempSync(join(tmpdir(), 'ops-revert-test-'));
  });

  afterEach(() => {
    repo.cleanup();
    rmSync(temp, { recursive: true, force: true });
  });

  it('reverts the last commit on a new branch and pushes it', async () => {
    const result = await revertCommits({
      repoUrl: repo.url,
      lastCommits: 1,
      author,
      committer,
      branchId: 't1',
      tempDir: temp,
    });
    const last = repo.shas[4];
    expect(result).toMatchObject({
      branch: `rollback/${last.slice(0, 7)}-t1`,
      baseBranch: 'main',
      pushed: true,
      revertedCommits: [{ sha: last, subject: 'bump replicas', merge: false }],
    });
    expect(repo.branches()).toContain(result.branch);
    expect(repo.git(['show', `${result.branch}:config.yaml`])).toBe(
      'replicas: 2\n',
    );
    expect(repo.git(['rev-parse', result.branch]).trim()).toBe(result.headSha);
    expect(
      repo
        .git(['log', '-1', '--format=%s|%an|%ae|%cn|%ce', result.branch])
        .trim(),
    ).toBe(
      'Revert "bump replicas"|On Call|oncall@example.com|Scaffolder|scaffolder@example.com',
    );
    expect(repo.git(['rev-parse', `${result.branch}^`]).trim()).toBe(last);
    // main untouched, temp folder removed
    expect(repo.git(['rev-parse', 'main']).trim()).toBe(last);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('reverts the given commits, newest first, whatever order they are given in', async () => {
    const [, line1, , line5] = repo.shas;
    const result = await revertCommits({
      repoUrl: repo.url,
      commits: [line1.slice(0, 10), line5],
      author,
      tempDir: temp,
    });
    expect(result.revertedCommits.map(c => c.sha)).toEqual([line5, line1]);
    expect(result.branch).toMatch(
      new RegExp(`^rollback/${line5.slice(0, 7)}-\\d{8}T\\d{6}Z$`),
    );
    expect(repo.git(['show', `${result.branch}:app.txt`])).toBe(
      lines(['a', 'b', 'c', 'd', 'e']),
    );
    expect(repo.git(['show', `${result.branch}:config.yaml`])).toBe(
      'replicas: 5\n',
    );
    expect(
      repo
        .git(['log', '--format=%s', `main..${result.branch}`])
        .trim()
        .split('\n'),
    ).toEqual(['Revert "change line 1"', 'Revert "change line 5"']);
  });

  it('reverts the last N commits', async () => {
    const result = await revertCommits({
      repoUrl: repo.url,
      lastCommits: 2,
      author,
      tempDir: temp,
    });
    expect(result.revertedCommits.map(c => c.subject)).toEqual([
      'bump replicas',
      'change line 5',
    ]);
    expect(repo.git(['show', `${result.branch}:app.txt`])).toBe(
      lines(['A', 'b', 'c', 'd', 'e']),
    );
  });

  it('fails cleanly on a conflict, names the commit and files, and pushes nothing', async () => {
    const extra = createBareRepo([
      { message: 'initial', files: { 'app.txt': lines(['a', 'b']) } },
      { message: 'feature', files: { 'app.txt': lines(['feature', 'b']) } },
      {
        message: 'tweak feature',
        files: { 'app.txt': lines(['feature v2', 'b']) },
      },
    ]);
    try {
      const feature = extra.shas[1];
      const error = await revertCommits({
        repoUrl: extra.url,
        commits: [feature],
        author,
        tempDir: temp,
      }).catch(e => e);
      expect(error).toBeInstanceOf(RevertConflictError);
      expect(error.message).toContain(feature);
      expect(error.message).toContain('"feature"');
      expect(error.message).toContain('app.txt');
      expect(error.message).toContain('nothing was pushed');
      expect(error.files).toEqual(['app.txt']);
      expect(extra.branches()).toEqual(['main']);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      extra.cleanup();
    }
  });

  it('in a dry run performs the reverts locally and pushes nothing', async () => {
    const result = await revertCommits({
      repoUrl: repo.url,
      lastCommits: 1,
      author,
      dryRun: true,
      tempDir: temp,
    });
    expect(result.pushed).toBe(false);
    expect(result.revertedCommits).toHaveLength(1);
    expect(repo.branches()).toEqual(['main']);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('rejects a commit that is not on the default branch and bad input', async () => {
    await expect(
      revertCommits({
        repoUrl: repo.url,
        commits: ['deadbeef'],
        author,
        tempDir: temp,
      }),
    ).rejects.toThrow('Commit deadbeef is not on main of the repository');
    await expect(
      revertCommits({ repoUrl: repo.url, author, tempDir: temp }),
    ).rejects.toThrow('either commits');
    await expect(
      revertCommits({
        repoUrl: repo.url,
        lastCommits: 9,
        author,
        tempDir: temp,
      }),
    ).rejects.toThrow('main has only 5 commit(s)');
    await expect(
      revertCommits({
        repoUrl: repo.url,
        commits: ['main; rm'],
        author,
        tempDir: temp,
      }),
    ).rejects.toThrow('is not a commit SHA');
    await expect(
      revertCommits({
        repoUrl: 'https://user:secret@github.com/o/r.git',
        lastCommits: 1,
        author,
        tempDir: temp,
      }),
    ).rejects.toThrow('must not contain credentials');
    expect(repo.branches()).toEqual(['main']);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('fetches more history for a commit older than the shallow clone', async () => {
    const long = createBareRepo([
      { message: 'initial', files: { 'a.txt': 'a\n' } },
      { message: 'old change', files: { 'old.txt': 'old\n' } },
      ...Array.from({ length: 60 }, (_, i) => ({
        message: `change ${i}`,
        files: { 'counter.txt': `${i}\n` },
      })),
    ]);
    try {
      const old = long.shas[1];
      const logs: string[] = [];
      const result = await revertCommits({
        repoUrl: long.url,
        commits: [old],
        author,
        tempDir: temp,
        log: m => logs.push(m),
      });
      expect(result.revertedCommits.map(c => c.sha)).toEqual([old]);
      expect(logs.some(l => l.startsWith('Fetching more history'))).toBe(true);
      expect(
        long.git(['ls-tree', '--name-only', result.branch]).split('\n'),
      ).not.toContain('old.txt');
    } finally {
      long.cleanup();
    }
  });
});

describe('token handling', () => {
  const token = 'ghs_s3cretT0kenValue';
  const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString(
    'base64',
  )}`;

  it('sends the token only as a header, never into .git/config, traces or errors', async () => {
    const repo = createBareRepo([
      { message: 'initial', files: { 'a.txt': 'a\n' } },
      { message: 'bad deploy', files: { 'a.txt': 'b\n' } },
    ]);
    const temp = mkdtempSync(join(tmpdir(), 'ops-revert-test-'));
    const server = await startAuthenticatedGitHttpServer({
      projectRoot: repo.root,
      expectedAuthorization: basic,
    });
    const trace = join(temp, 'trace.txt');
    const configs: string[] = [];
    try {
      const result = await revertCommits({
        repoUrl: `${server.url}/o/r.git`,
        lastCommits: 1,
        author,
        token,
        tempDir: temp,
        extraEnv: {
          GIT_TRACE: trace,
          GIT_TRACE_CURL: trace,
          GIT_TRACE_PACKET: trace,
        },
        log: message => {
          if (message.startsWith('Pushing')) {
            const dir = readdirSync(temp).find(d =>
              d.startsWith('ops-revert-'),
            )!;
            configs.push(
              readFileSync(join(temp, dir, 'repo', '.git', 'config'), 'utf8'),
            );
          }
        },
      });
      // the authenticated server accepted the clone and the push
      expect(repo.branches()).toContain(result.branch);
      expect(server.seenAuthorizations.length).toBeGreaterThan(0);
      expect(server.seenAuthorizations.every(a => a === basic)).toBe(true);
      expect(configs).toHaveLength(1);
      expect(configs[0]).toContain(`${server.url}/o/r.git`);
      expect(configs[0]).not.toContain(token);
      expect(configs[0]).not.toMatch(/extraheader|Authorization/i);
      const traced = readFileSync(trace, 'utf8');
      expect(traced.length).toBeGreaterThan(0);
      expect(traced).not.toContain(token);
      expect(traced).not.toContain(basic.slice('Basic '.length));

      // a rejected token: the error says why and carries no secret
      const wrong = 'ghs_wrongTokenValue';
      const error = await revertCommits({
        repoUrl: `${server.url}/o/r.git`,
        lastCommits: 1,
        author,
        token: wrong,
        tempDir: temp,
      }).catch(e => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/clone/);
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(
        Buffer.from(`x-access-token:${wrong}`).toString('base64'),
      );
      expect(
        readdirSync(temp).filter(d => d.startsWith('ops-revert-')),
      ).toEqual([]);
    } finally {
      await server.close();
      repo.cleanup();
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('scopes the header to the token origin and keeps it off the command line', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'ops-revert-test-'));
    try {
      const git = new GitRunner({
        author,
        token,
        tokenOrigin: 'https://github.example.com/',
        home: temp,
      });
      fixtureGit(temp, ['init', '--quiet', 'r']);
      const cwd = join(temp, 'r');
      const forHost = await git.run(
        [
          'config',
          '--get-urlmatch',
          'http.extraHeader',
          'https://github.example.com/o/r.git',
        ],
        { cwd },
      );
      expect(forHost.stdout.trim()).toBe('Authorization: Basic ***');
      const other = await git.run(
        [
          'config',
          '--get-urlmatch',
          'http.extraHeader',
          'https://evil.example.com/o/r.git',
        ],
        { cwd, allowFailure: true },
      );
      expect(other.exitCode).toBe(1);
      expect(readFileSync(join(cwd, '.git', 'config'), 'utf8')).not.toContain(
        token,
      );
      // an error message echoing the secret is redacted
      writeFileSync(join(cwd, 'x'), '');
      const error = await git
        .run(['rev-parse', '--verify', token], { cwd })
        .catch(e => e);
      expect(error.message).toContain('***');
      expect(error.message).not.toContain(token);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
