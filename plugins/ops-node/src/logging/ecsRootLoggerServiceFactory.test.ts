import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  ServiceFactoryTester,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/config';
import { captured } from './__testUtils__/ecs';
import { ecsRootLoggerServiceFactory } from './ecsRootLoggerServiceFactory';

async function rootLogger(data: JsonObject) {
  const { lines, transport } = captured();
  const tester = ServiceFactoryTester.from(
    ecsRootLoggerServiceFactory({ transports: [transport] }),
    { dependencies: [mockServices.rootConfig.factory({ data })] },
  );
  return { logger: await tester.getSubject(), lines };
}

describe('ecsRootLoggerServiceFactory', () => {
  it('is a root logger factory usable without options', () => {
    expect(ecsRootLoggerServiceFactory.service.id).toBe('core.rootLogger');
  });

  it('logs ECS and redacts values the config schema marks secret', async () => {
    const redisUrl = 'redis://:hunter2-password@redis.internal:6379';
    const { logger, lines } = await rootLogger({
      ops: { logging: { format: 'ecs' }, queue: { redis: { url: redisUrl } } },
    });
    logger.info(`queue at ${redisUrl}`);

    const doc = JSON.parse(lines[lines.length - 1]);
    expect(doc).toMatchObject({
      message: 'queue at ***',
      'service.name': 'backstage',
      'ecs.version': expect.any(String),
    });
    expect(lines.join('\n')).not.toContain('hunter2');
  }, 60_000);

  it('stops start-up on an invalid ops.logging.format', async () => {
    await expect(
      rootLogger({ ops: { logging: { format: 'pretty' } } }),
    ).rejects.toThrow(/ops\.logging\.format/);
  });

  it('serves the plugins of a backend, their lines named by plugin', async () => {
    const { lines, transport } = captured();
    const plugin = createBackendPlugin({
      pluginId: 'probe',
      register(env) {
        env.registerInit({
          deps: { logger: coreServices.logger },
          async init({ logger }) {
            logger.info('probe started');
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        ecsRootLoggerServiceFactory({ transports: [transport] }),
        mockServices.rootConfig.factory({
          data: { ops: { logging: { format: 'ecs' } } },
        }),
        plugin,
      ],
    });
    await backend.stop();
    const probe = lines
      .map(line => JSON.parse(line))
      .find(doc => doc.message === 'probe started');
    expect(probe).toMatchObject({
      'log.logger': 'probe',
      'service.name': 'backstage',
    });
  }, 60_000);
});
