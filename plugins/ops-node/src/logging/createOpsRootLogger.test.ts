import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/config';
import { createOpsRootLogger } from './createOpsRootLogger';
import { EcsFlat, allowed, captured, fieldNames } from './__testUtils__/ecs';

async function makeLogger(data: JsonObject, secrets: string[] = []) {
  const out = captured();
  const logger = await createOpsRootLogger({
    config: new ConfigReader(data),
    transports: [out.transport],
    secretEnumerator: () => secrets,
  });
  return { logger, lines: out.lines };
}

const accessMeta = {
  type: 'incomingRequest',
  method: 'GET',
  url: '/api/auth/github/handler/frame?code=oauthcode&state=st&page=2',
  status: 401,
  httpVersion: '1.1',
  userAgent: 'curl/8.5.0',
  contentLength: 17,
  referrer: 'https://portal.example.com/?token=reftoken',
  remoteAddr: '203.0.113.7',
  durationMs: 12.3456789,
};
const accessMessage = `"GET ${accessMeta.url} HTTP/1.1" 401 17 "${accessMeta.referrer}" "curl/8.5.0"`;

describe('createOpsRootLogger with ops.logging.format: ecs', () => {
  const ecsConfig = { ops: { logging: { format: 'ecs' } } };

  it('maps an access line to ECS http, url, user_agent, client and event fields', async () => {
    const { logger, lines } = await makeLogger(ecsConfig);
    logger.child({ service: 'rootHttpRouter' }).info(accessMessage, accessMeta);

    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc).toMatchObject({
      'ecs.version': expect.any(String),
      '@timestamp': expect.any(String),
      'log.level': 'info',
      'log.logger': 'rootHttpRouter',
      'service.name': 'backstage',
      'event.kind': 'event',
      'event.category': ['web'],
      'event.type': ['access'],
      'event.outcome': 'failure',
      'http.request.method': 'GET',
      'http.response.status_code': 401,
      'http.response.body.bytes': 17,
      'http.version': '1.1',
      'http.request.referrer': 'https://portal.example.com/?token=***',
      'url.path': '/api/auth/github/handler/frame',
      'url.original':
        '/api/auth/github/handler/frame?code=***&state=***&page=2',
      'url.query': 'code=***&state=***&page=2',
      'user_agent.original': 'curl/8.5.0',
      'client.ip': '203.0.113.7',
      'source.ip': '203.0.113.7',
      'event.duration': 12_345_679,
    });
    for (const raw of [
      'remoteAddr',
      'durationMs',
      'type',
      'method',
      'url',
      'status',
      'service',
      'userAgent',
    ]) {
      expect(doc).not.toHaveProperty([raw]);
    }
    // No token, OAuth code or state anywhere in the line, message included.
    expect(lines[0]).not.toMatch(/oauthcode|=st&|reftoken/);
    expect(doc.message).toContain('frame?code=***&state=***&page=2');
  });

  it('leaves event.duration out when the line has no duration', async () => {
    const { logger, lines } = await makeLogger(ecsConfig);
    const { durationMs: _omitted, ...withoutDuration } = accessMeta;
    logger.info(accessMessage, withoutDuration);
    expect(JSON.parse(lines[0])).not.toHaveProperty(['event.duration']);
  });

  it('marks responses below 400 as success', async () => {
    const { logger, lines } = await makeLogger(ecsConfig);
    logger.info('ok', { ...accessMeta, status: 204, url: '/health' });
    expect(JSON.parse(lines[0])).toMatchObject({
      'event.outcome': 'success',
      'url.path': '/health',
    });
  });

  it('emits only ECS field names, with allowed event values', async () => {
    const { logger, lines } = await makeLogger(ecsConfig);
    logger.info(accessMessage, accessMeta);
    logger.child({ plugin: 'catalog' }).info('Processed 12 entities');
    logger.error('Task failed', new Error('boom') as unknown as JsonObject);

    expect(lines).toHaveLength(3);
    const docs = lines.map(line => JSON.parse(line));
    for (const doc of docs) {
      const unknown = fieldNames(doc).filter(name => !EcsFlat[name]);
      expect(unknown).toEqual([]);
    }
    const access = docs[0];
    expect(allowed('event.kind')).toContain(access['event.kind']);
    expect(allowed('event.outcome')).toContain(access['event.outcome']);
    const web = EcsFlat['event.category'].allowed_values!.find(
      v => v.name === 'web',
    )!;
    expect(access['event.category']).toEqual([web.name]);
    for (const type of access['event.type']) {
      expect(web.expected_event_types).toContain(type);
      expect(allowed('event.type')).toContain(type);
    }

    expect(docs[1]).toMatchObject({
      message: 'Processed 12 entities',
      'log.logger': 'catalog',
      'service.name': 'backstage',
    });
    expect(docs[1]).not.toHaveProperty(['event.kind']);
    expect(docs[2]).toMatchObject({
      'log.level': 'error',
      error: {
        type: 'Error',
        message: 'boom',
        stack_trace: expect.stringContaining('Error: boom'),
      },
    });
  });

  it('redacts configured secrets, except allowlisted ones', async () => {
    const { logger, lines } = await makeLogger(
      { ...ecsConfig, backend: { logger: { redactAllowlist: ['visible'] } } },
      ['s3cr3t-value', 'visible'],
    );
    logger.info('connecting with s3cr3t-value and visible', {
      detail: 'again s3cr3t-value',
    });
    expect(lines[0]).not.toContain('s3cr3t-value');
    expect(JSON.parse(lines[0])).toMatchObject({
      message: 'connecting with *** and visible',
      detail: 'again ***',
    });
  });

  it('keeps the level, the meta and the level overrides of backend.logger', async () => {
    const { logger, lines } = await makeLogger({
      ...ecsConfig,
      backend: {
        logger: {
          level: 'warn',
          meta: { service: 'portal' },
          overrides: [{ matchers: { plugin: 'catalog' }, level: 'debug' }],
        },
      },
    });
    logger.info('dropped');
    logger.warn('kept');
    logger.child({ plugin: 'catalog' }).debug('catalog detail');
    expect(lines.map(line => JSON.parse(line))).toEqual([
      expect.objectContaining({ message: 'kept', 'service.name': 'portal' }),
      expect.objectContaining({
        message: 'catalog detail',
        'log.level': 'debug',
        'log.logger': 'catalog',
      }),
    ]);
  });
});

