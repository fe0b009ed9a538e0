import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  CollectedEvidence,
  CollectorContext,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import { GIT_DEFINITIONS, readGitHistory, type GitHistory } from './gitHistory';
import { GitHubClient, type GitHubOptions } from './github/GitHubClient';
import {
  GITHUB_DEFINITIONS,
  readGitHubHistory,
  type GitHubHistory,
} from './github/githubHistory';
import {
  describeLocation,
  projectSlugOf,
  repositoryLocationOf,
  type RepositoryLocation,
  type RepositorySetting,
} from './locations';
import { prepareRepository } from './repositories';

export const CHANGE_MANAGEMENT_COLLECTOR_ID = 'change-management';
export const GIT_EVIDENCE_TYPE = 'change-management.git';
export const GITHUB_EVIDENCE_TYPE = 'change-management.github';
const POINTS = ['CC8.1'];
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ChangeManagementCollectorOptions {
  /** The catalog components to collect about. */
  loadEntities(): Promise<Entity[]>;
  /**
   * Repositories by entity ref (`component:default/api`) or name; they win
   * over the `backstage.io/source-location` annotation.
   */
  repositories?: Record<string, RepositorySetting>;
  /** Where remote repositories are cloned; default `<tmpdir>/backstage-evidence-git`. */
  cacheDir?: string;
  /** The period ends at the run's clock and starts this many days before; default 7. */
  periodDays?: number;
  /** A fixed period start instead of `periodDays`. */
  since?: Date;
  /** Reads pull requests, runs, deployments and approvals for entities with `github.com/project-slug`. */
  github?: GitHubOptions;
  /** Keys to check signatures with; without them signatures are reported, unverified. */
  signatures?: { gnupgHome?: string; sshAllowedSignersFile?: string };
  timeoutMs?: number;
}

/**
 * The change-management collector (CC8.1): per catalog component, the git
 * history of its repository for the period (merges and whether each was
 * reviewed, signed commits and tags, deployments) and, with GitHub
 * configured, its pull-request reviews, workflow runs, deployments and
 * deployment approvals. One evidence file per entity and source. An entity
 * whose repository cannot be read is logged and the others go on; the run
 * fails only when every entity it tried failed.
 */
