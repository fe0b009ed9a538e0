import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/config';
import {
  auditEventToEcs,
  createOpsRootLogger,
} from '@internal/plugin-ops-node';
import { Writable } from 'node:stream';
import { transports } from 'winston';
import { normalizeLine, normalizeRecord } from './normalizeLine';

/** Only `Date` is faked: both formats then stamp the same time. */
const NOW = new Date('2026-12-01T10:15:30.123Z');
beforeEach(() => {
  jest.useFakeTimers({
    now: NOW,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
});
afterEach(() => jest.useRealTimers());

const env = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = env;
});

/**
 * The portal's root logger (ops-node) in `json` (Backstage's JSON, as under
 * NODE_ENV=production) or `ecs` format; `log` logs, then gives the lines.
 */
async function portalLogger(format: 'json' | 'ecs') {
  process.env.NODE_ENV = 'production';
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = await createOpsRootLogger({
    config: new ConfigReader({ ops: { logging: { format } } }),
    transports: [new transports.Stream({ stream })],
    secretEnumerator: () => [],
  });
  return { logger, lines };
}

/** The same entry written in both formats, each line normalized. */
async function bothFormats(
  write: (logger: Awaited<ReturnType<typeof portalLogger>>['logger']) => void,
) {
  const results = [];
  for (const format of ['json', 'ecs'] as const) {
    const { logger, lines } = await portalLogger(format);
    write(logger);
    expect(lines).toHaveLength(1);
    results.push({ line: lines[0], result: normalizeLine(lines[0]) });
  }
  return results;
}

function event(text: string) {
  const result = normalizeLine(text);
  expect(result.problem).toBeUndefined();
  return result.event as any;
}

describe('the portal’s own lines give one document in either format', () => {
  it('an access line (opsAccessLogging meta, through rootHttpRouter)', async () => {
    const meta = {
      type: 'incomingRequest',
      method: 'POST',
      url: '/api/auth/github/handler/frame?code=oauthcode&state=st',
      status: 401,
      httpVersion: '1.1',
      userAgent: 'curl/8.5.0',
      contentLength: 17,
      referrer: 'https://portal.example.com/?token=reftoken',
      remoteAddr: '203.0.113.7',
      durationMs: 12.3456789,
    };
    const [json, ecs] = await bothFormats(logger =>
      logger
        .child({ service: 'rootHttpRouter' })
        .info(`"POST ${meta.url} HTTP/1.1" 401 17`, meta),
    );
    expect(ecs.line).toContain('"ecs.version"');
    expect(JSON.stringify(ecs.result)).toBe(JSON.stringify(json.result));
    expect(ecs.result.event).toEqual({
      '@timestamp': NOW.toISOString(),
      ecs: { version: '9.4.0' },
      log: { level: 'info', logger: 'rootHttpRouter' },
      service: { name: 'backstage' },
      event: {
        kind: 'event',
        module: 'backstage',
        dataset: 'backstage.access',
        duration: 12_345_679,
        outcome: 'failure',
        category: ['web'],
        type: ['error'],
      },
      http: {
        request: { method: 'POST' },
        response: { status_code: 401, body: { bytes: 17 } },
        version: '1.1',
      },
      url: {
        path: '/api/auth/github/handler/frame',
        original: '/api/auth/github/handler/frame',
      },
      client: { ip: '203.0.113.7' },
      source: { ip: '203.0.113.7' },
      user_agent: { original: 'curl/8.5.0' },
    });
  });

  it('an ops audit line (as the AuditChainer logs it) and the event itself', async () => {
    const auditEvent = {
      recordId: 'hold-7',
      type: 'legal_hold.placed',
      actor: 'user:default/dpo',
      at: '2026-12-01T23:30:00.000Z',
      seq: 12,
      hash: 'ab'.repeat(32),
      data: {
        subjectHash: 'CD'.repeat(32),
        entityRef: 'component:default/payments',
        traceId: 'ef'.repeat(16),
        email: 'jane@example.com',
      },
    };
    const fields = auditEventToEcs(auditEvent, { service: 'privacy' });
    const [json, ecs] = await bothFormats(logger =>
      logger
        .child({ plugin: 'privacy' })
        .info(`audit ${auditEvent.type}`, { ...fields }),
    );
    const direct = normalizeLine(JSON.stringify(auditEvent));
    expect(direct.event?.event?.dataset).toBe('ops.audit');
    expect(JSON.stringify(json.result)).toBe(JSON.stringify(direct));
    expect(JSON.stringify(ecs.result)).toBe(JSON.stringify(direct));
    // The event's time, not the log line's: the after-hours rule reads it.
    expect(ecs.result.event?.['@timestamp']).toBe(auditEvent.at);
    expect(ecs.result.event?.labels).toEqual({
      record_id: 'hold-7',
      ops_privileged: 'true',
    });
  });

  it('a Backstage auditor line', async () => {
    const auditorEvent = {
      isAuditEvent: true,
      plugin: 'catalog',
      eventId: 'entity-fetch',
      severityLevel: 'low',
      actor: {
        actorId: 'user:default/jane',
        ip: '203.0.113.7',
        hostname: 'portal.example.com',
        userAgent: 'curl/8.5.0',
      },
      request: { url: '/api/catalog/entities?filter=x', method: 'GET' },
      meta: { queryType: 'all', owner: 'jane@example.com' },
      status: 'succeeded',
    };
    const [json, ecs] = await bothFormats(logger =>
      logger
        .child({ plugin: 'catalog' })
        .info('catalog.entity-fetch', auditorEvent),
    );
    expect(json.line).toContain('isAuditEvent');
    expect(ecs.line).not.toContain('isAuditEvent');
    expect(JSON.stringify(ecs.result)).toBe(JSON.stringify(json.result));
    expect(ecs.result.event?.event?.action).toBe('catalog.entity-fetch');
  });
});

