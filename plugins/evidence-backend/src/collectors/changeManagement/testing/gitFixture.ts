/**
 * Test helpers: real git repositories built step by step, with chosen
 * authors, committers and dates, hermetic from the machine's git config.
 * Only tests import this file.
 */
import { execFile } from 'node:child_process';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Who {
  name: string;
  email: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program with an argument list; rejects with its stderr on failure. */
export function run(
  program: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      args,
      { cwd: options.cwd, env: options.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${program} ${args.join(' ')} failed: ${stderr || error}`,
            ),
          );
        } else resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A scratch directory, removed by `cleanup`. */
export async function scratchDir(prefix: string) {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

/** A repository under construction. */
export class GitFixture {
  private constructor(
    readonly dir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  /** `git init` in `dir` with branch `main`, ignoring global and system config. */
  static async init(
    dir: string,
    options: { bare?: boolean; env?: NodeJS.ProcessEnv } = {},
  ): Promise<GitFixture> {
    const globalConfig = `${dir}.gitconfig`;
    await writeFile(globalConfig, '');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_CONFIG_GLOBAL: globalConfig,
      GIT_CONFIG_NOSYSTEM: '1',
      ...options.env,
    };
    await run(
      'git',
      [
        'init',
        '--quiet',
        '-b',
        'main',
        ...(options.bare ? ['--bare'] : []),
        dir,
      ],
      { env },
    );
    return new GitFixture(dir, env);
  }

  /** An existing work tree, with the same hermetic config. */
  static async open(dir: string): Promise<GitFixture> {
    const globalConfig = `${dir}.gitconfig`;
    await writeFile(globalConfig, '');
    return new GitFixture(dir, {
      ...process.env,
      GIT_CONFIG_GLOBAL: globalConfig,
      GIT_CONFIG_NOSYSTEM: '1',
    });
  }

  git(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
    return run('git', args, {
      cwd: this.dir,
      env: { ...this.baseEnv, ...env },
    });
  }

  /** Env that makes `who` author and committer at `date` (ISO 8601). */
  static as(who: Who, date: string, committer: Who = who): NodeJS.ProcessEnv {
    return {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: date,
    };
  }

  /** Appends a line to a file and commits it; returns the new commit. */
  async commit(
    message: string,
    who: Who,
    date: string,
    options: { sign?: string[]; committer?: Who; file?: string } = {},
  ): Promise<string> {
    const file = options.file ?? 'CHANGES.txt';
    await appendFile(join(this.dir, file), `${message}\n`);
    await this.git(['add', file]);
    await this.git(
      ['commit', '--quiet', ...(options.sign ?? []), '-m', message],
      GitFixture.as(who, date, options.committer),
    );
    return this.head();
  }

  async merge(
    branch: string,
    message: string,
    who: Who,
    date: string,
  ): Promise<string> {
    await this.git(
      ['merge', '--quiet', '--no-ff', '-m', message, branch],
      GitFixture.as(who, date),
    );
    return this.head();
  }

  async head(): Promise<string> {
    return (await this.git(['rev-parse', 'HEAD'])).stdout.trim();
  }
}

/**
 * A throwaway gpg key in its own GNUPGHOME (batch, no passphrase), or
 * undefined when gpg is not installed. `stop` ends its agent.
 */
export async function throwawayGpgKey(home: string): Promise<
  | {
      home: string;
      fingerprint: string;
      stop(): Promise<void>;
    }
  | undefined
> {
  const env = { ...process.env, GNUPGHOME: home };
  await mkdir(home, { recursive: true, mode: 0o700 });
  try {
    await run('gpg', ['--version'], { env });
  } catch {
    return undefined;
  }
  await run(
    'gpg',
    [
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--quick-generate-key',
      'Release Signer <signer@example.test>',
      'ed25519',
      'sign',
      'never',
    ],
    { env },
  );
  const { stdout } = await run(
    'gpg',
    ['--batch', '--with-colons', '--list-secret-keys'],
    { env },
  );
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(stdout)?.[1];
  if (!fingerprint) throw new Error('gpg made no key');
  return {
    home,
    fingerprint,
    stop: async () => {
      await run('gpgconf', ['--kill', 'all'], { env }).catch(() => undefined);
    },
  };
}

/** An ssh signing key and an allowed-signers file naming it. */
export async function throwawaySshKey(dir: string, principal: string) {
  const key = join(dir, 'signing_key');
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    principal,
    '-f',
    key,
  ]);
  const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
  const allowedSigners = join(dir, 'allowed_signers');
  await writeFile(allowedSigners, `${principal} ${publicKey}\n`);
  return { key, allowedSigners };
}
