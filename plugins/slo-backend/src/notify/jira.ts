import type { DeliveryResult } from '@internal/plugin-ops-node';
import type { OpsAlertNotification } from '@internal/plugin-slo-common';
import { z } from 'zod';
import { describeAlert, externalFacts, isAbsoluteUrl } from './describe';
import {
  alertDeliverer,
  DeliveryFailure,
  RenderedRequest,
  VendorCall,
  permanent,
  vendorClient,
} from './http';
import type { NotifierContext, NotifierFactory } from './types';

export const jiraConfigSchema = z
  .object({
    /** The site, e.g. `https://example.atlassian.net`. */
    url: z.string().url(),
    email: z.string().min(1),
    /** An API token of `email` (secret). */
    apiToken: z.string().min(1),
    projectKey: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]+$/, 'must be a project key such as OPS'),
    issueType: z.string().min(1).default('Task'),
    /** The name of the transition that closes the issue when the alert resolves. */
    doneTransition: z.string().min(1).default('Done'),
  })
  .strict();

export type JiraConfig = z.input<typeof jiraConfigSchema>;

/** The label that marks the issue of one alert episode (labels cannot hold spaces). */
export function jiraAlertLabel(alertId: string): string {
  return `slo-alert-${alertId.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 255);
}

/**
 * The text a comment carries to say which delivery wrote it: before
 * commenting, the notifier looks for it among the issue's comments, so a
 * retried delivery never comments twice.
 */
export function jiraDeliveryMarker(idempotencyKey: string): string {
  return `SLO delivery ${idempotencyKey}`;
}

type AdfNode = Record<string, unknown>;

const text = (value: string, href?: string): AdfNode => ({
  type: 'text',
  text: value,
  ...(href && { marks: [{ type: 'link', attrs: { href } }] }),
});
const paragraph = (...content: AdfNode[]): AdfNode => ({
  type: 'paragraph',
  content,
});

const strong = (value: string): AdfNode => ({
  ...text(value),
  marks: [{ type: 'strong' }],
});

function linkParagraphs(n: OpsAlertNotification): AdfNode[] {
  if (n.kind === 'external') {
    return [
      paragraph(
        text('Alert: '),
        text(n.link, isAbsoluteUrl(n.link) ? n.link : undefined),
      ),
    ];
  }
  return [
    paragraph(
      text('Objective: '),
      text(n.objective.displayName, n.links.objective),
    ),
    ...(n.links.runbook
      ? [paragraph(text('Runbook: '), text(n.links.runbook, n.links.runbook))]
      : []),
    ...(n.links.rollback
      ? [
          paragraph(
            text('Roll back: '),
            text(n.links.rollback, n.links.rollback),
          ),
        ]
      : []),
  ];
}

/** An Atlassian Document Format document. */
function adf(content: AdfNode[]): AdfNode {
  return { type: 'doc', version: 1, content };
}

/**
 * The first request the Jira notifier sends for a notification: the issue
 * for `fired`, otherwise the comment on the alert's issue (`issueKey`,
 * a placeholder when unknown). `idempotencyKey` goes into the comment.
 */
export function renderJiraRequest(
  n: OpsAlertNotification,
  config: JiraConfig,
  options: { issueKey?: string; idempotencyKey?: string } = {},
): RenderedRequest {
  const alert = describeAlert(n);
  if (n.event === 'fired') {
    return {
      method: 'POST',
      path: '/rest/api/3/issue',
      body: {
        fields: {
          project: { key: config.projectKey },
          summary: alert.title.slice(0, 255),
          issuetype: { name: config.issueType ?? 'Task' },
          labels: [
            n.kind === 'external' ? `${n.source}-alert` : 'slo-alert',
            jiraAlertLabel(alert.key),
          ],
          description: adf([
            paragraph(text(alert.summary)),
            ...(n.kind === 'external'
              ? externalFacts(n).map(f =>
                  paragraph(strong(`${f.label}: `), text(f.value || '—')),
                )
              : []),
            ...linkParagraphs(n),
          ]),
        },
      },
    };
  }
  const issueKey = options.issueKey
    ? encodeURIComponent(options.issueKey)
    : '{issueKey}';
  return {
    method: 'POST',
    path: `/rest/api/3/issue/${issueKey}/comment`,
    body: {
      body: adf([
        paragraph(text(alert.summary)),
        ...(n.event === 'resolved' ? [] : linkParagraphs(n)),
        paragraph({
          ...text(
            jiraDeliveryMarker(options.idempotencyKey ?? '{idempotencyKey}'),
          ),
          marks: [{ type: 'em' }],
        }),
      ]),
    },
  };
}

interface JiraIssueRef {
  key: string;
}

/** The issue made for the alert: the recorded link, else the issue carrying its label. */
async function findIssue(
  call: VendorCall,
  config: z.output<typeof jiraConfigSchema>,
  context: NotifierContext,
  alertId: string,
): Promise<JiraIssueRef | undefined> {
  const link = await context.links.get(alertId, context.name);
  if (link) {
    return { key: link.externalId };
  }
  const jql = `project = "${config.projectKey}" AND labels = "${jiraAlertLabel(
    alertId,
  )}" ORDER BY created ASC`;
  const found = await call('issue search', {
    method: 'GET',
    path: `/rest/api/3/search/jql?${new URLSearchParams({
      jql,
      fields: 'key',
      maxResults: '1',
    })}`,
  });
  const issues = (found.body as { issues?: JiraIssueRef[] } | undefined)
    ?.issues;
  const issue = issues?.[0];
  if (issue?.key) {
    await recordLink(config, context, alertId, issue.key);
    return issue;
  }
  return undefined;
}

