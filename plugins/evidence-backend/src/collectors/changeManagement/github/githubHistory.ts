import type { Period } from '../gitHistory';
import { GitHubApiError, type GitHubClient } from './GitHubClient';

/** The wire shapes read here: the documented fields this module uses. */
interface GhUser {
  login: string;
}
interface GhPull {
  number: number;
  title: string;
  user: GhUser | null;
  html_url: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: { ref: string };
}
interface GhReview {
  id: number;
  user: GhUser | null;
  state: string;
  submitted_at?: string;
  commit_id: string | null;
}
interface GhRun {
  id: number;
  name?: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  head_branch: string | null;
  head_sha: string;
  created_at: string;
  html_url: string;
  actor?: GhUser;
  triggering_actor?: GhUser;
}
interface GhDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  creator: GhUser | null;
  created_at: string;
}
interface GhDeploymentStatus {
  id: number;
  state: string;
  creator: GhUser | null;
  created_at: string;
  log_url?: string;
  target_url?: string;
}
interface GhApproval {
  environments: Array<{ name?: string }>;
  state: string;
  user: GhUser;
  comment: string;
}

export interface PullRequestRecord {
  number: number;
  title: string;
  author: string | null;
  url: string;
  baseRef: string;
  closedAt: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** Reviews, for merged pull requests. */
  reviews: Array<{
    reviewer: string | null;
    state: string;
    submittedAt: string | null;
    commitId: string | null;
  }>;
  /** Logins that approved before the merge and are not the author. */
  independentApprovers: string[];
}

export interface WorkflowRunRecord {
  id: number;
  name: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  headBranch: string | null;
  headSha: string;
  actor: string | null;
  triggeringActor: string | null;
  createdAt: string;
  url: string;
}

export interface DeploymentRecordGh {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  task: string;
  creator: string | null;
  createdAt: string;
  /** Newest first, as GitHub lists them. */
  statuses: Array<{
    state: string;
    creator: string | null;
    createdAt: string;
    logUrl: string | null;
  }>;
  /** Workflow runs named in the statuses' log or target URLs. */
  runIds: number[];
}

export interface ApprovalRecord {
  runId: number;
  state: string;
  reviewer: string;
  comment: string;
  environments: string[];
}

export interface GitHubHistorySummary {
  pullRequestsClosed: number;
  pullRequestsMerged: number;
  mergedWithIndependentApproval: number;
  workflowRuns: number;
  runsByConclusion: Record<string, number>;
  deployments: number;
  approvals: number;
  rejections: number;
}

export interface GitHubHistory {
  repository: string;
  period: { start: string; end: string };
  summary: GitHubHistorySummary;
  pullRequests: PullRequestRecord[];
  workflowRuns: WorkflowRunRecord[];
  deployments: DeploymentRecordGh[];
  approvals: ApprovalRecord[];
}

export const GITHUB_DEFINITIONS = {
  pullRequestsClosed:
    'Pull requests whose closed_at falls in the period (start included, end not), from GET /repos/{owner}/{repo}/pulls?state=closed sorted by update, newest first.',
  pullRequestsMerged: 'Those with merged_at set.',
  mergedWithIndependentApproval:
    'Merged pull requests with at least one review in state APPROVED, submitted no later than the merge, by a login other than the author.',
  workflowRuns:
    'Workflow runs created in the period (GET /actions/runs?created=start..end); runsByConclusion counts them by conclusion, or by status while unfinished.',
  deployments:
    'Deployments created in the period, with their statuses; runIds are the workflow runs their statuses link to.',
  approvals:
    'Deployment reviews (GET /actions/runs/{run_id}/approvals) of the runs deployments link to: approvals counts state approved, rejections state rejected.',
} as const;

/**
 * Reads a GitHub repository's change record for a period through the REST
 * API: closed pull requests and their reviews, workflow runs, deployments
 * with their statuses, and the deployment approvals of the runs behind them.
 */
