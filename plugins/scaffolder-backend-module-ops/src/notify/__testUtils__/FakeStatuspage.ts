import { randomUUID } from 'node:crypto';
import {
  FakeHttpServer,
  FakeReply,
  FakeRequest,
  Json,
  isObject,
} from './FakeHttpServer';

const INCIDENT_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
];
const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
];

export interface FakeIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  metadata: Json;
  created_at: string;
  resolved_at: string | null;
  components: Array<{ id: string; name: string; status: string }>;
  /** Newest first, as Statuspage returns them. */
  incident_updates: Array<{
    id: string;
    incident_id: string;
    status: string;
    body: string;
    created_at: string;
  }>;
}

const unprocessable = (error: string): FakeReply => ({
  status: 422,
  body: { error },
});

/**
 * Atlassian Statuspage REST v1 for one page: create (`POST`), update
 * (`PATCH`) and list (`GET .../incidents`, `GET .../incidents/unresolved`)
 * incidents, with `Authorization: OAuth <api key>` (401 otherwise) and
 * bodies wrapped in `{incident: {...}}`. A create needs a `name`; statuses
 * and component statuses are checked (422); `components` sets a component's
 * status; each create or update with a `body` adds an incident update;
 * `metadata` is merged by namespace. Lists are newest first.
 */
export class FakeStatuspage extends FakeHttpServer {
  readonly incidents: FakeIncident[] = [];
  readonly components: Map<string, { name: string; status: string }>;

  constructor(
    readonly apiKey = 'fake-statuspage-secret-key',
    readonly pageId = 'pg0123',
    components: Record<string, string> = { cmp_payments: 'Payments' },
  ) {
    super();
    this.components = new Map(
      Object.entries(components).map(([id, name]) => [
        id,
        { name, status: 'operational' },
      ]),
    );
  }

  protected routeOf(request: FakeRequest): string {
    const m = request.path.match(/^\/pages\/([^/]+)\/incidents(?:\/([^/]+))?$/);
    if (!m) return 'unknown';
    if (m[2] === 'unresolved' && request.method === 'GET') return 'unresolved';
    if (m[2]) return request.method === 'PATCH' ? 'update' : 'get';
    return request.method === 'POST' ? 'create' : 'list';
  }

  protected malformed(): FakeReply {
    return { status: 400, body: { error: 'malformed JSON' } };
  }

  protected handle(request: FakeRequest): FakeReply {
    if (request.headers.authorization !== `OAuth ${this.apiKey}`) {
      return { status: 401, body: { error: 'Could not authenticate' } };
    }
    const page = request.path.split('/')[2];
    if (page !== this.pageId || request.route === 'unknown') {
      return { status: 404, body: { error: 'Not found' } };
    }
    const newestFirst = [...this.incidents].reverse();
    switch (request.route) {
      case 'unresolved':
        return {
          status: 200,
          body: newestFirst.filter(i => i.status !== 'resolved'),
        };
      case 'list': {
        const limit = Number(request.query.get('limit') ?? 100);
        return { status: 200, body: newestFirst.slice(0, limit) };
      }
      case 'create':
        return this.create(request.body);
      case 'update':
        return this.update(request.path.split('/')[4], request.body);
      default: {
        const found = this.incidents.find(
          i => i.id === request.path.split('/')[4],
        );
        return found
          ? { status: 200, body: found }
          : { status: 404, body: { error: 'Not found' } };
      }
    }
  }

  private create(body: unknown): FakeReply {
    const fields = isObject(body) ? body.incident : undefined;
    if (!isObject(fields)) return unprocessable('incident is missing');
    if (typeof fields.name !== 'string' || !fields.name) {
      return unprocessable("Name can't be blank");
    }
    const now = new Date().toISOString();
    const incident: FakeIncident = {
      id: randomUUID().replace(/-/g, '').slice(0, 12),
      page_id: this.pageId,
      name: fields.name,
      status: 'investigating',
      metadata: {},
      created_at: now,
      resolved_at: null,
      components: [],
      incident_updates: [],
    };
    const problem = this.apply(incident, fields);
    if (problem) return unprocessable(problem);
    this.incidents.push(incident);
    return { status: 201, body: incident };
  }

  private update(id: string, body: unknown): FakeReply {
    const incident = this.incidents.find(i => i.id === id);
    if (!incident) return { status: 404, body: { error: 'Not found' } };
    const fields = isObject(body) ? body.incident : undefined;
    if (!isObject(fields)) return unprocessable('incident is missing');
    const copy = structuredClone(incident);
    const problem = this.apply(copy, fields);
    if (problem) return unprocessable(problem);
    Object.assign(incident, copy);
    return { status: 200, body: incident };
  }

  /** Applies the fields to `incident` (and the components); a problem text otherwise. */
  private apply(incident: FakeIncident, fields: Json): string | undefined {
    if (fields.status !== undefined) {
      if (!INCIDENT_STATUSES.includes(String(fields.status))) {
        return 'Status is not included in the list';
      }
      incident.status = String(fields.status);
      if (incident.status === 'resolved') {
        incident.resolved_at = new Date().toISOString();
      }
    }
    if (fields.name !== undefined) incident.name = String(fields.name);
    if (fields.metadata !== undefined) {
      if (!isObject(fields.metadata)) return 'Metadata must be an object';
      Object.assign(incident.metadata, fields.metadata);
    }
    const statuses = fields.components ?? {};
    if (!isObject(statuses)) return 'Components must be an object';
    const ids = Array.isArray(fields.component_ids)
      ? fields.component_ids.map(String)
      : [];
    for (const [id, status] of Object.entries(statuses)) {
      if (!this.components.has(id)) return `Component ${id} not found`;
      if (!COMPONENT_STATUSES.includes(String(status))) {
        return 'Component status is not included in the list';
      }
      if (!ids.includes(id)) ids.push(id);
    }
    for (const id of ids) {
      const component = this.components.get(id);
      if (!component) return `Component ${id} not found`;
      if (statuses[id] !== undefined) component.status = String(statuses[id]);
    }
    if (ids.length) {
      incident.components = ids.map(id => ({
        id,
        ...this.components.get(id)!,
      }));
    }
    if (typeof fields.body === 'string' && fields.body) {
      incident.incident_updates.unshift({
        id: randomUUID().replace(/-/g, '').slice(0, 12),
        incident_id: incident.id,
        status: incident.status,
        body: fields.body,
        created_at: new Date().toISOString(),
      });
    }
    return undefined;
  }
}
