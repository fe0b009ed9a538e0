import type { AuditorService } from '@backstage/backend-plugin-api';
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { loggerServiceFactory } from '@backstage/backend-defaults/logger';
import {
  ServiceFactoryTester,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/config';
import type { Request } from 'express';
import { auditEventToEcs } from '../audit/ecs';
import { auditorEventToEcs } from './auditorEventToEcs';
import { createOpsRootLogger } from './createOpsRootLogger';
import { ecsRootLoggerServiceFactory } from './ecsRootLoggerServiceFactory';
import { EcsFlat, allowed, captured, fieldNames } from './__testUtils__/ecs';

/** Every name an ECS field, every event value allowed, each type one its category expects. */
function expectValidEcs(doc: any) {
  expect(fieldNames(doc).filter(name => !EcsFlat[name])).toEqual([]);
  expect(allowed('event.kind')).toContain(doc.event.kind);
  expect(allowed('event.outcome')).toContain(doc.event.outcome);
  for (const category of doc.event.category) {
    const def = EcsFlat['event.category'].allowed_values!.find(
      v => v.name === category,
    );
    expect(def).toBeDefined();
    for (const type of doc.event.type) {
      expect(allowed('event.type')).toContain(type);
      expect(def!.expected_event_types).toContain(type);
    }
  }
  if (doc.event.severity !== undefined) {
    expect(EcsFlat['event.severity'].type).toBe('long');
    expect(Number.isInteger(doc.event.severity)).toBe(true);
  }
}

const RAW_KEYS = [
  'isAuditEvent',
  'eventId',
  'severityLevel',
  'actor',
  'request',
  'meta',
  'status',
  'plugin',
  'service',
];

/** An express request as the auditor reads it. */
function fakeRequest(url: string): Request {
  const headers: Record<string, string> = { 'user-agent': 'curl/8.5.0' };
  return {
    ip: '203.0.113.7',
    hostname: 'portal.example.com',
    originalUrl: url,
    method: 'post',
    headers,
    get: (name: string) => headers[name.toLowerCase()],
    header: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

/** Backstage's own auditor service for plugin `pluginId`, on our root logger. */
async function realAuditor(data: JsonObject, pluginId = 'catalog') {
  const out = captured();
  const tester = ServiceFactoryTester.from(auditorServiceFactory, {
    dependencies: [
      mockServices.rootConfig.factory({ data }),
      ecsRootLoggerServiceFactory({ transports: [out.transport] }),
      loggerServiceFactory,
      mockServices.auth.factory(),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.user('user:default/jane'),
      }),
    ],
  });
  const auditor: AuditorService = await tester.getSubject(pluginId);
  // The root logger's own start-up line ("Found 0 new secrets …") left out.
  const started = out.lines.length;
  return {
    auditor,
    get lines() {
      return out.lines.slice(started);
    },
  };
}

const ecsConfig = {
  ops: { logging: { format: 'ecs' } },
  backend: { logger: { level: 'debug' } },
};

describe('auditorEventToEcs', () => {
  const event = {
    plugin: 'catalog',
    eventId: 'entity-mutate',
    severityLevel: 'high',
    actor: {
      actorId: 'user:default/jane',
      ip: '203.0.113.7',
      hostname: 'portal.example.com',
      userAgent: 'curl/8.5.0',
    },
    request: { url: '/api/catalog/entities?token=t0k&x=1#f', method: 'post' },
    meta: { owner: 'jane.doe@example.com', actionType: 'delete' },
    status: 'failed',
    error: { message: 'boom' },
  };

  it('maps every auditor field to its ECS field, in one fixed order', () => {
    const fields = auditorEventToEcs(event);
    expect(fields).toEqual({
      event: {
        kind: 'event',
        category: ['api'],
        type: ['deletion'],
        action: 'catalog.entity-mutate',
        provider: 'catalog',
        module: 'backstage',
        dataset: 'backstage.auditor',
        outcome: 'failure',
        severity: 3,
      },
      user: { id: 'user:default/jane', name: 'jane' },
      source: { ip: '203.0.113.7' },
      client: { ip: '203.0.113.7' },
      user_agent: { original: 'curl/8.5.0' },
      url: { path: '/api/catalog/entities', original: '/api/catalog/entities' },
      http: { request: { method: 'POST' } },
      error: { message: 'boom' },
    });
    expect(Object.keys(fields.event)).toEqual([
      'kind',
      'category',
      'type',
      'action',
      'provider',
      'module',
      'dataset',
      'outcome',
      'severity',
    ]);
    // Neither meta, the query (a token) nor the host name is copied.
    expect(JSON.stringify(fields)).not.toMatch(/jane\.doe|t0k|portal\./);
    expectValidEcs(fields);
  });

  it.each([
    ['auth', 'refresh', 'authentication', 'info'],
    ['auth', 'sign-out', 'authentication', 'end'],
    ['catalog', 'entity-fetch', 'api', 'access'],
    ['catalog', 'location-create', 'api', 'creation'],
    ['scaffolder', 'task-cancel', 'api', 'change'],
    ['catalog', 'entity-delete', 'api', 'deletion'],
    ['permission', 'policy-decision', 'api', 'info'],
  ])('%s %s is %s/%s, values ECS allows', (plugin, eventId, cat, type) => {
    for (const status of ['initiated', 'succeeded', 'failed']) {
      const fields = auditorEventToEcs({
        plugin,
        eventId,
        status,
        severityLevel: 'low',
      });
      expect(fields.event.category).toEqual([cat]);
      expect(fields.event.type).toEqual([type]);
      expectValidEcs(fields);
    }
  });

  it('leaves out what the event does not carry, and ignores odd values', () => {
    expect(
      auditorEventToEcs({
        eventId: 'x',
        severityLevel: 'constructor',
        status: 'toString',
        actor: 'not an object',
        request: ['no'],
      }),
    ).toEqual({
      event: {
        kind: 'event',
        category: ['api'],
        type: ['info'],
        action: 'x',
        module: 'backstage',
        dataset: 'backstage.auditor',
        outcome: 'unknown',
      },
    });
  });
});

describe('auditor lines in ECS mode (Backstage auditor service)', () => {
  it('writes a succeeded event as ECS, raw auditor keys and meta removed', async () => {
    const audit = await realAuditor(ecsConfig);
    const { auditor } = audit;
    const event = await auditor.createEvent({
      eventId: 'entity-mutate',
      severityLevel: 'medium',
      request: fakeRequest('/api/catalog/entities/by-uid/1?token=t0k'),
      meta: { actionType: 'update', owner: 'jane.doe@example.com' },
    });
    await event.success();

    const lines = audit.lines;
    expect(lines).toHaveLength(2);
    const [initiated, succeeded] = lines.map(line => JSON.parse(line));
    expect(succeeded).toEqual({
      '@timestamp': expect.any(String),
      'ecs.version': expect.any(String),
      'log.level': 'info',
      'log.logger': 'catalog',
      message: 'catalog.entity-mutate',
      event: {
        kind: 'event',
        category: ['api'],
        type: ['change'],
        action: 'catalog.entity-mutate',
        provider: 'catalog',
        module: 'backstage',
        dataset: 'backstage.auditor',
        outcome: 'success',
        severity: 2,
      },
      'service.name': 'backstage',
      user: { id: 'user:default/jane', name: 'jane' },
      source: { ip: '203.0.113.7' },
      client: { ip: '203.0.113.7' },
      user_agent: { original: 'curl/8.5.0' },
      url: {
        path: '/api/catalog/entities/by-uid/1',
        original: '/api/catalog/entities/by-uid/1',
      },
      http: { request: { method: 'POST' } },
    });
    expect(initiated.event.outcome).toBe('unknown');
    for (const doc of [initiated, succeeded]) {
      expectValidEcs(doc);
      for (const raw of RAW_KEYS) expect(doc).not.toHaveProperty([raw]);
      // One value per field: no dotted default beside the nested one.
      expect(doc).not.toHaveProperty(['event.dataset']);
    }
    expect(lines.join('\n')).not.toMatch(/jane\.doe|t0k|portal\.example/);
  });

  it('names a catalog entity fetched or changed as service.target, never a user', async () => {
    const audit = await realAuditor(ecsConfig);
    for (const entityRef of [
      'component:default/checkout',
      'user:default/bob',
    ]) {
      const event = await audit.auditor.createEvent({
        eventId: 'entity-fetch',
        request: fakeRequest('/api/catalog/entities/by-refs'),
        meta: { queryType: 'by-name', entityRef },
      });
      await event.success();
    }
    const [component, user] = audit.lines
      .map(line => JSON.parse(line))
      .filter(doc => doc.event.outcome === 'success');
    expect(component.service).toEqual({
      target: { name: 'checkout', id: 'component:default/checkout' },
    });
    expect(component['service.name']).toBe('backstage');
    expectValidEcs(component);
    expect(user).not.toHaveProperty(['service']);
    expect(JSON.stringify(user)).not.toContain('bob');
  });

  it('writes a failed event with outcome failure and error.*', async () => {
    const audit = await realAuditor(ecsConfig, 'scaffolder');
    const { auditor } = audit;
    const event = await auditor.createEvent({
      eventId: 'task-create',
      severityLevel: 'critical',
      request: fakeRequest('/api/scaffolder/v2/tasks'),
    });
    await event.fail({ error: new Error('template not found') });

    const failed = JSON.parse(audit.lines[1]);
    expectValidEcs(failed);
    expect(failed).toMatchObject({
      'log.level': 'info',
      'log.logger': 'scaffolder',
      event: {
        action: 'scaffolder.task-create',
        category: ['api'],
        type: ['creation'],
        outcome: 'failure',
        severity: 4,
      },
      error: { type: 'Error', message: 'template not found' },
    });
    for (const raw of RAW_KEYS) expect(failed).not.toHaveProperty([raw]);
  });

  it('leaves auditor lines unchanged in text mode', async () => {
    const audit = await realAuditor({
      backend: { logger: { level: 'debug' } },
    });
    const { auditor } = audit;
    await auditor.createEvent({
      eventId: 'entity-fetch',
      request: fakeRequest('/api/catalog/entities?x=1'),
      meta: { queryType: 'all' },
    });
    const lines = audit.lines;
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0])).toThrow();
    for (const raw of ['isAuditEvent', 'eventId', 'severityLevel', 'actor']) {
      expect(lines[0]).toContain(raw);
    }
    expect(lines[0]).toContain('queryType');
    expect(lines[0]).toContain('/api/catalog/entities?x=1');
    expect(lines[0]).not.toContain('ecs.version');
    expect(lines[0]).not.toContain('backstage.auditor');
  });
});

describe('ops audit lines in ECS mode', () => {
  it('keep their own service.name and event.dataset, one value each', async () => {
    const out = captured();
    const logger = await createOpsRootLogger({
      config: new ConfigReader({ ops: { logging: { format: 'ecs' } } }),
      transports: [out.transport],
      secretEnumerator: () => [],
    });
    const fields = auditEventToEcs(
      {
        type: 'legal_hold.placed',
        actor: 'user:default/alice',
        at: '2026-12-01T23:30:00.000Z',
        data: { entityRef: 'component:default/payments' },
      },
      { service: 'privacy' },
    );
    logger.child({ plugin: 'privacy' }).info('audit legal_hold.placed', {
      ...fields,
    });
    const doc = JSON.parse(out.lines[0]);
    expectValidEcs(doc);
    expect(doc.service).toEqual({
      name: 'privacy',
      target: { name: 'payments', id: 'component:default/payments' },
    });
    expect(doc.event.dataset).toBe('ops.audit');
    expect(doc).not.toHaveProperty(['service.name']);
    expect(doc).not.toHaveProperty(['event.dataset']);
    expect(doc['log.logger']).toBe('privacy');
  });
});
