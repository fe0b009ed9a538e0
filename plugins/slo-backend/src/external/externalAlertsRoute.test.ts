import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { externalAlertSchema } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { Gen, seedOf } from '../faults/generator';
import { sloPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const PATH = '/api/slo/external-alerts';

/** The root config data `mockServices.rootConfig` takes. */
type ConfigData = NonNullable<
  NonNullable<Parameters<typeof mockServices.rootConfig.factory>[0]>['data']
>;

const sloConfig = (external: ConfigData): ConfigData => ({
  app: { baseUrl: 'http://portal.test' },
  ops: { audit: { signingKey: TEST_AUDIT_KEY } },
  slo: {
    notifications: {
      // Demo-sink targets: the outbox worker delivers to no vendor.
      targets: {
        pager: { type: 'demo' },
        inbox: { type: 'demo' },
        tickets: { type: 'demo' },
        status: {
          type: 'statuspage',
          apiKey: 'k',
          pageId: 'p',
          componentId: 'c',
        },
      },
      external,
    },
  },
});

/** Polls until `check` passes or the time is up (the outbox worker polls every 2 s). */
async function eventually<T>(check: () => Promise<T>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise(r => setTimeout(r, 200));
    }
  }
}

/** The Authorization header of a backend plugin's service token. */
const pluginToken = (pluginId: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
    targetPluginId: 'slo',
  });

const alert = {
  source: 'security',
  alertId: 'brute-force:42',
  event: 'fired',
  severity: 'page',
  title: 'Brute force against the portal sign-in',
  summary: '120 failed sign-ins in 5 minutes',
  at: '2026-12-02T10:15:00+01:00',
  service: 'portal',
  entityRef: 'group:default/platform',
  link: '/security/alerts/42',
  fields: { rule: 'brute-force' },
};

describe.each(databases.eachSupportedId())(
  'POST /api/slo/external-alerts on %p',
  databaseId => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          sloPlugin,
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: sloConfig({
              security: { page: ['pager', 'inbox'], ticket: ['tickets'] },
              privacy: { page: ['pager'] },
            }),
          }),
        ],
      }));
    });
    const outboxKeys = async () =>
      (
        await knex('slo_outbox')
          .where('idempotency_key', 'like', 'external:%')
          .orderBy('id')
          .select('idempotency_key')
      ).map(r => r.idempotency_key);

    it('enqueues one delivery per page target, once, and answers the same 202 on a repeat', async () => {
      const first = await request(server)
        .post(PATH)
        .set('Authorization', pluginToken('security'))
        .send(alert);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({
        deliveries: [
          {
            target: 'pager',
            idempotencyKey: 'external:security:brute-force:42:fired:pager',
          },
          {
            target: 'inbox',
            idempotencyKey: 'external:security:brute-force:42:fired:inbox',
          },
        ],
      });
      const again = await request(server)
        .post(PATH)
        .set('Authorization', pluginToken('security'))
        .send(alert);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);

      const ticket = await request(server)
        .post(PATH)
        .set('Authorization', pluginToken('security'))
        .send({ ...alert, alertId: 'scan:7', severity: 'ticket' });
      expect(ticket.body.deliveries).toEqual([
        {
          target: 'tickets',
          idempotencyKey: 'external:security:scan:7:fired:tickets',
        },
      ]);
      expect(await outboxKeys()).toEqual([
        'external:security:brute-force:42:fired:pager',
        'external:security:brute-force:42:fired:inbox',
        'external:security:scan:7:fired:tickets',
      ]);

      // The outbox worker hands them to the demo targets: the demo sink lists them.
      const sink = await eventually(async () => {
        const res = await request(server).get('/api/slo/demo-sink');
        expect(res.body.totalCount).toBe(3);
        return res.body.items;
      });
      expect(sink.map((i: { target: string }) => i.target).sort()).toEqual([
        'inbox',
        'pager',
        'tickets',
      ]);
      expect(
        sink.find((i: { target: string }) => i.target === 'pager').request.body,
      ).toMatchObject({
        kind: 'external',
        dedupKey: 'security:brute-force:42',
        link: 'http://portal.test/security/alerts/42',
      });
    });

    it.each([
      [
        'a user token',
        mockCredentials.user.header(),
        alert,
        /does not allow 'user' credentials/,
      ],
      [
        "another plugin's token for this source",
        pluginToken('privacy'),
        alert,
        /must be the calling plugin's id: 'security' was sent by plugin 'privacy'/,
      ],
      [
        'a plugin that is not a configured source',
        pluginToken('catalog'),
        { ...alert, source: 'catalog' },
        /External alert source 'catalog' is not configured/,
      ],
    ])(
      'answers 403 to %s, and stores nothing',
      async (_what, token, body, message) => {
        const before = await outboxKeys();
        const res = await request(server)
          .post(PATH)
          .set('Authorization', token)
          .send({ ...body, alertId: 'refused:1' });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(message);
        expect(await outboxKeys()).toEqual(before);
      },
    );

    it.each([
      ['an unknown field', { ...alert, extra: 1 }, /Unrecognized key/],
      ['a bad event', { ...alert, event: 'exploded' }, /event/],
      ['a bad alert id', { ...alert, alertId: 'has space' }, /alertId/],
      ['a time without offset', { ...alert, at: '2026-12-02T10:15:00' }, /at/],
      ['an empty title', { ...alert, title: '' }, /title/],
      [
        'a script link',
        // eslint-disable-next-line no-script-url
        { ...alert, link: 'javascript:alert(1)' },
        /link: must be a portal path/,
      ],
      [
        'more than 20 fields',
        {
          ...alert,
          fields: Object.fromEntries(
            Array.from({ length: 21 }, (_, i) => [`f${i}`, 'v']),
          ),
        },
        /fields: must have at most 20 entries/,
      ],
      ['a JSON array', [alert], /Invalid input/],
    ])(
      'answers 400 to %s, and stores nothing',
      async (_what, body, message) => {
        const before = await outboxKeys();
        const res = await request(server)
          .post(PATH)
          .set('Authorization', pluginToken('security'))
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
        expect(await outboxKeys()).toEqual(before);
      },
    );
  },
);

