import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { repositoryFromEntity } from '../git/entityRepository';
import { OnChange, evidenceOutputs, outputEvidence } from './changeRecording';
import { GitIdentity } from '../git/gitCli';
import {
  findGitHubIntegration,
  GitHubPullRequestClient,
} from '../git/githubPullRequests';
import { revertCommits, RevertedCommit } from '../git/revert';

export const GIT_REVERT_ACTION_ID = 'ops:rollback:git-revert';

/** What a git-revert rollback did; handed to `onReverted` (audit, evidence). */
export interface GitRevertResult {
  entityRef: string;
  repositoryUrl: string;
  branch: string;
  baseBranch: string;
  headSha: string;
  revertedCommits: RevertedCommit[];
  pullRequestUrl?: string;
  reason: string;
  incidentUrl?: string;
  /** Entity ref of the user who ran the task, when known. */
  initiator?: string;
  taskId: string;
  stepId?: string;
  startedAt: string;
}

/** Options of {@link createGitRevertAction}. */
export interface GitRevertActionOptions {
  /** Root config: `integrations.github[]`, `scaffolder.defaultAuthor`. */
  config: Config;
  /** Reads an entity from the catalog with the initiator's credentials. */
  getEntity?: (
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ) => Promise<Entity | undefined>;
  /**
   * Called after the branch is pushed (and the pull request opened); not in
   * dry runs. The place for the audit event and evidence filing, whose state
   * it returns for the outputs.
   */
  onReverted?: OnChange<GitRevertResult>;
  /** Extra git configuration, e.g. `url.<mirror>.insteadOf` (never written to disk). */
  gitConfig?: Record<string, string>;
  /** fetch used for the GitHub API (tests). */
  fetch?: typeof fetch;
}

function defaultCommitter(config: Config): GitIdentity {
  return {
    name:
      config.getOptionalString('scaffolder.defaultAuthor.name') ?? 'Scaffolder',
    email:
      config.getOptionalString('scaffolder.defaultAuthor.email') ??
      'scaffolder@backstage.io',
  };
}

function authorFromUser(
  user: { entity?: Entity } | undefined,
  fallback: GitIdentity,
): GitIdentity {
  const profile = (user?.entity?.spec as any)?.profile;
  if (typeof profile?.email === 'string' && profile.email) {
    return {
      name:
        typeof profile.displayName === 'string' && profile.displayName
          ? profile.displayName
          : user!.entity!.metadata.name,
      email: profile.email,
    };
  }
  return fallback;
}

/**
 * `ops:rollback:git-revert`: reverts commits on the entity's source
 * repository on a new branch, pushes it and opens a pull request through the
 * configured GitHub integration when there is one for the host.
 */
