import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostgresConnection } from './types';

/** A PostgreSQL client binary and the version it reports. */
export interface PgTool {
  /** What execFile runs: a bare name (found on PATH) or a path. */
  path: string;
  /** e.g. `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`. */
  version: string;
  major: number;
}

/** The binaries of one restore test; both from the same installation. */
export interface PgTools {
  pgDump: PgTool;
  pgRestore: PgTool;
}

/** Reads the major version out of `pg_dump --version` (or `server_version`). */
export function parsePgMajor(version: string): number | undefined {
  const match = /(?:\(PostgreSQL\)\s*|^)(\d+)(?:\.\d+)?/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** Options of one child process run. */
export interface RunToolOptions {
  signal: AbortSignal;
  /** The password, passed as PGPASSWORD in the child's environment. */
  password?: string;
  onSpawn?(pid: number): void;
}

/**
 * Runs a PostgreSQL client binary with execFile (no shell), the password in
 * PGPASSWORD, `--no-password` semantics left to the caller's arguments.
 * Rejects with an error naming the tool and carrying the end of its stderr;
 * an abort kills the child (SIGTERM) and rejects.
 */
export function runPgTool(
  file: string,
  args: string[],
  options: RunToolOptions,
): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.password !== undefined) env.PGPASSWORD = options.password;
  if (env.PGCONNECT_TIMEOUT === undefined) env.PGCONNECT_TIMEOUT = '15';
  const tool = file.split('/').pop() ?? file;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env,
        signal: options.signal,
        maxBuffer: 16 * 1024 * 1024,
        killSignal: 'SIGTERM',
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new Error(`${tool} not found (${file})`));
        } else if (options.signal.aborted || error.name === 'AbortError') {
          reject(new Error(`${tool} was stopped: the run was aborted`));
        } else {
          const tail = lastLines(String(stderr), 5);
          reject(
            new Error(
              `${tool} failed (exit ${code ?? error.signal ?? '?'})${
                tail ? `: ${tail}` : ''
              }`,
            ),
          );
        }
      },
    );
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
  });
}

/**
 * The last lines of a tool's stderr, without PostgreSQL's DETAIL lines: they
 * may quote row values (e.g. a duplicate key), which stay out of logs.
 */
function lastLines(text: string, count: number): string {
  return text
    .trim()
    .split('\n')
    .filter(line => line.trim() !== '' && !/\bDETAIL:/.test(line))
    .slice(-count)
    .join(' | ');
}

/** The libpq arguments of a connection; never the password. */
export function connectionArgs(connection: PostgresConnection): string[] {
  return [
    '--host',
    connection.host,
    '--port',
    String(connection.port),
    '--username',
    connection.user,
    '--no-password',
  ];
}

async function probe(
  path: string,
  signal: AbortSignal,
): Promise<PgTool | undefined> {
  try {
    const { stdout } = await runPgTool(path, ['--version'], { signal });
    const major = parsePgMajor(stdout);
    return major === undefined
      ? undefined
      : { path, version: stdout.trim(), major };
  } catch {
    return undefined;
  }
}

/** Default places to look beside PATH (Debian keeps every major apart). */
export const DEFAULT_PG_LIB_DIR = '/usr/lib/postgresql';

async function installedBinDirs(libDir: string): Promise<string[]> {
  try {
    const entries = await readdir(libDir);
    return entries
      .filter(entry => /^\d+$/.test(entry))
      .sort((a, b) => Number(a) - Number(b))
      .map(entry => join(libDir, entry, 'bin'));
  } catch {
    return [];
  }
}

/**
 * Finds a `pg_dump` and `pg_restore` pair that can dump a server of major
 * `serverMajor` (pg_dump refuses servers newer than itself): in `binDir`
 * when given; otherwise on PATH or under `/usr/lib/postgresql/<major>/bin`,
 * preferring the server's own major, then the oldest newer one.
 */
export async function findPgTools(options: {
  serverMajor: number;
  binDir?: string;
  libDir?: string;
  signal: AbortSignal;
}): Promise<PgTools> {
  const { serverMajor, signal } = options;
  const dirs = options.binDir
    ? [options.binDir]
    : ['', ...(await installedBinDirs(options.libDir ?? DEFAULT_PG_LIB_DIR))];
  const found: PgTools[] = [];
  for (const dir of dirs) {
    const pgDump = await probe(dir ? join(dir, 'pg_dump') : 'pg_dump', signal);
    if (!pgDump) continue;
    const pgRestore = await probe(
      dir ? join(dir, 'pg_restore') : 'pg_restore',
      signal,
    );
    if (pgRestore && pgRestore.major === pgDump.major) {
      found.push({ pgDump, pgRestore });
      // The server's own major is the best there is: look no further.
      if (pgDump.major === serverMajor) break;
    }
  }
  const usable = found
    .filter(tools => tools.pgDump.major >= serverMajor)
    .sort((a, b) => a.pgDump.major - b.pgDump.major);
  if (usable.length > 0) return usable[0];
  const where = options.binDir
    ? `in ${options.binDir}`
    : `on PATH or under ${options.libDir ?? DEFAULT_PG_LIB_DIR}/*/bin`;
  if (found.length === 0) {
    throw new Error(`pg_dump and pg_restore not found ${where}`);
  }
  const versions = [...new Set(found.map(tools => tools.pgDump.major))].join(
    ', ',
  );
  throw new Error(
    `pg_dump ${versions} ${where} is older than the server (${serverMajor}); install postgresql-client-${serverMajor} or set binDir`,
  );
}