/** A body with one field replaced by a random, often wrong, value. */
function mutatedBody(g: Gen, n: number): { label: string; body: unknown } {
  const base: Record<string, unknown> = { ...alert, alertId: `fuzz:${n}` };
  const field = g.pick([...Object.keys(alert), 'extra']);
  const value = g.pick<() => unknown>([
    () => g.text(g.pick([10, 250, 2500])),
    () => g.pick([null, true, 0, -1, 1.5, [], {}, [alert.title]]),
    () => 'x'.repeat(g.pick([0, 1, 40, 41, 60, 61, 100, 101, 200, 201, 2001])),
    () => g.key(g.pick(['', 'Security', 'sec urity', '-', 'a/'])),
    () =>
      Object.fromEntries(
        Array.from({ length: g.int(0, 25) }, (_, i) => [
          g.pick([`k${i}`, '', 'x'.repeat(61)]),
          g.pick<unknown>(['v', 5, null, 'v'.repeat(501)]),
        ]),
      ),
    () => undefined,
  ])();
  if (value === undefined) delete base[field];
  else base[field] = value;
  return {
    label: `${field}=${JSON.stringify(value)?.slice(0, 40)}`,
    body: base,
  };
}

describe.each(databases.eachSupportedId())(
  'random bodies to POST /api/slo/external-alerts on %p',
  databaseId => {
    it('answers 202 to what the schema takes and 400 to the rest, storing nothing then', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          sloPlugin,
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: sloConfig({ security: { page: ['pager'], ticket: [] } }),
          }),
        ],
      });
      const outboxCount = async () =>
        Number((await knex('slo_outbox').count({ n: '*' }))[0].n);
      const g = new Gen(seedOf(`external-alerts ${databaseId}`));
      const problems: string[] = [];
      for (let i = 0; i < 150 && problems.length < 10; i++) {
        const { label, body } = mutatedBody(g, i);
        const parsed = externalAlertSchema.safeParse(body);
        const valid = parsed.success && parsed.data.source === 'security';
        const before = await outboxCount();
        const res = await request(server)
          .post(PATH)
          .set('Authorization', pluginToken('security'))
          .send(body as object);
        const added = (await outboxCount()) - before;
        let expected = [parsed.success ? 403 : 400, 0];
        if (valid) expected = [202, parsed.data.severity === 'page' ? 1 : 0];
        if (res.status !== expected[0] || added !== expected[1]) {
          problems.push(
            `${label}: ${res.status} (+${added} rows), expected ${expected[0]} (+${expected[1]})`,
          );
        }
      }
      expect(problems).toEqual([]);
    });
  },
);

describe('slo.notifications.external at start-up', () => {
  it.each([
    [
      { security: { page: ['pager', 'nowhere'] } },
      "slo.notifications.external.security.page.1: unknown notification target 'nowhere'",
    ],
    [
      { security: { ticket: ['status'] } },
      "slo.notifications.external.security.ticket.0: 'status' is a statuspage target",
    ],
  ])('refuses to start with %j', async (external, message) => {
    await expect(
      startTestBackend({
        features: [
          sloPlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({ data: sloConfig(external) }),
        ],
      }),
    ).rejects.toThrow(message);
  });
});
