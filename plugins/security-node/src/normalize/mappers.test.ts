import { normalizeLine } from './normalizeLine';

const HASH = 'a'.repeat(64);
const event = (value: unknown) => {
  const result = normalizeLine(JSON.stringify(value));
  expect(result.problem).toBeUndefined();
  return result.event as any;
};

describe('backstage log lines', () => {
  it('maps a plain winston line', () => {
    const doc = event({
      level: 'warn',
      message: 'slow query',
      service: 'backstage',
      plugin: 'catalog',
      timestamp: '2025-03-04 10:00:00',
      trace_id: 't1',
    });
    expect(doc).toEqual({
      '@timestamp': '2025-03-04T10:00:00.000Z',
      ecs: { version: '9.4.0' },
      message: 'slow query',
      log: { level: 'warn' },
      service: { name: 'backstage' },
      event: {
        kind: 'event',
        module: 'backstage',
        dataset: 'backstage.catalog',
      },
      trace: { id: 't1' },
    });
  });

  it('maps an access line and strips its query string', () => {
    const doc = event({
      level: 'info',
      message: '"GET /x?token=s3cret HTTP/1.1" 401 0 "-" "curl/8"',
      type: 'incomingRequest',
      method: 'get',
      url: '/api/x?token=s3cret#frag',
      status: 401,
      userAgent: 'curl/8',
      ip: '203.0.113.1',
      durationMs: 2.5,
      timestamp: '2025-03-04T10:00:00Z',
    });
    expect(JSON.stringify(doc)).not.toContain('s3cret');
    expect(doc.message).toBeUndefined();
    expect(doc.http).toEqual({
      request: { method: 'GET' },
      response: { status_code: 401 },
    });
    expect(doc.url).toEqual({ path: '/api/x', original: '/api/x' });
    expect(doc.source.ip).toBe('203.0.113.1');
    expect(doc.client.ip).toBe('203.0.113.1');
    expect(doc.user_agent.original).toBe('curl/8');
    expect(doc.event).toMatchObject({
      duration: 2_500_000,
      outcome: 'failure',
      category: ['web'],
      type: ['error'],
    });
  });
});

describe('DSAR intake access lines', () => {
  const access = (method: string, url: string, status: number) =>
    event({
      level: 'info',
      message: `"${method} ${url} HTTP/1.1" ${status}`,
      type: 'incomingRequest',
      method,
      url,
      status,
      ip: '203.0.113.5',
      timestamp: '2025-03-04T10:00:00Z',
    });

  it('marks a 2xx POST to the privacy intake routes as a new privacy request', () => {
    expect(access('POST', '/api/privacy/export', 201).event.action).toBe(
      'privacy.request.created',
    );
    expect(access('POST', '/api/privacy/delete/', 200).event.action).toBe(
      'privacy.request.created',
    );
  });

  it('leaves refused, read and other routes alone', () => {
    for (const doc of [
      access('POST', '/api/privacy/export', 429),
      access('GET', '/api/privacy/export', 200),
      access('POST', '/api/privacy/exports', 201),
      access('POST', '/api/privacy/requests/x/approve', 200),
    ]) {
      expect(doc.event.action).toBeUndefined();
    }
  });

  it('marks the portal’s own ECS access lines too', () => {
    const doc = event({
      '@timestamp': '2025-03-05T00:20:02.000Z',
      'ecs.version': '8.10.0',
      'event.kind': 'event',
      'event.category': ['web'],
      'event.type': ['access'],
      'http.request.method': 'POST',
      'http.response.status_code': 202,
      'source.ip': '203.0.113.5',
      'url.path': '/api/privacy/delete',
      'service.name': 'backstage',
    });
    expect(doc.event.action).toBe('privacy.request.created');
  });
});

describe('backstage auditor events', () => {
  const base = {
    isAuditEvent: true,
    service: 'backstage',
    plugin: 'catalog',
    eventId: 'entity-mutate',
    severityLevel: 'medium',
    actor: { actorId: 'user:default/jane', ip: '192.0.2.1', userAgent: 'ua' },
    request: { url: '/api/catalog/entities?secret=1', method: 'delete' },
    meta: { entityRef: 'component:default/private' },
    status: 'failed',
    level: 'info',
    message: 'catalog.entity-mutate',
    timestamp: '2025-03-04T10:00:00.000Z',
  };

  it('maps actor, request, status and severity; leaves meta out', () => {
    const doc = event(base);
    expect(doc.event).toMatchObject({
      kind: 'event',
      category: ['api'],
      type: ['change'],
      action: 'catalog.entity-mutate',
      outcome: 'failure',
      severity: 2,
    });
    expect(doc.user).toEqual({ id: 'user:default/jane', name: 'jane' });
    expect(doc.source.ip).toBe('192.0.2.1');
    expect(doc.url.original).toBe('/api/catalog/entities');
    expect(doc.http.request.method).toBe('DELETE');
    expect(JSON.stringify(doc)).not.toContain('private');
  });

  it('makes auth plugin events authentication events', () => {
    const doc = event({
      ...base,
      plugin: 'auth',
      eventId: 'offline-sessions-revoke',
      status: 'succeeded',
    });
    expect(doc.event.category).toEqual(['authentication']);
    expect(doc.event.type).toEqual(['end']);
    expect(doc.event.outcome).toBe('success');
  });
});

