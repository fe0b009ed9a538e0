import { spawn } from 'node:child_process';

/** Who authors and commits the reverts. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Options for running git with a controlled environment. */
export interface GitEnvironmentOptions {
  /** Author of new commits. */
  author: GitIdentity;
  /** Committer of new commits; defaults to the author. */
  committer?: GitIdentity;
  /**
   * A token for an http(s) remote. It reaches git only through
   * `GIT_CONFIG_*` environment variables as an `http.<origin>.extraHeader`
   * scoped to `tokenOrigin`: never on the command line, never in a config file.
   */
  token?: string;
  /** `https://host/` that the token is for; the header is sent nowhere else. */
  tokenOrigin?: string;
  /** Username paired with the token in the Basic header (GitHub: x-access-token). */
  tokenUsername?: string;
  /**
   * Further git configuration passed the same way (for example
   * `url.<mirror>.insteadOf`). Never written to disk.
   */
  extraConfig?: Record<string, string>;
  /** Additional environment, e.g. GIT_TRACE for diagnostics. */
  extraEnv?: Record<string, string>;
  /** HOME for git; an empty folder so no user configuration is read. */
  home: string;
}

/** A failed git command; its message never contains the secrets it was given. */
export class GitCommandError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(message: string, exitCode: number | null, stderr: string) {
    super(message);
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Strings that must not appear in logs or errors for a given token. */
export function secretVariants(token: string | undefined, username?: string) {
  if (!token) return [];
  const user = username ?? 'x-access-token';
  return [
    token,
    Buffer.from(`${user}:${token}`).toString('base64'),
    encodeURIComponent(token),
  ].filter(s => s.length > 0);
}

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

/** Builds the complete environment git runs with; nothing is inherited but PATH. */
export function buildGitEnv(
  options: GitEnvironmentOptions,
): Record<string, string> {
  const committer = options.committer ?? options.author;
  const config: Array<[string, string]> = [
    // Never ask for anything and never use a stored credential.
    ['credential.helper', ''],
    ['core.askPass', ''],
    ['advice.detachedHead', 'false'],
    ['init.defaultBranch', 'main'],
    ['protocol.version', '2'],
  ];
  if (options.token) {
    if (!options.tokenOrigin) {
      throw new Error('A git token needs the origin it is for');
    }
    const basic = Buffer.from(
      `${options.tokenUsername ?? 'x-access-token'}:${options.token}`,
    ).toString('base64');
    config.push([
      `http.${options.tokenOrigin}.extraHeader`,
      `Authorization: Basic ${basic}`,
    ]);
  }
  for (const [key, value] of Object.entries(options.extraConfig ?? {})) {
    config.push([key, value]);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
    XDG_CONFIG_HOME: options.home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { ...env, ...options.extraEnv };
}

/** Result of a git command. */
export interface GitResult {
  stdout: string;
  stderr: string;
}

/** Runs git commands in one folder with one environment. */
export class GitRunner {
  private readonly env: Record<string, string>;
  private readonly secrets: string[];

  constructor(options: GitEnvironmentOptions) {
    this.env = buildGitEnv(options);
    this.secrets = secretVariants(options.token, options.tokenUsername);
  }

  /** Removes this runner's secrets from a text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Runs `git <args>` in `cwd`; rejects with a redacted GitCommandError on failure. */
  run(
    args: string[],
    options: { cwd: string; allowFailure?: boolean },
  ): Promise<GitResult & { exitCode: number | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: options.cwd,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', d => out.push(d));
      child.stderr.on('data', d => err.push(d));
      child.on('error', e =>
        reject(
          new GitCommandError(
            `could not run git: ${this.redact(e.message)}`,
            null,
            '',
          ),
        ),
      );
      child.on('close', code => {
        const stdout = this.redact(Buffer.concat(out).toString('utf8'));
        const stderr = this.redact(Buffer.concat(err).toString('utf8'));
        if (code !== 0 && !options.allowFailure) {
          const shown = this.redact(args.join(' '));
          reject(
            new GitCommandError(
              `git ${shown} failed (exit ${code}): ${stderr.trim()}`,
              code,
              stderr,
            ),
          );
          return;
        }
        resolve({ stdout, stderr, exitCode: code });
      });
    });
  }
}
