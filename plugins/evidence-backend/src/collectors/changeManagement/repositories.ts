import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit, type GitRunOptions } from './git';
import type { RepositoryLocation } from './locations';

/** The refs a cached clone keeps: branches, tags and deploy refs. */
export const FETCH_REFSPECS = [
  '+refs/heads/*:refs/heads/*',
  '+refs/tags/*:refs/tags/*',
  '+refs/deploy/*:refs/deploy/*',
];

/**
 * A directory git can read the location's history in. Local repositories are
 * read in place. Remote ones are cloned once (bare, without blobs: history,
 * tags and signatures need commits and tags only) into `cacheDir`, named by a
 * hash of the URL, and fetched again on every later call. A first clone goes
 * to a temporary name and is renamed when whole, so an interrupted clone
 * never passes for a cache.
 */
export async function prepareRepository(
  location: RepositoryLocation,
  options: {
    cacheDir: string;
    signal?: AbortSignal;
    log?: (line: string) => void;
  },
): Promise<string> {
  if (location.kind === 'local') return location.path;
  const git: GitRunOptions = { signal: options.signal };
  const dir = join(options.cacheDir, cacheNameOf(location.url));
  if (!(await isDirectory(dir))) {
    await mkdir(options.cacheDir, { recursive: true });
    const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`;
    options.log?.('cloning into the cache (bare, no blobs)');
    try {
      await runGit(
        [
          'clone',
          '--bare',
          '--filter=blob:none',
          '--quiet',
          '--',
          location.url,
          partial,
        ],
        git,
      );
      await rename(partial, dir).catch(async error => {
        // Another run cloned the same URL first: keep theirs.
        if (!(await isDirectory(dir))) throw error;
      });
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  } else {
    options.log?.('fetching into the cached clone');
  }
  await runGit(
    [
      'fetch',
      '--quiet',
      '--prune',
      '--filter=blob:none',
      '--no-write-fetch-head',
      // The partial clone's promisor remote, whose URL is location.url.
      'origin',
      ...FETCH_REFSPECS,
    ],
    { ...git, cwd: dir },
  );
  return dir;
}

/** The cache directory name of a URL: a hash, so names never carry the URL. */
export function cacheNameOf(url: string): string {
  return `${createHash('sha256').update(url).digest('hex').slice(0, 24)}.git`;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