export async function readGitHubHistory(
  client: GitHubClient,
  target: { owner: string; repo: string },
  period: Period,
  log: (line: string) => void = () => {},
): Promise<GitHubHistory> {
  const repoPath = `/repos/${encodeURIComponent(
    target.owner,
  )}/${encodeURIComponent(target.repo)}`;
  const within = (date: string | null | undefined) => {
    if (!date) return false;
    const at = Date.parse(date);
    return at >= period.start.getTime() && at < period.end.getTime();
  };
  const before = (date: string) => Date.parse(date) < period.start.getTime();

  const pullRequests: PullRequestRecord[] = [];
  for await (const page of client.pages<GhPull>(`${repoPath}/pulls`, {
    state: 'closed',
    sort: 'updated',
    direction: 'desc',
  })) {
    for (const pull of page) {
      if (within(pull.closed_at)) pullRequests.push(await describePull(pull));
    }
    // Sorted by update, newest first: a pull closed in the period was
    // updated in it or later, so the first page ending before it is the last.
    const last = page[page.length - 1];
    if (!last || before(last.updated_at)) break;
  }

  async function describePull(pull: GhPull): Promise<PullRequestRecord> {
    const author = pull.user?.login ?? null;
    const reviews: PullRequestRecord['reviews'] = [];
    if (pull.merged_at) {
      for await (const page of client.pages<GhReview>(
        `${repoPath}/pulls/${pull.number}/reviews`,
      )) {
        for (const review of page) {
          reviews.push({
            reviewer: review.user?.login ?? null,
            state: review.state,
            submittedAt: review.submitted_at ?? null,
            commitId: review.commit_id,
          });
        }
      }
    }
    const mergedAt = pull.merged_at ? Date.parse(pull.merged_at) : NaN;
    const independentApprovers = [
      ...new Set(
        reviews
          .filter(
            r =>
              r.state === 'APPROVED' &&
              r.reviewer !== null &&
              r.reviewer !== author &&
              r.submittedAt !== null &&
              Date.parse(r.submittedAt) <= mergedAt,
          )
          .map(r => r.reviewer!),
      ),
    ].sort();
    return {
      number: pull.number,
      title: pull.title,
      author,
      url: pull.html_url,
      baseRef: pull.base.ref,
      closedAt: pull.closed_at!,
      mergedAt: pull.merged_at,
      mergeCommitSha: pull.merge_commit_sha,
      reviews,
      independentApprovers,
    };
  }

  const workflowRuns: WorkflowRunRecord[] = [];
  const created = `${isoSeconds(period.start)}..${isoSeconds(period.end)}`;
  for await (const page of client.pages<GhRun>(
    `${repoPath}/actions/runs`,
    { created },
    body => (body as { workflow_runs: GhRun[] }).workflow_runs,
  )) {
    for (const run of page) {
      if (!within(run.created_at)) continue;
      workflowRuns.push({
        id: run.id,
        name: run.name ?? null,
        event: run.event,
        status: run.status,
        conclusion: run.conclusion,
        headBranch: run.head_branch,
        headSha: run.head_sha,
        actor: run.actor?.login ?? null,
        triggeringActor: run.triggering_actor?.login ?? null,
        createdAt: run.created_at,
        url: run.html_url,
      });
    }
  }

  const deployments: DeploymentRecordGh[] = [];
  for await (const page of client.pages<GhDeployment>(
    `${repoPath}/deployments`,
  )) {
    for (const deployment of page) {
      if (!within(deployment.created_at)) continue;
      const statuses: DeploymentRecordGh['statuses'] = [];
      const runIds = new Set<number>();
      for await (const statusPage of client.pages<GhDeploymentStatus>(
        `${repoPath}/deployments/${deployment.id}/statuses`,
      )) {
        for (const status of statusPage) {
          statuses.push({
            state: status.state,
            creator: status.creator?.login ?? null,
            createdAt: status.created_at,
            logUrl: status.log_url || status.target_url || null,
          });
          for (const url of [status.log_url, status.target_url]) {
            const runId = url && /\/actions\/runs\/(\d+)/.exec(url)?.[1];
            if (runId) runIds.add(Number(runId));
          }
        }
      }
      deployments.push({
        id: deployment.id,
        environment: deployment.environment,
        ref: deployment.ref,
        sha: deployment.sha,
        task: deployment.task,
        creator: deployment.creator?.login ?? null,
        createdAt: deployment.created_at,
        statuses,
        runIds: [...runIds].sort((a, b) => a - b),
      });
    }
    // Listed newest first: once a whole page is older, so is the rest.
    if (page.every(d => before(d.created_at))) break;
  }

  const approvals: ApprovalRecord[] = [];
  const runIds = [...new Set(deployments.flatMap(d => d.runIds))].sort(
    (a, b) => a - b,
  );
  for (const runId of runIds) {
    let answer: GhApproval[];
    try {
      answer = await client.get<GhApproval[]>(
        `${repoPath}/actions/runs/${runId}/approvals`,
      );
    } catch (error) {
      if (error instanceof GitHubApiError && error.kind === 'not-found') {
        log(`workflow run ${runId} has no approvals to read (HTTP 404)`);
        continue;
      }
      throw error;
    }
    for (const approval of answer) {
      approvals.push({
        runId,
        state: approval.state,
        reviewer: approval.user.login,
        comment: approval.comment,
        environments: approval.environments
          .map(e => e.name ?? '')
          .filter(Boolean),
      });
    }
  }

  const runsByConclusion: Record<string, number> = {};
  for (const run of workflowRuns) {
    const key = run.conclusion ?? run.status ?? 'unknown';
    runsByConclusion[key] = (runsByConclusion[key] ?? 0) + 1;
  }
  const merged = pullRequests.filter(p => p.mergedAt !== null);
  return {
    repository: `${target.owner}/${target.repo}`,
    period: {
      start: period.start.toISOString(),
      end: period.end.toISOString(),
    },
    summary: {
      pullRequestsClosed: pullRequests.length,
      pullRequestsMerged: merged.length,
      mergedWithIndependentApproval: merged.filter(
        p => p.independentApprovers.length > 0,
      ).length,
      workflowRuns: workflowRuns.length,
      runsByConclusion,
      deployments: deployments.length,
      approvals: approvals.filter(a => a.state === 'approved').length,
      rejections: approvals.filter(a => a.state === 'rejected').length,
    },
    pullRequests,
    workflowRuns,
    deployments,
    approvals,
  };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