describe('ECS pass-through', () => {
  it('nests dotted keys; a nested value wins over a dotted one', () => {
    const doc = event(
      JSON.stringify({
        '@timestamp': '2026-12-01T10:00:00+01:00',
        'ecs.version': '8.10.0',
        'log.level': 'warn',
        'log.logger': 'catalog',
        message: 'slow query',
        'service.name': 'backstage',
        'event.dataset': 'backstage',
        event: { dataset: 'catalog.refresh', kind: 'metric' },
        'http.request.method': 'GET',
        custom_field: 3,
      }),
    );
    expect(doc).toEqual({
      '@timestamp': '2026-12-01T09:00:00.000Z',
      ecs: { version: '9.4.0' },
      log: { level: 'warn', logger: 'catalog' },
      message: 'slow query',
      service: { name: 'backstage' },
      event: { dataset: 'catalog.refresh', kind: 'metric' },
      http: { request: { method: 'GET' } },
      custom_field: 3,
    });
  });

  it('reads a nested ecs.version, and drops nulls and non-object groups', () => {
    const doc = event(
      JSON.stringify({
        '@timestamp': 1764583200000,
        ecs: { version: '9.4.0' },
        message: 'hello',
        user: 'not an object',
        'host.name': null,
        labels: 'x',
        source: { ip: '198.51.100.1', geo: 7 },
        'source.port': 443,
      }),
    );
    expect(doc).toEqual({
      '@timestamp': '2025-12-01T10:00:00.000Z',
      ecs: { version: '9.4.0' },
      message: 'hello',
      source: { ip: '198.51.100.1', port: 443 },
    });
  });

  it('needs a valid @timestamp, and an ecs.version to be recognized', () => {
    const base = { 'ecs.version': '8.10.0', message: 'x' };
    expect(
      normalizeLine(JSON.stringify({ ...base, '@timestamp': 'soon' })),
    ).toEqual({ problem: 'no_timestamp' });
    expect(normalizeLine(JSON.stringify(base))).toEqual({
      problem: 'unrecognized',
    });
    expect(
      normalizeLine(JSON.stringify({ '@timestamp': NOW, message: 'x' })),
    ).toEqual({ problem: 'unrecognized' });
  });

  it('takes serviceName only when the line names no service', () => {
    const line = { '@timestamp': NOW, 'ecs.version': '8.10.0', message: 'x' };
    const named = { ...line, 'service.name': 'edge' };
    const options = { serviceName: 'svc' };
    expect(normalizeLine(JSON.stringify(line), options).event?.service).toEqual(
      { name: 'svc' },
    );
    expect(
      normalizeLine(JSON.stringify(named), options).event?.service,
    ).toEqual({ name: 'edge' });
  });

  it('passes through a plain line of the portal’s ECS logger', async () => {
    const { logger, lines } = await portalLogger('ecs');
    logger.child({ plugin: 'catalog' }).warn('Processed 12 entities');
    expect(event(lines[0])).toEqual({
      '@timestamp': NOW.toISOString(),
      ecs: { version: '9.4.0' },
      event: { dataset: 'backstage' },
      log: { level: 'warn', logger: 'catalog' },
      message: 'Processed 12 entities',
      service: { name: 'backstage' },
    });
  });
});

describe('normalizeRecord', () => {
  function deepFreeze<T>(value: T): T {
    if (value && typeof value === 'object') {
      Object.values(value).forEach(deepFreeze);
      Object.freeze(value);
    }
    return value;
  }

  it('gives what normalizeLine gives for the line, without changing the record', () => {
    const records: JsonObject[] = [
      {
        '@timestamp': '2026-12-01T10:00:00.000Z',
        'ecs.version': '8.10.0',
        'log.level': 'info',
        event: { dataset: 'backstage.auditor', kind: 'event' },
        'event.dataset': 'backstage',
      },
      { level: 'info', message: 'hi', timestamp: '2026-12-01 10:00:00' },
      { level: 30, time: 0, msg: 'hi' },
      { what: 'ever' },
    ];
    for (const record of records) {
      const copy = JSON.parse(JSON.stringify(record));
      expect(normalizeRecord(deepFreeze(record))).toEqual(
        normalizeLine(JSON.stringify(record)),
      );
      expect(record).toEqual(copy);
    }
  });

  it('refuses what is not an object', () => {
    expect(normalizeRecord([] as unknown as JsonObject)).toEqual({
      problem: 'not_an_object',
    });
    expect(normalizeRecord(null as unknown as JsonObject)).toEqual({
      problem: 'not_an_object',
    });
  });
});