export function createGitRevertAction(options: GitRevertActionOptions) {
  const { config, getEntity, onReverted } = options;
  return createTemplateAction({
    id: GIT_REVERT_ACTION_ID,
    description:
      "Reverts commits on the entity's source repository with git on a new branch rollback/<sha>-<time>, pushes it and opens a pull request when a GitHub integration is configured for the host. A conflicting revert fails and pushes nothing.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Revert the last commit on the default branch',
        example: [
          'steps:',
          '  - id: revert',
          '    action: ops:rollback:git-revert',
          '    input:',
          '      entityRef: component:default/payments',
          '      lastCommits: 1',
          '      reason: Checkout errors after the last deploy',
          '      incidentUrl: https://status.example.com/incidents/42',
        ].join('\n'),
      },
      {
        description: 'Revert two given commits',
        example: [
          'steps:',
          '  - id: revert',
          '    action: ops:rollback:git-revert',
          '    input:',
          '      entityRef: ${{ parameters.entityRef }}',
          '      commits: [3f2a9c1, 8be07d4]',
          '      reason: ${{ parameters.reason }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe('The catalog entity whose source repository is reverted'),
        commits: z =>
          z
            .array(z.string().regex(/^[0-9a-fA-F]{4,40}$/, 'a commit SHA'))
            .min(1)
            .optional()
            .describe('Commits to revert (reverted newest first)'),
        lastCommits: z =>
          z
            .number()
            .int()
            .min(1)
            .max(50)
            .optional()
            .describe('Or: revert the last N commits on the default branch'),
        reason: z =>
          z.string().min(1).describe('Why the change is rolled back'),
        incidentUrl: z =>
          z.string().url().optional().describe('Link to the incident'),
      },
      output: {
        branch: z =>
          z.string().describe('The pushed (or, in a dry run, planned) branch'),
        revertedCommits: z =>
          z
            .array(z.string())
            .describe('SHAs of the reverted commits, in revert order'),
        pullRequestUrl: z =>
          z.string().optional().describe('The opened pull request'),
        ...evidenceOutputs,
      },
    },
    async handler(ctx) {
      const startedAt = new Date().toISOString();
      const { entityRef, commits, lastCommits, reason, incidentUrl } =
        ctx.input;
      if (
        (commits?.length ? 1 : 0) + (lastCommits !== undefined ? 1 : 0) !==
        1
      ) {
        throw new InputError(
          'Give either commits or lastCommits (exactly one)',
        );
      }
      if (!getEntity) {
        throw new Error(
          `${GIT_REVERT_ACTION_ID} has no catalog access configured (getEntity)`,
        );
      }
      const entity = await getEntity(entityRef, {
        credentials: await ctx.getInitiatorCredentials(),
      });
      if (!entity) {
        throw new NotFoundError(
          `Entity ${entityRef} was not found in the catalog`,
        );
      }
      const repository = repositoryFromEntity(entity);

      const github = repository.host
        ? await findGitHubIntegration(config, repository.webUrl)
        : undefined;
      const client =
        github?.token && repository.owner && repository.repo
          ? new GitHubPullRequestClient({
              apiBaseUrl: github.apiBaseUrl,
              token: github.token,
              fetch: options.fetch,
            })
          : undefined;
      if (!client) {
        ctx.logger.info(
          repository.host
            ? `No GitHub integration with a token for ${repository.host}: the branch will be pushed, no pull request opened`
            : `The repository is not on a GitHub host: the branch will be pushed, no pull request opened`,
        );
      }

      let baseBranch = repository.branch;
      if (!baseBranch && client) {
        baseBranch = await client.getDefaultBranch(
          repository.owner!,
          repository.repo!,
        );
      }

      const committer = defaultCommitter(config);
      const result = await revertCommits({
        repoUrl: repository.cloneUrl,
        commits,
        lastCommits,
        baseBranch,
        author: authorFromUser(ctx.user, committer),
        committer,
        token: github?.token,
        extraConfig: options.gitConfig,
        dryRun: ctx.isDryRun,
        log: message => ctx.logger.info(message),
      });

      const shas = result.revertedCommits.map(c => c.sha);
      ctx.output('branch', result.branch);
      ctx.output('revertedCommits', shas);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would push ${result.branch} onto ${
            repository.webUrl
          } reverting ${result.revertedCommits
            .map(c => `${c.sha.slice(0, 12)} "${c.subject}"`)
            .join(', ')}${
            client ? ` and open a pull request into ${result.baseBranch}` : ''
          }; nothing was pushed`,
        );
        return;
      }

      let pullRequestUrl: string | undefined;
      if (client) {
        const pr = await client.createPullRequest({
          owner: repository.owner!,
          repo: repository.repo!,
          head: result.branch,
          base: result.baseBranch,
          title: `Roll back: revert ${shas.length} commit(s) — ${reason}`.slice(
            0,
            250,
          ),
          body: [
            `Rollback of \`${entityRef}\` started from Backstage.`,
            '',
            `**Reason:** ${reason}`,
            incidentUrl ? `**Incident:** ${incidentUrl}` : undefined,
            ctx.user?.ref ? `**Run by:** ${ctx.user.ref}` : undefined,
            '',
            'Reverted commits (in this order):',
            ...result.revertedCommits.map(
              c =>
                `- ${c.sha} ${c.subject}${
                  c.merge ? ' (merge, against its first parent)' : ''
                }`,
            ),
          ]
            .filter(line => line !== undefined)
            .join('\n'),
        });
        pullRequestUrl = pr.url;
        ctx.output('pullRequestUrl', pr.url);
        ctx.logger.info(`Opened pull request ${pr.url}`);
      } else {
        ctx.logger.info(
          `Pushed ${result.branch}; no pull request was opened (no GitHub integration with a token for this repository)`,
        );
      }

      const evidence = await onReverted?.({
        entityRef,
        repositoryUrl: repository.webUrl,
        branch: result.branch,
        baseBranch: result.baseBranch,
        headSha: result.headSha,
        revertedCommits: result.revertedCommits,
        pullRequestUrl,
        reason,
        incidentUrl,
        initiator: ctx.user?.ref,
        taskId: ctx.task.id,
        stepId: ctx.step?.id,
        startedAt,
      });
      outputEvidence(ctx.output, evidence);
    },
  });
}