describe('createOpsRootLogger without ecs', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it.each([{}, { ops: { logging: { format: 'text' } } }])(
    'writes Backstage text lines, access meta untouched (%j)',
    async data => {
      const { logger, lines } = await makeLogger(data, ['s3cr3t-value']);
      logger.info(accessMessage, accessMeta);
      logger.info('token s3cr3t-value');
      expect(() => JSON.parse(lines[0])).toThrow();
      expect(lines[0]).toContain('backstage');
      expect(lines[0]).toContain(accessMessage);
      expect(lines[0]).toContain('type');
      expect(lines[0]).not.toContain('ecs.version');
      expect(lines[1]).toContain('token ***');
    },
  );

  it('writes Backstage JSON under NODE_ENV=production with format json', async () => {
    process.env.NODE_ENV = 'production';
    const { logger, lines } = await makeLogger({
      ops: { logging: { format: 'json' } },
    });
    logger.info(accessMessage, accessMeta);
    expect(JSON.parse(lines[0])).toEqual({
      ...accessMeta,
      level: 'info',
      message: accessMessage,
      service: 'backstage',
      timestamp: expect.any(String),
    });
  });

  it('rejects an unknown override level', async () => {
    await expect(
      makeLogger({
        backend: {
          logger: { overrides: [{ matchers: { plugin: 'x' }, level: 'loud' }] },
        },
      }),
    ).rejects.toThrow(/backend\.logger\.overrides\.0\.level.*must be one of/);
  });

  it('rejects an unknown format, naming the key and the allowed values', async () => {
    await expect(
      makeLogger({ ops: { logging: { format: 'xml' } } }),
    ).rejects.toThrow(
      /ops\.logging\.format.*'text' \| 'json' \| 'ecs', received 'xml'/,
    );
  });
});
