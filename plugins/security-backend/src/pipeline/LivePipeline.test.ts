import { TestDatabases } from '@backstage/backend-test-utils';
import { migrate } from '../__testUtils__/storeServices';
import { detector, replica } from '../__testUtils__/streamServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** A clock the test moves by hand. */
class TestClock {
  constructor(public ms: number) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

// 14:00 UTC = 15:00 in Berlin: inside office hours.
const NOON = Date.parse('2026-12-02T14:00:00.000Z');
// 23:30 in Berlin.
const NIGHT = Date.parse('2026-12-02T22:30:00.000Z');

/**
 * The live pipeline of one replica into the shared stream, and the detector
 * over it; `settle` waits for the pipeline and runs one detector turn.
 */
describe.each(databases.eachSupportedId())('LivePipeline on %p', databaseId => {
  async function setup(
    options: {
      at?: number;
      maxQueued?: number;
    } = {},
  ) {
    const knex = await databases.init(databaseId);
    await migrate(knex);
    const clock = new TestClock(options.at ?? NOON);
    const log = await replica(knex, {
      now: clock.now,
      maxQueued: options.maxQueued,
    });
    const { detector: rules, alerts } = detector(knex, { now: clock.now });
    const settle = async () => {
      await log.pipeline.idle();
      await rules.runOnce();
    };
    return { ...log, knex, clock, alerts, detector: rules, settle };
  }

  describe('into the shared stream', () => {
    it('raises exactly one brute force alert for 5 invalid-token 401s from one IP', async () => {
      const {
        access,
        clock,
        alerts,
        pipeline,
        detector: rules,
        settle,
      } = await setup();
      for (let i = 0; i < 5; i++) {
        access({ ip: '203.0.113.7', status: 401 });
        clock.advance(10_000);
      }
      // Unrelated traffic around it.
      access({ ip: '198.51.100.1', status: 200 });
      access({ ip: '198.51.100.2', status: 401 });
      await settle();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        ruleId: 'brute-force',
        groupBy: 'source.ip',
        groupKey: '203.0.113.7',
        count: 5,
        firstAt: new Date(NOON).toISOString(),
        lastAt: new Date(NOON + 40_000).toISOString(),
      });
      expect(alerts[0].events).toHaveLength(5);
      expect(alerts[0].events[0]).toMatchObject({
        http: { response: { status_code: 401 } },
        source: { ip: '203.0.113.7' },
        user_agent: { original: 'curl/8.5.0' },
      });
      expect(pipeline.stats()).toMatchObject({
        entries: 7,
        events: 7,
        // The 200 matches no rule: not in the stream.
        streamed: 6,
      });
      expect(rules.alerts).toBe(1);
    });

    it('raises nothing for 4 failures', async () => {
      const { access, alerts, detector: rules, settle } = await setup();
      for (let i = 0; i < 4; i++) access({ ip: '203.0.113.7', status: 401 });
      await settle();
      expect(alerts).toEqual([]);
      expect(
        rules.rules().find(r => r.id === 'brute-force')?.stats,
      ).toMatchObject({ matched: 4, alerts: 0, keys: 1 });
    });

    it('raises DSAR abuse for 10 privacy requests from one address, from the access lines', async () => {
      const { access, audit, clock, alerts, settle } = await setup();
      for (let i = 0; i < 10; i++) {
        access({
          ip: '2001:db8::5',
          status: 201,
          method: 'POST',
          url: '/api/privacy/export',
        });
        // The privacy plugin's audit event of the same request has no address.
        audit('privacy', {
          type: 'request.received',
          actor: 'user:default/mallory',
        });
        clock.advance(60_000);
      }
      // A refused request is no new request.
      access({
        ip: '2001:db8::6',
        status: 400,
        method: 'POST',
        url: '/api/privacy/delete',
      });
      await settle();
      expect(alerts.map(a => [a.ruleId, a.groupKey, a.count])).toEqual([
        ['dsar-abuse', '2001:db8::5', 10],
      ]);
      expect(alerts[0].events[0]).toMatchObject({
        event: { action: 'privacy.request.created' },
        url: { path: '/api/privacy/export' },
      });
    });

    it('raises nothing for 9 privacy requests', async () => {
      const { access, alerts, settle } = await setup();
      for (let i = 0; i < 9; i++) {
        access({
          ip: '203.0.113.9',
          status: 201,
          method: 'POST',
          url: '/api/privacy/delete',
        });
      }
      await settle();
      expect(alerts).toEqual([]);
    });

    it('raises privileged-after-hours for an admin-level ops action at night in the configured zone, not by day', async () => {
      const day = await setup({ at: NOON });
      day.audit('privacy', {
        type: 'legal_hold.placed',
        actor: 'user:default/alice',
      });
      await day.settle();
      expect(day.alerts).toEqual([]);

      const night = await setup({ at: NIGHT });
      night.audit('privacy', {
        type: 'legal_hold.placed',
        actor: 'user:default/alice',
      });
      // Not admin-level: no alert.
      night.audit('privacy', {
        type: 'request.received',
        actor: 'user:default/bob',
      });
      await night.settle();
      expect(night.alerts).toHaveLength(1);
      expect(night.alerts[0]).toMatchObject({
        ruleId: 'privileged-after-hours',
        groupBy: 'user.id',
        groupKey: 'user:default/alice',
        firstAt: new Date(NIGHT).toISOString(),
      });
      expect(night.alerts[0].events[0]).toMatchObject({
        '@timestamp': new Date(NIGHT).toISOString(),
        event: { action: 'privacy.legal_hold.placed', dataset: 'ops.audit' },
        labels: { ops_privileged: 'true' },
      });
    });

    it('raises export-anomaly for 100 export downloads by one user, not 99', async () => {
      const { audit, clock, alerts, settle } = await setup();
      for (let i = 0; i < 99; i++) {
        audit('privacy', {
          type: 'export.downloaded',
          actor: 'user:default/eve',
        });
        clock.advance(60_000);
      }
      await settle();
      expect(alerts).toEqual([]);
      audit('privacy', {
        type: 'export.downloaded',
        actor: 'user:default/eve',
      });
      await settle();
      expect(alerts.map(a => [a.ruleId, a.groupKey, a.count])).toEqual([
        ['export-anomaly', 'user:default/eve', 100],
      ]);
    });

    it('takes Backstage auditor auth failures as failed authentications', async () => {
      const { auditor, alerts, settle } = await setup();
      for (let i = 0; i < 5; i++) {
        auditor('auth', {
          eventId: 'auth-login',
          severityLevel: 'low',
          status: 'failed',
          actor: { ip: '203.0.113.77', userAgent: 'Mozilla/5.0' },
          request: { url: '/api/auth/guest/refresh', method: 'GET' },
        });
      }
      await settle();
      expect(alerts.map(a => [a.ruleId, a.groupKey])).toEqual([
        ['brute-force', '203.0.113.77'],
      ]);
    });

    it('counts and skips junk entries, its own lines and other lines, and goes on', async () => {
      const { tap, logger, access, alerts, pipeline, settle } = await setup();
      logger.info('Plugin initialization complete');
      logger.child({ plugin: 'security' }).info('"GET / HTTP/1.1" 401', {
        type: 'incomingRequest',
        status: 401,
        remoteAddr: '203.0.113.1',
      });
      const circular: Record<string, unknown> = { type: 'incomingRequest' };
      circular.self = circular;
      tap.publish(circular);
      tap.publish({ type: 'incomingRequest', status: BigInt(401) as unknown });
      tap.publish({ type: 'incomingRequest', level: 'info' }); // no message
      tap.publish({ event: { dataset: 'ops.audit' }, message: 'audit x' });
      tap.publish({
        isAuditEvent: true,
        meta: { note: 'x'.repeat(1024 * 1024) },
      });
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.7', status: 401 });
      await settle();
      const stats = pipeline.stats();
      // The junk shapes have no message a mapper recognizes; the huge
      // auditor event is an event (its meta is never copied).
      expect(stats.skipped).toEqual({
        not_security: 1,
        own: 1,
        unrecognized: 4,
      });
      expect(stats).toMatchObject({
        entries: 12,
        events: 6,
        streamed: 5,
        dropped: 0,
      });
      expect(alerts).toHaveLength(1);
    });

    it('drops and counts entries beyond the queue bound', async () => {
      const { access, alerts, pipeline, settle } = await setup({
        maxQueued: 3,
      });
      // The queue drains only after this synchronous burst.
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.7', status: 401 });
      await settle();
      expect(pipeline.stats()).toMatchObject({
        entries: 5,
        events: 3,
        dropped: 2,
      });
      expect(alerts).toEqual([]);
      // Room again afterwards.
      for (let i = 0; i < 2; i++) access({ ip: '203.0.113.7', status: 401 });
      await settle();
      expect(alerts).toHaveLength(1);
    });

    it('keeps events that could not be appended pending, retries them and goes on', async () => {
      const { knex, access, timer, warnings, pipeline, alerts, settle } =
        await setup();
      await knex.schema.renameTable('security_stream_events', 'stream_away');
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.7', status: 401 });
      await pipeline.idle();
      expect(pipeline.stats()).toMatchObject({
        streamed: 5,
        pendingEvents: 5,
        eventsDropped: 0,
        skipped: {},
      });
      expect(timer.delays).toEqual([1000]);
      expect(warnings.warn.mock.calls[0][0]).toContain(
        '5 event(s) could not be stored',
      );
      expect(warnings.warn.mock.calls[0][0]).not.toContain('203.0.113');
      await knex.schema.renameTable('stream_away', 'security_stream_events');
      await timer.fire();
      expect(pipeline.stats()).toMatchObject({ pendingEvents: 0 });
      await settle();
      expect(alerts).toHaveLength(1);
    });

    it('reads nothing after stop', async () => {
      const { access, alerts, pipeline, settle } = await setup();
      await pipeline.stop();
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.7', status: 401 });
      await settle();
      expect(pipeline.stats().entries).toBe(0);
      expect(alerts).toEqual([]);
    });
  });
});
