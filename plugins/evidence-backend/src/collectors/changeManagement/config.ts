import type { Config } from '@backstage/config';
import type { GitHubOptions } from './github/GitHubClient';
import type { ChangeManagementCollectorOptions } from './collector';
import type { RepositorySetting } from './locations';

/**
 * The GitHub API to read from Backstage's own `integrations.github[0]`
 * (`host`, `apiBaseUrl`, `token`): `apiBaseUrl` when set, else
 * `https://api.github.com` for github.com and `https://<host>/api/v3` for
 * GitHub Enterprise Server. Undefined when there is no GitHub integration or
 * it has no token (GitHub Apps are not read here).
 */
export function githubOptionsFromConfig(
  config: Config,
): GitHubOptions | undefined {
  const first = config.getOptionalConfigArray('integrations.github')?.[0];
  if (!first) return undefined;
  const token = first.getOptionalString('token')?.trim();
  if (!token) return undefined;
  const host = first.getOptionalString('host') ?? 'github.com';
  const baseUrl =
    first.getOptionalString('apiBaseUrl') ??
    (host === 'github.com'
      ? 'https://api.github.com'
      : `https://${host}/api/v3`);
  return { baseUrl: baseUrl.replace(/\/+$/, ''), token };
}

/** What `evidence.changeManagement` configures (all optional). */
export interface ChangeManagementConfig {
  periodDays?: number;
  cacheDir?: string;
  repositories?: Record<string, RepositorySetting>;
  signatures?: { gnupgHome?: string; sshAllowedSignersFile?: string };
  /** False turns the GitHub reading off even with a token. Default true. */
  github: boolean;
}

/**
 * Reads `evidence.changeManagement`:
 *
 * ```yaml
 * evidence:
 *   changeManagement:
 *     periodDays: 7
 *     cacheDir: /var/cache/backstage/evidence-git
 *     github: true
 *     signatures:
 *       gnupgHome: /etc/backstage/gnupg
 *       sshAllowedSignersFile: /etc/backstage/allowed_signers
 *     repositories:
 *       - entity: component:default/portal   # or just the name
 *         url: file:///work/main            # a git URL or an absolute path
 *         ref: main                         # default HEAD
 *         clone: false                      # clone local URLs too
 * ```
 *
 * A list rather than a map because entity refs are not valid config keys.
 */
export function readChangeManagementConfig(
  config: Config,
): ChangeManagementConfig {
  const section = config.getOptionalConfig('evidence.changeManagement');
  const periodDays = section?.getOptionalNumber('periodDays');
  if (periodDays !== undefined && !(periodDays > 0)) {
    throw new Error(
      `evidence.changeManagement.periodDays must be positive, not ${periodDays}`,
    );
  }
  const repositories: Record<string, RepositorySetting> = {};
  for (const entry of section?.getOptionalConfigArray('repositories') ?? []) {
    repositories[entry.getString('entity')] = {
      url: entry.getString('url'),
      ref: entry.getOptionalString('ref'),
      clone: entry.getOptionalBoolean('clone'),
    };
  }
  const signatures = section?.getOptionalConfig('signatures');
  return {
    periodDays,
    cacheDir: section?.getOptionalString('cacheDir'),
    repositories,
    signatures: signatures && {
      gnupgHome: signatures.getOptionalString('gnupgHome'),
      sshAllowedSignersFile: signatures.getOptionalString(
        'sshAllowedSignersFile',
      ),
    },
    github: section?.getOptionalBoolean('github') ?? true,
  };
}

/**
 * The collector's options from config, all but `loadEntities`:
 * `evidence.changeManagement.*` plus `integrations.github[0]` (unless
 * `evidence.changeManagement.github` is false).
 */
export function changeManagementOptionsFromConfig(
  config: Config,
): Omit<ChangeManagementCollectorOptions, 'loadEntities'> {
  const section = readChangeManagementConfig(config);
  return {
    periodDays: section.periodDays,
    cacheDir: section.cacheDir,
    repositories: section.repositories,
    signatures: section.signatures,
    github: section.github ? githubOptionsFromConfig(config) : undefined,
  };
}
