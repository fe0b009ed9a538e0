import { TestDatabases } from '@backstage/backend-test-utils';
import { OutboxWorker } from '@internal/plugin-ops-node';
import { externalAlertSchema } from '@internal/plugin-slo-common';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bruteForceAlert, storeServices } from '../__testUtils__/storeServices';
import { SLO_TARGET } from '../alerts';
import { sloAlertDeliverer } from './sloDeliverer';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * The SLO plugin's `POST /api/slo/external-alerts`, as its README states
 * it: a service token, the `externalAlertSchema` body (400 otherwise), 202
 * with the deliveries; the test can make it answer 503 first.
 */
class FakeSloRoute {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: any }> = [];
  unavailable = 0;
  refuse = false;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeSloRoute> {
    const server = createServer();
    const route = new FakeSloRoute(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString() || 'null');
        route.received.push({ headers: req.headers, body });
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (req.method !== 'POST' || req.url !== '/api/slo/external-alerts') {
          return send(404, { error: { name: 'NotFoundError' } });
        }
        if (req.headers.authorization !== 'Bearer plugin-token-for-slo') {
          return send(401, { error: { name: 'AuthenticationError' } });
        }
        if (route.unavailable > 0) {
          route.unavailable -= 1;
          return send(503, { error: { name: 'ServiceUnavailable' } });
        }
        const parsed = externalAlertSchema.safeParse(body);
        if (!parsed.success || route.refuse) {
          return send(400, { error: { name: 'InputError', message: 'bad' } });
        }
        return send(202, {
          deliveries: [
            {
              target: 'oncall-pagerduty',
              idempotencyKey: `external:security:${parsed.data.alertId}:${parsed.data.event}:oncall-pagerduty`,
            },
          ],
        });
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return route;
  }

  get baseUrl() {
    return `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }/api/slo`;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }
}

let route: FakeSloRoute;
beforeEach(async () => {
  route = await FakeSloRoute.start();
});
afterEach(() => route.close());

describe.each(databases.eachSupportedId())(
  'sloAlertDeliverer on %p',
  databaseId => {
    async function setup(token = 'plugin-token-for-slo') {
      const services = await storeServices(databases, databaseId);
      const worker = new OutboxWorker({
        outbox: services.outbox,
        now: () => new Date(services.clock.ms),
        random: () => 0,
        maxAttempts: 3,
        deliverers: {
          [SLO_TARGET]: sloAlertDeliverer({
            baseUrl: async () => route.baseUrl,
            headers: async () => ({ authorization: `Bearer ${token}` }),
            record: (id, state) => services.store.setNotification(id, state),
            maxAttempts: 3,
          }),
        },
      });
      return { ...services, worker };
    }

    it('sends the alert with the plugin token and marks it sent on 202', async () => {
      const { store, worker } = await setup();
      const { id } = (await store.insert(bruteForceAlert()))!;
      expect(await worker.deliverDue()).toMatchObject({ delivered: 1 });
      expect(route.received).toHaveLength(1);
      expect(route.received[0].headers).toMatchObject({
        authorization: 'Bearer plugin-token-for-slo',
        'idempotency-key': `security-alert:${id}:fired`,
        'content-type': 'application/json',
      });
      expect(route.received[0].body).toMatchObject({
        source: 'security',
        alertId: id,
        event: 'fired',
        link: `/security/alerts/${id}`,
      });
      expect((await store.get(id)).notification).toBe('sent');

      // Closing sends the resolve; the alert stays `sent`.
      await store.changeStatus(
        id,
        { status: 'closed', note: 'done' },
        'user:default/olga',
      );
      expect(await worker.deliverDue()).toMatchObject({ delivered: 1 });
      expect(route.received[1].body).toMatchObject({
        alertId: id,
        event: 'resolved',
      });
      expect((await store.get(id)).notification).toBe('sent');
    });

    it('retries a 503 and then delivers', async () => {
      const { store, worker, clock } = await setup();
      route.unavailable = 1;
      const { id } = (await store.insert(bruteForceAlert()))!;
      expect(await worker.deliverDue()).toMatchObject({ retrying: 1 });
      expect((await store.get(id)).notification).toBe('pending');
      clock.ms += 1000;
      expect(await worker.deliverDue()).toMatchObject({ delivered: 1 });
      expect((await store.get(id)).notification).toBe('sent');
      expect(route.received).toHaveLength(2);
    });

    it('marks the alert failed on a 400 and a 401 (permanent), and after the last retried attempt', async () => {
      const { store, worker, outbox, clock } = await setup();
      route.refuse = true;
      const refused = (await store.insert(bruteForceAlert()))!;
      expect(await worker.deliverDue()).toMatchObject({ dead: 1 });
      expect((await store.get(refused.id)).notification).toBe('failed');
      expect(
        await outbox.getByKey(`security-alert:${refused.id}:fired`),
      ).toMatchObject({
        state: 'dead',
        lastStatus: 400,
        lastError: 'HTTP 400',
      });
      route.refuse = false;

      const unauthenticated = await setup('wrong-token');
      const second = (await unauthenticated.store.insert(bruteForceAlert()))!;
      expect(await unauthenticated.worker.deliverDue()).toMatchObject({
        dead: 1,
      });
      expect((await unauthenticated.store.get(second.id)).notification).toBe(
        'failed',
      );

      route.unavailable = 100;
      const third = (await store.insert(
        bruteForceAlert({ dedupKey: 'third' }),
      ))!;
      for (let attempt = 1; attempt <= 3; attempt++) {
        await worker.deliverDue();
        expect((await store.get(third.id)).notification).toBe(
          attempt < 3 ? 'pending' : 'failed',
        );
        clock.ms += 60_000;
      }
      expect(
        (await outbox.getByKey(`security-alert:${third.id}:fired`))?.state,
      ).toBe('dead');
    });
  },
);
