import {
  FakeReply,
  FakeRequest,
  FakeVendorServer,
  adfText,
  field,
  isAdf,
  isObject,
} from './FakeVendorServer';

export interface FakeJiraComment {
  id: string;
  body: unknown;
  created: string;
}

export interface FakeJiraIssue {
  id: string;
  key: string;
  summary: string;
  issueType: string;
  labels: string[];
  description: unknown;
  status: 'To Do' | 'In Progress' | 'Done';
  comments: FakeJiraComment[];
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', status: 'To Do' },
  { id: '21', name: 'In Progress', status: 'In Progress' },
  { id: '31', name: 'Done', status: 'Done' },
] as const;

const CATEGORY: Record<FakeJiraIssue['status'], string> = {
  'To Do': 'new',
  'In Progress': 'indeterminate',
  Done: 'done',
};

const ISSUE_TYPES = ['Task', 'Bug', 'Story', 'Incident'];

const notFound: FakeReply = {
  status: 404,
  body: {
    errorMessages: [
      'Issue does not exist or you do not have permission to see it.',
    ],
    errors: {},
  },
};

/**
 * Jira Cloud REST v3: issue create, enhanced JQL search
 * (`GET /rest/api/3/search/jql`, labels only), issue status, comments and
 * transitions, with Basic auth `email:apiToken`. Errors come as
 * `{errorMessages, errors}`.
 */
export class FakeJira extends FakeVendorServer {
  readonly issues: FakeJiraIssue[] = [];

  constructor(
    readonly email = 'bot@example.com',
    readonly apiToken = 'ATATT-secret-token-0123',
    readonly projectKey = 'OPS',
  ) {
    super();
  }

  get comments(): FakeJiraComment[] {
    return this.issues.flatMap(i => i.comments);
  }

  protected badRequest(
    message: string,
    errors: Record<string, string> = {},
  ): FakeReply {
    return {
      status: 400,
      body: { errorMessages: message ? [message] : [], errors },
    };
  }

  protected handle(request: FakeRequest): FakeReply {
    const expected = `Basic ${Buffer.from(
      `${this.email}:${this.apiToken}`,
    ).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      return {
        status: 401,
        body: {
          errorMessages: [
            'Client must be authenticated to access this resource.',
          ],
          errors: {},
        },
      };
    }
    const { method, path } = request;
    if (method === 'POST' && path === '/rest/api/3/issue') {
      return this.createIssue(request.body);
    }
    if (method === 'GET' && path === '/rest/api/3/search/jql') {
      return this.search(request.query);
    }
    const match = path.match(
      /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]*-\d+)(\/comment|\/transitions)?$/,
    );
    const issue = match && this.issues.find(i => i.key === match[1]);
    if (!issue) {
      return notFound;
    }
    const route = `${method} ${match[2] ?? ''}`;
    switch (route) {
      case 'GET ':
        return {
          status: 200,
          body: {
            id: issue.id,
            key: issue.key,
            fields: {
              status: {
                name: issue.status,
                statusCategory: {
                  key: CATEGORY[issue.status],
                },
              },
            },
          },
        };
      case 'GET /comment':
        return this.listComments(issue, request.query);
      case 'POST /comment':
        return this.addComment(issue, request.body);
      case 'GET /transitions':
        return {
          status: 200,
          body: {
            transitions: TRANSITIONS.filter(t => t.status !== issue.status).map(
              t => ({ id: t.id, name: t.name, to: { name: t.status } }),
            ),
          },
        };
      case 'POST /transitions':
        return this.transition(issue, request.body);
      default:
        return {
          status: 405,
          body: { errorMessages: ['Method not allowed'], errors: {} },
        };
    }
  }

  private createIssue(body: unknown): FakeReply {
    const errors: Record<string, string> = {};
    if (field(body, 'fields.project.key') !== this.projectKey) {
      errors.project = 'Specify a valid project ID or key';
    }
    const summary = field(body, 'fields.summary');
    if (typeof summary !== 'string' || !summary.trim()) {
      errors.summary = 'You must specify a summary of the issue.';
    } else if (summary.length > 255) {
      errors.summary = 'Summary must be less than 255 characters.';
    }
    const issueType = field(body, 'fields.issuetype.name');
    if (!ISSUE_TYPES.includes(String(issueType))) {
      errors.issuetype = 'Specify an issue type';
    }
    const description = field(body, 'fields.description');
    if (description !== undefined && !isAdf(description)) {
      errors.description = 'Operation value must be an Atlassian Document.';
    }
    const labels = field(body, 'fields.labels') ?? [];
    if (
      !Array.isArray(labels) ||
      labels.some(l => typeof l !== 'string' || /\s/.test(l) || !l)
    ) {
      errors.labels = 'Labels cannot contain spaces.';
    }
    if (Object.keys(errors).length) {
      return this.badRequest('', errors);
    }
    const id = String(10000 + this.issues.length + 1);
    const key = `${this.projectKey}-${this.issues.length + 1}`;
    this.issues.push({
      id,
      key,
      summary: String(summary),
      issueType: String(issueType),
      labels: labels as string[],
      description,
      status: 'To Do',
      comments: [],
    });
    return {
      status: 201,
      body: { id, key, self: `${this.url}/rest/api/3/issue/${id}` },
    };
  }

  private search(query: URLSearchParams): FakeReply {
    const jql = query.get('jql');
    if (!jql) {
      return this.badRequest('The JQL query is missing.');
    }
    const labels = [...jql.matchAll(/labels\s*(?:=|in)\s*\(?"([^"]+)"/g)].map(
      m => m[1],
    );
    const project = jql.match(/project\s*=\s*"?([A-Z][A-Z0-9_]*)"?/)?.[1];
    const issues = this.issues.filter(
      issue =>
        (!project || issue.key.startsWith(`${project}-`)) &&
        labels.every(label => issue.labels.includes(label)),
    );
    const max = Number(query.get('maxResults') ?? 50);
    return {
      status: 200,
      body: {
        issues: issues.slice(0, max).map(i => ({ id: i.id, key: i.key })),
        isLast: issues.length <= max,
      },
    };
  }

  private listComments(
    issue: FakeJiraIssue,
    query: URLSearchParams,
  ): FakeReply {
    const comments =
      query.get('orderBy') === '-created'
        ? [...issue.comments].reverse()
        : issue.comments;
    const max = Number(query.get('maxResults') ?? 100);
    return {
      status: 200,
      body: {
        startAt: 0,
        maxResults: max,
        total: comments.length,
        comments: comments.slice(0, max),
      },
    };
  }

  private addComment(issue: FakeJiraIssue, body: unknown): FakeReply {
    if (!isObject(body) || !isAdf(body.body)) {
      return this.badRequest('', {
        comment: 'Comment body must be an Atlassian Document.',
      });
    }
    const comment = {
      id: String(20000 + this.comments.length + 1),
      body: body.body,
      created: new Date().toISOString(),
    };
    issue.comments.push(comment);
    return { status: 201, body: comment };
  }

  private transition(issue: FakeJiraIssue, body: unknown): FakeReply {
    const id = field(body, 'transition.id');
    const transition = TRANSITIONS.find(
      t => t.id === id && t.status !== issue.status,
    );
    if (!transition) {
      return this.badRequest(
        `Transition id '${String(id)}' is not valid for this issue.`,
      );
    }
    issue.status = transition.status;
    return { status: 204 };
  }

  /** Plain text of each comment, for assertions. */
  commentTexts(key: string): string[] {
    const issue = this.issues.find(i => i.key === key);
    return (issue?.comments ?? []).map(c => adfText(c.body));
  }
}
