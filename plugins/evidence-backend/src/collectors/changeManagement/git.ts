import { spawn } from 'node:child_process';

/** How one git command runs. */
export interface GitRunOptions {
  /** The repository (work tree or bare git directory) to run in. */
  cwd?: string;
  /** Aborting kills the git process. */
  signal?: AbortSignal;
  /** Added to the process environment (e.g. `GNUPGHOME`). */
  env?: Record<string, string>;
  /** `-c key=value` settings placed before the subcommand. */
  config?: Record<string, string>;
  /** Exit codes besides 0 that are answers rather than failures. */
  okExitCodes?: number[];
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A git command that failed; the message carries git's own words. */
export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const said = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
    super(
      `git ${args[0]} failed (exit ${exitCode ?? 'signal'})${
        said ? `: ${said}` : ''
      }`,
    );
    this.name = 'GitCommandError';
  }
}

const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** How long a process group gets to end after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/**
 * Runs the real `git` with an argument list (never through a shell). Prompts
 * are off, output is in the C locale, and `log.showSignature` cannot leak
 * gpg's chatter into formatted output. Callers put `--end-of-options` (or
 * `--`) before anything that came from configuration.
 *
 * git runs in its own process group: on abort the whole group is killed (git
 * and what it started: transport helpers, ssh, gpg), and the promise settles
 * once they are gone.
 */
export function runGit(
  args: string[],
  options: GitRunOptions = {},
): Promise<GitResult> {
  const configArgs = Object.entries({
    'log.showSignature': 'false',
    ...options.config,
  }).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const env = {
    ...process.env,
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    LC_ALL: 'C',
  };
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn('git', [...configArgs, ...args], {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let failure: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (how: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, how);
      } catch {
        // already gone
      }
    };
    const stop = (reason: Error) => {
      if (failure) return;
      failure = reason;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const onAbort = () => stop(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const take = (chunks: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        stop(
          new Error(`git ${args[0]} wrote more than ${MAX_OUTPUT_BYTES} bytes`),
        );
      } else chunks.push(chunk);
    };
    child.stdout.on('data', take(stdout));
    child.stderr.on('data', take(stderr));
    child.on('error', error => {
      failure ??= new Error(`could not run git: ${error.message}`);
    });
    child.on('close', code => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (failure) {
        reject(failure);
        return;
      }
      const result = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? -1,
      };
      if (
        code === 0 ||
        (code !== null && options.okExitCodes?.includes(code))
      ) {
        resolve(result);
      } else {
        reject(new GitCommandError(args, code, result.stderr));
      }
    });
  });
}
