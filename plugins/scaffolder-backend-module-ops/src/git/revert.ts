import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitCommandError, GitIdentity, GitRunner } from './gitCli';

/** A commit that was (or would be) reverted. */
export interface RevertedCommit {
  sha: string;
  subject: string;
  /** True when a merge commit was reverted against its first parent (`-m 1`). */
  merge: boolean;
}

/** What to revert and where to push it. */
export interface RevertCommitsOptions {
  /** Clone URL (https://, ssh, file://). Must not carry credentials. */
  repoUrl: string;
  /** Commits to revert (full or abbreviated SHAs); reverted newest first. */
  commits?: string[];
  /** Or: the last N commits on the default branch (first-parent history). */
  lastCommits?: number;
  /** Branch to revert on; defaults to the remote's default branch. */
  baseBranch?: string;
  author: GitIdentity;
  committer?: GitIdentity;
  /** Token for an https remote (sent as an Authorization header only). */
  token?: string;
  tokenUsername?: string;
  /** Extra git configuration, e.g. `url.<mirror>.insteadOf`. */
  extraConfig?: Record<string, string>;
  extraEnv?: Record<string, string>;
  /** Unique part of the branch name; defaults to a UTC timestamp. */
  branchId?: string;
  /** Perform the reverts locally but push nothing. */
  dryRun?: boolean;
  /** Progress messages (never contain the token). */
  log?: (message: string) => void;
  /** Parent folder for the temporary clone. */
  tempDir?: string;
}

/** The outcome of {@link revertCommits}. */
export interface RevertCommitsResult {
  branch: string;
  baseBranch: string;
  /** Reverted commits, in the order they were reverted (newest first). */
  revertedCommits: RevertedCommit[];
  /** The tip of the rollback branch. */
  headSha: string;
  pushed: boolean;
}

/** A revert that conflicted; nothing was pushed. */
export class RevertConflictError extends Error {
  readonly commit: string;
  readonly files: string[];
  constructor(commit: string, subject: string, files: string[]) {
    super(
      `Reverting commit ${commit} ("${subject}") conflicts in ${
        files.length ? files.join(', ') : 'the working tree'
      }; the revert was aborted and nothing was pushed`,
    );
    this.name = 'RevertConflictError';
    this.commit = commit;
    this.files = files;
  }
}

/** The input cannot be reverted (unknown commit, not on the branch, ...). */
export class RevertInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevertInputError';
  }
}

const SHA_PATTERN = /^[0-9a-f]{4,40}$/i;
const INITIAL_DEPTH = 50;

function utcStamp(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Origin (`https://host/`) of an http(s) URL, or undefined for other schemes. */
export function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      return undefined;
    }
    return `${parsed.protocol}//${parsed.host}/`;
  } catch {
    return undefined;
  }
}

function assertNoUrlCredentials(url: string) {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      throw new RevertInputError(
        'The repository URL must not contain credentials; configure a token in the integration instead',
      );
    }
  } catch (e) {
    if (e instanceof RevertInputError) throw e;
    // scp-like ssh addresses (git@host:o/r) are not URLs; fine.
  }
}

/**
 * Clones `repoUrl` into a temporary folder, reverts the commits on a new
 * branch `rollback/<short-sha>-<id>` and pushes that branch. A conflict aborts
 * the revert and pushes nothing. The temporary folder is always removed.
 */