describe('pino lines', () => {
  it('maps level, time, msg and pino-http fields', () => {
    const doc = event({
      level: 50,
      time: 1741082400000,
      msg: 'boom',
      name: 'edge',
      pid: 7,
      hostname: 'h1',
      req: {
        method: 'POST',
        url: '/login?code=xyz',
        remoteAddress: '198.51.100.2',
        headers: { 'user-agent': 'ua' },
      },
      res: { statusCode: 200 },
      responseTime: 10,
    });
    expect(doc['@timestamp']).toBe('2025-03-04T10:00:00.000Z');
    expect(doc.log.level).toBe('error');
    expect(doc.message).toBe('boom');
    expect(doc.service.name).toBe('edge');
    expect(doc.process.pid).toBe(7);
    expect(doc.url.path).toBe('/login');
    expect(doc.event).toMatchObject({
      duration: 10_000_000,
      outcome: 'success',
    });
  });
});

describe('kubernetes events', () => {
  it('maps a core v1 Event', () => {
    const doc = event({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'shop', uid: 'e1' },
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      reason: 'BackOff',
      message: 'Back-off',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-1' },
      lastTimestamp: '2025-03-04T10:00:00Z',
    });
    expect(doc.event).toMatchObject({ action: 'BackOff', provider: 'kubelet' });
    expect(doc.log.level).toBe('warning');
    expect(doc.orchestrator).toEqual({
      type: 'kubernetes',
      api_version: 'v1',
      namespace: 'shop',
      resource: { type: 'pod', name: 'web-1' },
    });
  });

  it('maps an events.k8s.io/v1 Event', () => {
    const doc = event({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {},
      regarding: { kind: 'Deployment', namespace: 'a', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up',
      type: 'Normal',
      reportingController: 'deployment-controller',
      eventTime: '2025-03-04T10:00:00.123456Z',
    });
    expect(doc['@timestamp']).toBe('2025-03-04T10:00:00.123Z');
    expect(doc.message).toBe('Scaled up');
    expect(doc.event.provider).toBe('deployment-controller');
  });
});

describe('kubernetes audit', () => {
  const line = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: 'id1',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?x=1',
    verb: 'create',
    user: { username: 'ci-bot', uid: 'u1' },
    sourceIPs: ['192.0.2.10', '10.0.0.1'],
    userAgent: 'kubectl',
    objectRef: {
      resource: 'clusterrolebindings',
      name: 'admin',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestReceivedTimestamp: '2025-03-04T10:00:00.000000Z',
    stageTimestamp: '2025-03-04T10:00:00.020000Z',
  };

  it('maps verb, user, IPs, status and duration', () => {
    const doc = event(line);
    expect(doc.event).toMatchObject({
      action: 'create',
      id: 'id1',
      outcome: 'success',
      duration: 20_000_000,
      category: ['iam'],
      type: ['admin', 'creation'],
    });
    expect(doc.user).toEqual({ name: 'ci-bot', id: 'u1' });
    expect(doc.source.ip).toBe('192.0.2.10');
    expect(doc.related.ip).toEqual(['192.0.2.10', '10.0.0.1']);
    expect(doc.url.original).toBe(
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    );
    expect(doc.http.response.status_code).toBe(201);
  });

  it('calls a denied read an api access failure', () => {
    const doc = event({
      ...line,
      verb: 'get',
      objectRef: { resource: 'secrets' },
      responseStatus: { code: 403 },
    });
    expect(doc.event).toMatchObject({
      category: ['api'],
      type: ['access'],
      outcome: 'failure',
    });
  });
});

describe('ops audit events', () => {
  it('maps a chained event with the subject as its keyed hash', () => {
    const doc = event({
      seq: 3,
      recordId: 'r1',
      type: 'consent.changed',
      actor: 'user:default/bot',
      at: '2025-03-04T10:00:00.000Z',
      data: { subjectHash: HASH.toUpperCase(), purpose: 'ads', granted: false },
      hash: 'h3',
      prevHash: 'h2',
    });
    expect(doc.event).toMatchObject({
      kind: 'event',
      category: ['database'],
      type: ['change'],
      action: 'privacy.consent.changed',
      outcome: 'success',
      id: 'h3',
      sequence: 3,
    });
    expect(doc.user).toEqual({
      id: 'user:default/bot',
      name: 'bot',
      target: { id: HASH },
    });
    expect(doc.service.name).toBe('privacy');
    expect(JSON.stringify(doc)).not.toContain('ads');
  });

  it('never copies a raw subject id', () => {
    const doc = event({
      recordId: null,
      type: 'request.received',
      actor: 'user:default/a',
      at: '2025-03-04T10:00:00.000Z',
      data: { subjectId: 'jane@example.com', subjectHash: 'jane@example.com' },
      sourceIp: '203.0.113.9',
    });
    expect(JSON.stringify(doc)).not.toContain('jane@example.com');
    expect(doc.user.target).toBeUndefined();
    expect(doc.source.ip).toBe('203.0.113.9');
    expect(doc.event.category).toEqual(['database']);
  });

  it('takes the outcome from data and marks privileged actions', () => {
    const failed = event({
      type: 'scaffolder.action',
      actor: 'user:default/oncall',
      at: '2025-03-04T10:00:00.000Z',
      data: { outcome: 'failed', entityRef: 'component:default/web' },
    });
    expect(failed.event.outcome).toBe('failure');
    expect(failed.service).toEqual({
      name: 'scaffolder',
      target: { name: 'web', id: 'component:default/web' },
    });
    expect(failed.labels?.ops_privileged).toBeUndefined();
    const rollback = event({
      type: 'rollback.completed',
      actor: 'user:default/oncall',
      at: '2025-03-04T10:00:00.000Z',
      data: {},
    });
    expect(rollback.labels.ops_privileged).toBe('true');
  });

  it('reports a line without a usable time', () => {
    expect(
      normalizeLine(
        JSON.stringify({ type: 'x.y', actor: 'a', at: 'never', data: {} }),
      ),
    ).toEqual({ problem: 'no_timestamp' });
  });
});