export function createChangeManagementCollector(
  options: ChangeManagementCollectorOptions,
): EvidenceCollector {
  const periodDays = options.periodDays ?? 7;
  if (!(periodDays > 0)) throw new Error('periodDays must be positive');
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'backstage-evidence-git');
  const gitEnv = options.signatures?.gnupgHome
    ? { GNUPGHOME: options.signatures.gnupgHome }
    : undefined;
  const gitConfig: Record<string, string> | undefined = options.signatures
    ?.sshAllowedSignersFile
    ? { 'gpg.ssh.allowedSignersFile': options.signatures.sshAllowedSignersFile }
    : undefined;

  return {
    id: CHANGE_MANAGEMENT_COLLECTOR_ID,
    title: 'Change management',
    description:
      'Merges and their reviews, signed commits and tags, and deployments from the git history of catalog components; ' +
      'pull-request reviews, workflow runs and deployment approvals from GitHub when configured.',
    points: POINTS,
    cadence: 'weekly',
    perEntity: true,
    timeoutMs: options.timeoutMs,
    async collect(ctx: CollectorContext): Promise<CollectedEvidence[]> {
      const period = {
        start:
          options.since ?? new Date(ctx.now.getTime() - periodDays * DAY_MS),
        end: ctx.now,
      };
      if (period.start >= period.end) {
        throw new Error(
          `the period starts (${period.start.toISOString()}) after it ends (${period.end.toISOString()})`,
        );
      }
      const entities = await entitiesFor(ctx);
      ctx.log(
        `period ${period.start.toISOString()} to ${period.end.toISOString()}; ${
          entities.length
        } entities`,
      );

      const github = options.github
        ? new GitHubClient({ ...options.github, signal: ctx.signal })
        : undefined;
      const gitHistories = new Map<string, Promise<GitHistory>>();
      const githubHistories = new Map<string, Promise<GitHubHistory>>();
      const evidence: CollectedEvidence[] = [];
      let attempted = 0;
      let failed = 0;

      for (const entity of entities) {
        ctx.signal.throwIfAborted();
        const ref = stringifyEntityRef(entity);
        let location: RepositoryLocation | undefined;
        let slug: { owner: string; repo: string } | undefined;
        try {
          location = repositoryLocationOf(entity, options.repositories);
          slug = github ? projectSlugOf(entity) : undefined;
        } catch (error) {
          attempted += 1;
          failed += 1;
          ctx.log(`${ref}: ${messageOf(error)}`);
          continue;
        }
        if (!location && !slug) {
          ctx.log(
            `${ref}: no repository (no source-location annotation${
              github ? ', no github.com/project-slug' : ''
            }, none configured); skipped`,
          );
          continue;
        }
        attempted += 1;
        let produced = 0;

        if (location) {
          const where = describeLocation(location);
          try {
            const key = `${location.kind}:${where}`;
            let pending = gitHistories.get(key);
            if (!pending) {
              ctx.log(`${ref}: reading git history of ${where}`);
              pending = readLocation(location, period, ctx);
              gitHistories.set(key, pending);
            }
            const history = await pending;
            evidence.push(gitEvidence(entity, ref, where, history, period));
            const s = history.summary;
            ctx.log(
              `${ref}: ${s.commits} commits, ${s.merges} merges (${s.reviewedMerges} reviewed), ` +
                `${s.signedCommits} signed, ${s.tags} tags, ${s.deployments} deployments`,
            );
            produced += 1;
          } catch (error) {
            if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
            ctx.log(
              `${ref}: the git history of ${where} could not be read: ${messageOf(
                error,
              )}`,
            );
          }
        }

        if (github && slug) {
          const name = `${slug.owner}/${slug.repo}`;
          try {
            let pending = githubHistories.get(name);
            if (!pending) {
              ctx.log(`${ref}: reading GitHub ${name}`);
              pending = readGitHubHistory(github, slug, period, line =>
                ctx.log(`${ref}: ${line}`),
              );
              githubHistories.set(name, pending);
            }
            const history = await pending;
            evidence.push(githubEvidence(entity, ref, history, period));
            const s = history.summary;
            ctx.log(
              `${ref}: GitHub ${name}: ${s.pullRequestsMerged} pull requests merged ` +
                `(${s.mergedWithIndependentApproval} approved by another), ${s.workflowRuns} workflow runs, ` +
                `${s.deployments} deployments, ${s.approvals} approvals`,
            );
            produced += 1;
          } catch (error) {
            if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
            ctx.log(
              `${ref}: GitHub ${name} could not be read: ${messageOf(error)}`,
            );
          }
        }
        if (produced === 0) failed += 1;
      }

      if (attempted > 0 && failed === attempted) {
        throw new Error(
          `no repository could be read for any of the ${attempted} entities; see the log`,
        );
      }
      ctx.log(
        `filed ${evidence.length} evidence files; ${failed} of ${attempted} entities failed`,
      );
      return evidence;
    },
  };

  async function entitiesFor(ctx: CollectorContext): Promise<Entity[]> {
    const all = await options.loadEntities();
    if (!ctx.entityRef) return all;
    const wanted = ctx.entityRef.toLocaleLowerCase('en-US');
    const one = all.filter(
      e => stringifyEntityRef(e).toLocaleLowerCase('en-US') === wanted,
    );
    if (one.length === 0) {
      throw new Error(
        `${ctx.entityRef} is not among the components collected about`,
      );
    }
    return one;
  }

  async function readLocation(
    location: RepositoryLocation,
    period: { start: Date; end: Date },
    ctx: CollectorContext,
  ): Promise<GitHistory> {
    const dir = await prepareRepository(location, {
      cacheDir,
      signal: ctx.signal,
      log: line => ctx.log(`${describeLocation(location)}: ${line}`),
    });
    return readGitHistory(dir, {
      ref: location.ref,
      period,
      signal: ctx.signal,
      env: gitEnv,
      config: gitConfig,
    });
  }
}

function gitEvidence(
  entity: Entity,
  ref: string,
  where: string,
  history: GitHistory,
  period: { start: Date; end: Date },
): CollectedEvidence {
  const document = {
    schema: `${GIT_EVIDENCE_TYPE}/v1`,
    entityRef: ref,
    repository: { location: where, ref: history.ref, head: history.head },
    period: history.period,
    definitions: GIT_DEFINITIONS,
    summary: history.summary,
    commits: history.commits,
    merges: history.merges,
    tags: history.tags,
    deployments: history.deployments,
  };
  return {
    type: GIT_EVIDENCE_TYPE,
    title: `Change history of ${entity.metadata.name} (git)`,
    points: POINTS,
    entityRef: ref,
    period: { start: period.start, end: period.end },
    fileName: `change-management-git-${entity.metadata.name}.json`,
    mediaType: 'application/json',
    content: `${JSON.stringify(document, null, 2)}\n`,
    summary: { ...history.summary },
  };
}

function githubEvidence(
  entity: Entity,
  ref: string,
  history: GitHubHistory,
  period: { start: Date; end: Date },
): CollectedEvidence {
  const document = {
    schema: `${GITHUB_EVIDENCE_TYPE}/v1`,
    entityRef: ref,
    repository: history.repository,
    period: history.period,
    definitions: GITHUB_DEFINITIONS,
    summary: history.summary,
    pullRequests: history.pullRequests,
    workflowRuns: history.workflowRuns,
    deployments: history.deployments,
    approvals: history.approvals,
  };
  return {
    type: GITHUB_EVIDENCE_TYPE,
    title: `Reviews, runs and deployment approvals of ${entity.metadata.name} (GitHub)`,
    points: POINTS,
    entityRef: ref,
    period: { start: period.start, end: period.end },
    fileName: `change-management-github-${entity.metadata.name}.json`,
    mediaType: 'application/json',
    content: `${JSON.stringify(document, null, 2)}\n`,
    summary: { ...history.summary },
  };
}

/** An error's message with any credentials in URLs taken out. */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}
