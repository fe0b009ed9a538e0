import { TestDatabases } from '@backstage/backend-test-utils';
import type { LogTap } from '@internal/plugin-ops-node';
import { seedRules } from '@internal/plugin-security-node';
import { liveLog } from '../__testUtils__/liveLog';
import { ManualTimer } from '../__testUtils__/manualTimer';
import { storeServices } from '../__testUtils__/storeServices';
import { SECURITY_ALERTS_TABLE, SECURITY_ALERT_EVENTS_TABLE } from '../alerts';
import { LivePipeline, type LivePipelineOptions } from './LivePipeline';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * The live pipeline storing into the real AlertStore, as the plugin wires
 * them, with retries fired by hand.
 */
describe.each(databases.eachSupportedId())(
  'LivePipeline storing alerts on %p',
  databaseId => {
    async function setup(
      onAlert?: (
        services: Awaited<ReturnType<typeof storeServices>>,
      ) => LivePipelineOptions['onAlert'],
    ) {
      const services = await storeServices(databases, databaseId);
      const { store, clock } = services;
      const log = await liveLog();
      const timer = new ManualTimer();
      const logger = { warn: jest.fn(), info: jest.fn() };
      const pipeline = new LivePipeline({
        tap: log.tap as LogTap,
        rules: seedRules({ timezone: 'Europe/Berlin' }),
        now: () => new Date(clock.ms),
        retryTimer: timer.timer,
        logger,
        onAlert:
          onAlert?.(services) ??
          ((alert, { raisedAt }) =>
            store.insert(alert, { windowSeconds: 300, raisedAt })),
      });
      pipeline.start();
      const bruteForce = async () => {
        for (let i = 0; i < 5; i++) {
          log.access({ ip: '203.0.113.7', status: 401 });
        }
        await pipeline.idle();
      };
      const eventRows = async () => {
        const [{ count }] = await services
          .knex(SECURITY_ALERT_EVENTS_TABLE)
          .count({ count: '*' });
        return Number(count);
      };
      return { ...services, timer, logger, pipeline, bruteForce, eventRows };
    }

    it('keeps an alert pending while its table is away and stores it once, with its raise time, when it is back', async () => {
      const {
        knex,
        store,
        outbox,
        clock,
        timer,
        logger,
        pipeline,
        bruteForce,
      } = await setup();
      const raisedAt = new Date(clock.ms).toISOString();
      await knex.schema.renameTable(SECURITY_ALERTS_TABLE, 'alerts_away');

      await bruteForce();
      expect(pipeline.stats()).toMatchObject({
        alerts: 1,
        pendingAlerts: 1,
        alertsDropped: 0,
      });
      expect(timer.delays).toEqual([1000]);
      // Still away: one more warning, a longer wait.
      await timer.fire();
      expect(pipeline.stats().pendingAlerts).toBe(1);
      expect(timer.delays).toEqual([1000, 2000]);
      expect(logger.warn).toHaveBeenCalledTimes(2);
      for (const [message] of logger.warn.mock.calls) {
        expect(message).toContain('1 alert(s) could not be stored');
        expect(message).not.toContain('203.0.113');
      }

      await knex.schema.renameTable('alerts_away', SECURITY_ALERTS_TABLE);
      clock.ms += 10 * 60_000;
      await timer.fire();
      expect(pipeline.stats()).toMatchObject({ alerts: 1, pendingAlerts: 0 });
      expect(timer.waiting).toBe(0);
      expect(logger.info).toHaveBeenCalledTimes(1);

      const { items } = await store.list({}, { offset: 0, limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        ruleId: 'brute-force',
        groupKey: '203.0.113.7',
        count: 5,
        raisedAt,
      });
      expect((await store.get(items[0].id)).events).toHaveLength(5);
      expect((await outbox.list()).totalCount).toBe(1);
      await pipeline.stop();
      expect(logger.warn).toHaveBeenCalledTimes(2);
    });

    it('stores and pages once when an alert was stored but its caller saw an error', async () => {
      let failedOnce = false;
      const { store, outbox, timer, pipeline, bruteForce, eventRows } =
        await setup(({ store: alerts }) => async (alert, { raisedAt }) => {
          const stored = await alerts.insert(alert, { raisedAt });
          if (!failedOnce) {
            // The commit went through; the answer was lost.
            failedOnce = true;
            throw new Error('connection reset');
          }
          return stored;
        });

      await bruteForce();
      expect(pipeline.stats().pendingAlerts).toBe(1);
      expect(await store.count()).toBe(1);

      await timer.fire();
      expect(pipeline.stats().pendingAlerts).toBe(0);
      expect(await store.count()).toBe(1);
      expect(await eventRows()).toBe(5);
      expect((await outbox.list()).totalCount).toBe(1);
    });

    it('tries once more on stop and warns with what is still pending', async () => {
      const { knex, logger, pipeline, bruteForce } = await setup();
      await knex.schema.renameTable(SECURITY_ALERTS_TABLE, 'alerts_away');
      await bruteForce();
      await pipeline.stop();
      expect(logger.warn).toHaveBeenLastCalledWith(
        'Security pipeline stopped with 1 alert(s) not stored; they are lost',
      );
      expect(pipeline.stats().pendingAlerts).toBe(1);
    });
  },
);