async function recordLink(
  config: z.output<typeof jiraConfigSchema>,
  context: NotifierContext,
  alertId: string,
  key: string,
) {
  await context.links.put(alertId, {
    target: context.name,
    type: 'jira',
    externalId: key,
    url: `${config.url.replace(/\/+$/, '')}/browse/${key}`,
  });
}

/** Comments unless a comment of this delivery is there already. */
async function commentOnce(
  call: VendorCall,
  issueKey: string,
  request: RenderedRequest,
  marker: string,
) {
  const path = `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`;
  const existing = await call('comment lookup', {
    method: 'GET',
    path: `${path}?orderBy=-created&maxResults=100`,
  });
  const comments =
    (existing.body as { comments?: Array<{ body?: unknown }> } | undefined)
      ?.comments ?? [];
  if (comments.some(c => JSON.stringify(c.body ?? '').includes(marker))) {
    return;
  }
  await call('comment', request);
}

async function closeIssue(
  call: VendorCall,
  issueKey: string,
  transitionName: string,
) {
  const path = `/rest/api/3/issue/${encodeURIComponent(issueKey)}`;
  const issue = await call('issue status', {
    method: 'GET',
    path: `${path}?fields=status`,
  });
  const category = (
    issue.body as
      | { fields?: { status?: { statusCategory?: { key?: string } } } }
      | undefined
  )?.fields?.status?.statusCategory?.key;
  if (category === 'done') {
    return;
  }
  const available = await call('transition lookup', {
    method: 'GET',
    path: `${path}/transitions`,
  });
  const transitions =
    (
      available.body as
        | { transitions?: Array<{ id: string; name: string }> }
        | undefined
    )?.transitions ?? [];
  const transition = transitions.find(
    t => t.name.toLowerCase() === transitionName.toLowerCase(),
  );
  if (!transition) {
    throw permanent(
      `Jira transition '${transitionName}' is not available on ${issueKey}`,
    );
  }
  await call('transition', {
    method: 'POST',
    path: `${path}/transitions`,
    body: { transition: { id: transition.id } },
  });
}

/**
 * Jira Cloud (REST v3): an issue per alert episode, labelled
 * `slo-alert-<alertId>`, looked up by that label before creating so a
 * retry never makes a second one; later events comment on it (each comment
 * carries its delivery's idempotency key, looked up before commenting), and
 * `resolved` also moves it through the `doneTransition`.
 */
export const jiraNotifier: NotifierFactory<JiraConfig> = (
  rawConfig,
  context,
) => {
  const config = jiraConfigSchema.parse(rawConfig);
  const call = vendorClient({
    vendor: 'Jira',
    baseUrl: config.url,
    headers: {
      authorization: `Basic ${Buffer.from(
        `${config.email}:${config.apiToken}`,
      ).toString('base64')}`,
    },
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });

  return alertDeliverer(async (n, attempt): Promise<DeliveryResult> => {
    const alertKey = describeAlert(n).key;
    const issue = await findIssue(call, config, context, alertKey);
    if (n.event === 'fired') {
      if (issue) {
        return { outcome: 'delivered' };
      }
      const created = await call('issue create', renderJiraRequest(n, config));
      const key = (created.body as Partial<JiraIssueRef> | undefined)?.key;
      if (typeof key !== 'string') {
        throw permanent('Jira issue create: no issue key in the answer');
      }
      await recordLink(config, context, alertKey, key);
      return { outcome: 'delivered', status: created.status };
    }
    if (!issue) {
      // The fired delivery may still be on its way: wait for its issue.
      throw new DeliveryFailure({
        outcome: 'retry',
        error: `Jira: no issue yet for the alert (${n.event})`,
      });
    }
    const request = renderJiraRequest(n, config, {
      issueKey: issue.key,
      idempotencyKey: attempt.idempotencyKey,
    });
    await commentOnce(
      call,
      issue.key,
      request,
      jiraDeliveryMarker(attempt.idempotencyKey),
    );
    if (n.event === 'resolved') {
      await closeIssue(call, issue.key, config.doneTransition);
    }
    return { outcome: 'delivered' };
  });
};
