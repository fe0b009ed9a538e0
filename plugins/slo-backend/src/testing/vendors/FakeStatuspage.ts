import {
  FakeReply,
  FakeRequest,
  FakeVendorServer,
  field,
  isObject,
} from './FakeVendorServer';

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

export interface FakeStatuspageUpdate {
  id: string;
  status: string;
  body: string;
  created_at: string;
}

export interface FakeStatuspageIncident {
  id: string;
  name: string;
  status: string;
  /** Newest first, as Statuspage lists them. */
  incident_updates: FakeStatuspageUpdate[];
  components: Array<{ id: string; status: string }>;
}

/**
 * Statuspage REST v1 incidents of one page and component, with
 * `Authorization: OAuth <key>`. Errors come as `{error: ...}`.
 */
export class FakeStatuspage extends FakeVendorServer {
  readonly incidents: FakeStatuspageIncident[] = [];
  /** Component id → status, as the incidents set it. */
  readonly componentStatus = new Map<string, string>();

  constructor(
    readonly apiKey = 'sp-secret-api-key-0123',
    readonly pageId = 'pg0123abcd',
    readonly componentId = 'cmp0123abcd',
  ) {
    super();
    this.componentStatus.set(componentId, 'operational');
  }

  protected badRequest(message: string): FakeReply {
    return { status: 400, body: { error: message } };
  }

  protected handle(request: FakeRequest): FakeReply {
    if (request.headers.authorization !== `OAuth ${this.apiKey}`) {
      return { status: 401, body: { error: 'Could not authenticate' } };
    }
    const base = `/pages/${this.pageId}/incidents`;
    const { method, path } = request;
    if (!path.startsWith(base)) {
      return { status: 404, body: { error: 'Page not found' } };
    }
    const rest = path.slice(base.length);
    if (method === 'GET' && rest === '/unresolved') {
      return {
        status: 200,
        body: this.incidents.filter(i => i.status !== 'resolved'),
      };
    }
    if (method === 'POST' && rest === '') {
      return this.create(request.body);
    }
    const incident = this.incidents.find(i => `/${i.id}` === rest);
    if (!incident) {
      return { status: 404, body: { error: 'Incident not found' } };
    }
    if (method === 'GET') {
      return { status: 200, body: incident };
    }
    if (method === 'PATCH') {
      return this.update(incident, request.body);
    }
    return { status: 405, body: { error: 'Method not allowed' } };
  }

  private check(incident: unknown, creating: boolean): string | undefined {
    if (!isObject(incident)) {
      return 'incident is missing';
    }
    const name = incident.name;
    if (creating && (typeof name !== 'string' || !name.trim())) {
      return "Name can't be blank";
    }
    if (
      incident.status !== undefined &&
      !INCIDENT_STATUSES.includes(String(incident.status))
    ) {
      return 'Status is not included in the list';
    }
    if (incident.body !== undefined && typeof incident.body !== 'string') {
      return 'Body must be a string';
    }
    const ids = incident.component_ids;
    if (
      ids !== undefined &&
      (!Array.isArray(ids) || ids.some(id => id !== this.componentId))
    ) {
      return 'Component ids are invalid';
    }
    const components = incident.components;
    if (components !== undefined) {
      if (!isObject(components)) {
        return 'Components must be an object';
      }
      for (const [id, status] of Object.entries(components)) {
        if (
          id !== this.componentId ||
          !COMPONENT_STATUSES.includes(String(status))
        ) {
          return 'Components are invalid';
        }
      }
    }
    return undefined;
  }

  private addUpdate(incident: FakeStatuspageIncident, body: unknown) {
    const status = field(body, 'incident.status');
    if (typeof status === 'string') {
      incident.status = status;
    }
    const components = field(body, 'incident.components');
    if (isObject(components)) {
      for (const [id, value] of Object.entries(components)) {
        this.componentStatus.set(id, String(value));
      }
      incident.components = [...this.componentStatus].map(([id, s]) => ({
        id,
        status: s,
      }));
    }
    incident.incident_updates.unshift({
      id: `upd${this.incidents.length}${incident.incident_updates.length + 1}`,
      status: incident.status,
      body: String(field(body, 'incident.body') ?? ''),
      created_at: new Date().toISOString(),
    });
  }

  private create(body: unknown): FakeReply {
    const error = this.check(field(body, 'incident'), true);
    if (error) {
      return this.badRequest(error);
    }
    const incident: FakeStatuspageIncident = {
      id: `inc${String(this.incidents.length + 1).padStart(8, '0')}`,
      name: String(field(body, 'incident.name')),
      status: 'investigating',
      incident_updates: [],
      components: [],
    };
    this.incidents.push(incident);
    this.addUpdate(incident, body);
    return { status: 201, body: incident };
  }

  private update(incident: FakeStatuspageIncident, body: unknown): FakeReply {
    const error = this.check(field(body, 'incident'), false);
    if (error) {
      return this.badRequest(error);
    }
    this.addUpdate(incident, body);
    return { status: 200, body: incident };
  }
}
