import {
  FakeReply,
  FakeRequest,
  FakeVendorServer,
  field,
  isObject,
  missingStrings,
} from './FakeVendorServer';

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** An event PagerDuty accepted. */
export interface FakePagerDutyEvent {
  eventAction: string;
  dedupKey: string;
  body: Record<string, unknown>;
}

/** An incident as the events made it: one per open dedup key. */
export interface FakePagerDutyIncident {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
}

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): checks the event as
 * documented and answers 202 `{status, message, dedup_key}`, or 400
 * `{status: 'invalid event', message, errors}`. Events with the same
 * `dedup_key` act on the same open incident.
 */
export class FakePagerDuty extends FakeVendorServer {
  readonly events: FakePagerDutyEvent[] = [];
  readonly incidents: FakePagerDutyIncident[] = [];

  constructor(readonly routingKey = 'R0UTINGKEY0000000000000000000000') {
    super();
  }

  protected badRequest(message: string, errors: string[] = []): FakeReply {
    return {
      status: 400,
      body: { status: 'invalid event', message, errors },
    };
  }

  protected handle(request: FakeRequest): FakeReply {
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') {
      return {
        status: 404,
        body: { status: 'not found', message: 'Not found' },
      };
    }
    const body = request.body;
    if (!isObject(body)) {
      return this.badRequest('Event object is invalid', ['body is not JSON']);
    }
    if (body.routing_key !== this.routingKey) {
      return this.badRequest('Event object is invalid', [
        "'routing_key' is invalid",
      ]);
    }
    const action = String(body.event_action);
    if (!ACTIONS.includes(action)) {
      return this.badRequest('Event object is invalid', [
        "'event_action' is invalid",
      ]);
    }
    const errors: string[] = [];
    if (action === 'trigger') {
      errors.push(
        ...missingStrings(body, [
          'payload.summary',
          'payload.source',
          'payload.severity',
        ]).map(f => `'${f}' is missing or blank`),
      );
      if (!SEVERITIES.includes(String(field(body, 'payload.severity')))) {
        errors.push("'payload.severity' is invalid");
      }
      const timestamp = field(body, 'payload.timestamp');
      if (
        timestamp !== undefined &&
        Number.isNaN(Date.parse(String(timestamp)))
      ) {
        errors.push("'payload.timestamp' is invalid");
      }
      const summary = field(body, 'payload.summary');
      if (typeof summary === 'string' && summary.length > 1024) {
        errors.push("'payload.summary' is too long");
      }
    } else if (typeof body.dedup_key !== 'string' || !body.dedup_key) {
      errors.push("'dedup_key' is required for acknowledge and resolve");
    }
    if (body.links !== undefined) {
      const links = Array.isArray(body.links) ? body.links : [];
      if (
        !Array.isArray(body.links) ||
        links.some(link => typeof field(link, 'href') !== 'string')
      ) {
        errors.push("'links' is invalid");
      }
    }
    if (errors.length) {
      return this.badRequest('Event object is invalid', errors);
    }

    const dedupKey =
      typeof body.dedup_key === 'string' && body.dedup_key
        ? body.dedup_key
        : `generated-${this.events.length + 1}`;
    this.events.push({ eventAction: action, dedupKey, body });
    const open = this.incidents.find(
      i => i.dedupKey === dedupKey && i.status !== 'resolved',
    );
    if (action === 'trigger' && !open) {
      this.incidents.push({
        dedupKey,
        status: 'triggered',
        summary: String(field(body, 'payload.summary')),
      });
    } else if (open && action === 'acknowledge') {
      open.status = 'acknowledged';
    } else if (open && action === 'resolve') {
      open.status = 'resolved';
    }
    return {
      status: 202,
      body: {
        status: 'success',
        message: 'Event processed',
        dedup_key: dedupKey,
      },
    };
  }
}