export async function revertCommits(
  options: RevertCommitsOptions,
): Promise<RevertCommitsResult> {
  const log = options.log ?? (() => {});
  const hasCommits = (options.commits?.length ?? 0) > 0;
  const hasLast = options.lastCommits !== undefined;
  if (hasCommits === hasLast) {
    throw new RevertInputError(
      'Give either commits (a list of SHAs) or lastCommits (a number), not both or neither',
    );
  }
  if (
    hasLast &&
    (!Number.isInteger(options.lastCommits) || options.lastCommits! < 1)
  ) {
    throw new RevertInputError(
      'lastCommits must be a whole number of at least 1',
    );
  }
  for (const sha of options.commits ?? []) {
    if (!SHA_PATTERN.test(sha)) {
      throw new RevertInputError(`"${sha}" is not a commit SHA`);
    }
  }
  assertNoUrlCredentials(options.repoUrl);
  const origin = httpOrigin(options.repoUrl);
  if (options.token && !origin) {
    throw new RevertInputError(
      'A token can only be used with an http(s) repository URL',
    );
  }

  const root = await mkdtemp(join(options.tempDir ?? tmpdir(), 'ops-revert-'));
  const home = join(root, 'home');
  const work = join(root, 'repo');
  try {
    await mkdir(home);
    const git = new GitRunner({
      author: options.author,
      committer: options.committer,
      token: options.token,
      tokenOrigin: options.token ? origin : undefined,
      tokenUsername: options.tokenUsername,
      extraConfig: options.extraConfig,
      extraEnv: options.extraEnv,
      home,
    });

    const depth = hasLast ? options.lastCommits! + 1 : INITIAL_DEPTH;
    const cloneArgs = [
      'clone',
      '--quiet',
      '--no-tags',
      '--single-branch',
      `--depth=${depth}`,
    ];
    if (options.baseBranch) cloneArgs.push('--branch', options.baseBranch);
    cloneArgs.push('--', options.repoUrl, work);
    log(`Cloning ${git.redact(options.repoUrl)} (depth ${depth})`);
    await git.run(cloneArgs, { cwd: root });

    const baseBranch = (
      await git.run(['symbolic-ref', '--short', 'HEAD'], { cwd: work })
    ).stdout.trim();

    let deepened = 0;
    const deepen = async (): Promise<boolean> => {
      const shallow = (
        await git.run(['rev-parse', '--is-shallow-repository'], { cwd: work })
      ).stdout.trim();
      if (shallow !== 'true') return false;
      deepened += 1;
      // A few steps of more history, then all of it.
      const how = deepened <= 2 ? '--deepen=500' : '--unshallow';
      log(`Fetching more history (${how})`);
      await git.run(['fetch', '--quiet', '--no-tags', how, 'origin'], {
        cwd: work,
      });
      return true;
    };

    // Resolve the commits, newest first, with enough history to revert them.
    let targets: string[];
    if (hasLast) {
      const list = (
        await git.run(
          [
            'rev-list',
            '--first-parent',
            `--max-count=${options.lastCommits}`,
            'HEAD',
          ],
          { cwd: work },
        )
      ).stdout
        .split('\n')
        .filter(Boolean);
      if (list.length < options.lastCommits!) {
        throw new RevertInputError(
          `${baseBranch} has only ${list.length} commit(s); cannot revert the last ${options.lastCommits}`,
        );
      }
      targets = list;
    } else {
      targets = [];
      for (const given of options.commits!) {
        for (;;) {
          const resolved = await git.run(
            ['rev-parse', '--verify', '--quiet', `${given}^{commit}`],
            { cwd: work, allowFailure: true },
          );
          const sha = resolved.stdout.trim();
          const onBranch =
            resolved.exitCode === 0 &&
            (
              await git.run(['merge-base', '--is-ancestor', sha, 'HEAD'], {
                cwd: work,
                allowFailure: true,
              })
            ).exitCode === 0;
          const hasParent =
            onBranch &&
            (
              await git.run(['rev-parse', '--verify', '--quiet', `${sha}^1`], {
                cwd: work,
                allowFailure: true,
              })
            ).exitCode === 0;
          if (onBranch && hasParent) {
            targets.push(sha);
            break;
          }
          if (!(await deepen())) {
            if (onBranch) {
              targets.push(sha); // a root commit; git reverts it against the empty tree
              break;
            }
            throw new RevertInputError(
              `Commit ${given} is not on ${baseBranch} of the repository`,
            );
          }
        }
      }
      // Newest first, so later changes are undone before the ones they build on.
      const order = (await git.run(['rev-list', 'HEAD'], { cwd: work })).stdout
        .split('\n')
        .filter(Boolean);
      targets = [...new Set(targets)].sort(
        (a, b) => order.indexOf(a) - order.indexOf(b),
      );
    }

    const reverted: RevertedCommit[] = [];
    const branch = `rollback/${targets[0].slice(0, 7)}-${
      options.branchId ?? utcStamp()
    }`;
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..')) {
      throw new RevertInputError(`"${branch}" is not a usable branch name`);
    }
    await git.run(['checkout', '--quiet', '-b', branch], { cwd: work });

    for (const sha of targets) {
      const info = (
        await git.run(['show', '-s', '--format=%P%n%s', sha], { cwd: work })
      ).stdout.split('\n');
      const parents = info[0].split(' ').filter(Boolean);
      const subject = info[1] ?? '';
      const merge = parents.length > 1;
      log(
        `Reverting ${sha.slice(0, 12)} ${subject}${
          merge ? ' (merge, -m 1)' : ''
        }`,
      );
      const args = ['revert', '--no-edit'];
      if (merge) args.push('-m', '1');
      args.push(sha);
      const result = await git.run(args, { cwd: work, allowFailure: true });
      if (result.exitCode !== 0) {
        const conflicted = (
          await git.run(['diff', '--name-only', '--diff-filter=U'], {
            cwd: work,
            allowFailure: true,
          })
        ).stdout
          .split('\n')
          .filter(Boolean);
        await git.run(['revert', '--abort'], { cwd: work, allowFailure: true });
        if (conflicted.length > 0) {
          throw new RevertConflictError(sha, subject, conflicted);
        }
        throw new GitCommandError(
          `Reverting commit ${sha} ("${subject}") failed; nothing was pushed: ${(
            result.stderr || result.stdout
          ).trim()}`,
          result.exitCode,
          result.stderr,
        );
      }
      reverted.push({ sha, subject, merge });
    }

    const headSha = (
      await git.run(['rev-parse', 'HEAD'], { cwd: work })
    ).stdout.trim();

    if (options.dryRun) {
      log(`Dry run: would push ${branch} with ${reverted.length} revert(s)`);
      return {
        branch,
        baseBranch,
        revertedCommits: reverted,
        headSha,
        pushed: false,
      };
    }

    log(`Pushing ${branch}`);
    await git.run(
      ['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`],
      { cwd: work },
    );
    return {
      branch,
      baseBranch,
      revertedCommits: reverted,
      headSha,
      pushed: true,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
