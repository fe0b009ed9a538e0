import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
/*
 * No personal data in the logs: a full export and erasure flow (plus consent
 * changes and lookups, request lists and details, and a request whose data
 * source fails until it is dead-lettered) runs through the real plugin, behind
 * the root HTTP router a real backend runs, with Backstage's request logging
 * on (one line per request, with its URL), and a root logger that captures
 * every line, of every child logger, at every level, with its metadata and
 * errors. Direct console output is captured too. No line may contain the
 * subject id or the subject email: no route takes a subject in its URL.
 */
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { resourceEntity } from '../testing/harness';
import { startBehindRealHttpRouter } from '../testing/__testUtils__/realHttpRouter';
import { privacyPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const key = () => randomBytes(32).toString('base64');

// Distinctive, so that a match can only be a leak.
const SUBJECT_ID = 'cust-7f3a91c2-leakcheck';
const SUBJECT_EMAIL = 'jane.roe.leakcheck@example.org';

/** Serializes whatever a logger got: message, metadata, errors with stack and cause. */
function render(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const extra = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, seen)]),
    );
    return `${value.name}: ${value.message} ${
      value.stack ?? ''
    } ${JSON.stringify(extra)} ${render(
      (value as Error & { cause?: unknown }).cause,
      seen,
    )}`;
  }
  try {
    return JSON.stringify(value, (_k, v) =>
      v instanceof Error ? render(v, seen) : v,
    );
  } catch {
    return Object.entries(value as object)
      .map(([k, v]) => `${k}=${render(v, seen)}`)
      .join(' ');
  }
}

/** A root logger that keeps every line of itself and of all its children. */
function capturingLogger(
  lines: string[],
  meta: Record<string, unknown> = {},
): RootLoggerService & LoggerService {
  const log = (level: string) => (message: string, extra?: unknown) => {
    lines.push(
      `${level} ${render(meta)} ${render(message)} ${
        extra === undefined ? '' : render(extra)
      }`,
    );
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: childMeta => capturingLogger(lines, { ...meta, ...childMeta }),
  };
}

/** A SQLite data store with the subject (and a bystander) in it. */
async function createStore(dir: string, name: string, withTables = true) {
  const file = join(dir, `${name}.sqlite`);
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  if (withTables) {
    await db.schema.createTable('customers', t => {
      t.string('customer_id');
      t.string('email');
    });
    await db.schema.createTable('orders', t => {
      t.string('id');
      t.string('customer_id');
      t.string('address');
    });
    for (const [subject, email] of [
      [SUBJECT_ID, SUBJECT_EMAIL],
      ['bystander', 'bystander@example.org'],
    ]) {
      await db('customers').insert({ customer_id: subject, email });
      for (let i = 0; i < 3; i++) {
        await db('orders').insert({
          id: `${subject}-${i}`,
          customer_id: subject,
          address: 'Somewhere 1',
        });
      }
    }
  }
  return { file, db };
}

const tables = [
  {
    table: 'orders',
    subjectColumn: 'customer_id',
    erase: 'columns',
    columns: { address: 'redact' },
  },
  { table: 'customers', subjectColumn: 'customer_id', erase: 'delete-row' },
];

describe.each(databases.eachSupportedId())('logs on %p', databaseId => {
  const lines: string[] = [];
  const consoleLines: string[] = [];
  const stores: Knex[] = [];
  let dir: string;
  let server: any;
  let knex: Knex;

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(
          `console.${method} ${args.map(a => render(a)).join(' ')}`,
        );
      });
    }
    knex = await databases.init(databaseId as TestDatabaseId);
    dir = mkdtempSync(join(tmpdir(), 'privacy-logs-'));
    const eu = await createStore(dir, 'eu');
    // The UK store has no tables: every attempt fails with a database error.
    const uk = await createStore(dir, 'uk', false);
    stores.push(eu.db, uk.db);
    server = await startBehindRealHttpRouter([
      privacyPlugin,
      mockServices.discovery.factory(),
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => capturingLogger(lines),
      }),
      mockServices.database.factory({ knex }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({
        entities: [
          resourceEntity('eu-db', 'EU', 'eu-store'),
          resourceEntity('uk-db', 'UK', 'uk-store'),
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: { listen: { port: 0 } },
          ops: {
            audit: { signingKey: TEST_AUDIT_KEY },
            queue: { driver: 'memory', backoffSeconds: 0.01, attempts: 2 },
            storage: { directory: join(dir, 'blobs') },
          },
          privacy: {
            identifiers: {
              key: { id: 'log-ids', key: key() },
              pepper: key(),
            },
            regions: {
              EU: {
                masterKey: { id: 'eu-1', key: key() },
                storage: { directory: join(dir, 'EU') },
              },
              UK: {
                masterKey: { id: 'uk-1', key: key() },
                storage: { directory: join(dir, 'UK') },
              },
            },
            connections: {
              'eu-store': {
                type: 'sql',
                region: 'EU',
                client: 'better-sqlite3',
                connection: eu.file,
                tables,
              },
              'uk-store': {
                type: 'sql',
                region: 'UK',
                client: 'better-sqlite3',
                connection: uk.file,
                tables,
              },
            },
          },
        },
      }),
    ]);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all(stores.map(db => db.destroy()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function waitForState(id: string, states: string[]) {
    for (let i = 0; i < 300; i++) {
      const { body } = await request(server).get(`/api/privacy/status/${id}`);
      if (states.includes(body.state)) return body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`request ${id} never reached ${states}`);
  }

  const intake = (region: string) => ({
    subject: { id: SUBJECT_ID, email: SUBJECT_EMAIL },
    region,
    jurisdiction: region === 'UK' ? 'UK-GDPR' : 'GDPR',
    priority: 'HIGH',
  });

  it('never logs the subject id or email, request log included, through intake, consent, request reads, an erasure and a failing source', async () => {
    // Export, download, status and audit reads.
    const exported = await request(server)
      .post('/api/privacy/export')
      .send(intake('EU'))
      .expect(201);
    const done = await waitForState(exported.body.id, ['completed']);
    await request(server)
      .get(`/api/privacy/exports/${done.export.id}/download`)
      .expect(200);
    await request(server)
      .get(`/api/privacy/requests/${exported.body.id}/audit`)
      .expect(200);

    // Requests listed with every filter and read by id.
    const listed = await request(server)
      .get(
        '/api/privacy/requests?state=completed&type=export&region=EU&priority=HIGH&overdue=false&sort=slaDueAt&order=asc',
      )
      .expect(200);
    expect(listed.body.items[0].subjectId).toBe(SUBJECT_ID);
    await request(server)
      .get(`/api/privacy/requests/${exported.body.id}`)
      .expect(200);

    // Consent, recorded and looked up, the subject in the body only.
    await request(server)
      .post('/api/privacy/consent')
      .send({
        subject: { id: SUBJECT_ID },
        purpose: 'marketing',
        granted: false,
        source: 'web-banner',
      })
      .expect(201);
    const consent = await request(server)
      .post('/api/privacy/consent/lookup')
      .send({ subject: { id: SUBJECT_ID } })
      .expect(200);
    expect(consent.body.current.marketing.granted).toBe(false);

    // Erasure: refused self-approval, then approved by someone else.
    const erasure = await request(server)
      .post('/api/privacy/delete')
      .send(intake('EU'))
      .expect(201);
    await request(server)
      .post(`/api/privacy/requests/${erasure.body.id}/approve`)
      .expect(403);
    await request(server)
      .post(`/api/privacy/requests/${erasure.body.id}/approve`)
      .set(
        'Authorization',
        mockCredentials.user.header('user:default/approver'),
      )
      .expect(200);
    const erased = await waitForState(erasure.body.id, ['completed']);
    expect(erased.erasureProof).toMatchObject({ remaining: 0 });

    // A source that fails on every attempt, until the request is dead-lettered.
    const failing = await request(server)
      .post('/api/privacy/export')
      .send(intake('UK'))
      .expect(201);
    const dead = await waitForState(failing.body.id, ['dead_lettered']);
    expect(dead.lastError).toEqual(expect.any(String));
    // The store's error quoted the subject: what is kept of it must not.
    const kept = JSON.stringify([
      await knex('privacy_requests').select('last_error'),
      await knex('privacy_source_results').select('error'),
      await knex('privacy_audit_events').select('data'),
    ]);
    expect(kept).toContain('[subject]');
    expect(kept).not.toContain(SUBJECT_ID);

    // Invalid input, echoing the subject back at the API in bodies. (A
    // client that puts a subject id in a URL anyway has it logged with the
    // URL: the server cannot keep out what a client sends where no route
    // wants it.)
    await request(server)
      .post('/api/privacy/export')
      .send({ ...intake('EU'), region: SUBJECT_ID })
      .expect(400);
    await request(server)
      .post('/api/privacy/consent/lookup')
      .send({ subject: { id: SUBJECT_ID, email: SUBJECT_EMAIL } })
      .expect(400);

    await request(server).get('/api/privacy/audit/verify').expect(200);

    const all = [...lines, ...consoleLines];
    // The flow did log (so the capture works), just nothing personal: the
    // plugin's own lines, and the root router's line of every request.
    expect(lines.some(line => line.includes('"plugin":"privacy"'))).toBe(true);
    const requestLines = lines.filter(line =>
      line.includes('"type":"incomingRequest"'),
    );
    for (const logged of [
      '"POST /api/privacy/export',
      '"POST /api/privacy/delete',
      '"POST /api/privacy/consent HTTP',
      '"POST /api/privacy/consent/lookup HTTP',
      '"GET /api/privacy/requests?state=completed',
      `"GET /api/privacy/requests/${exported.body.id} HTTP`,
      `"GET /api/privacy/exports/${done.export.id}/download`,
    ]) {
      expect({
        logged,
        found: requestLines.some(line => line.includes(logged)),
      }).toEqual({ logged, found: true });
    }
    const leaks = all.filter(
      line =>
        line.includes(SUBJECT_ID) ||
        line.toLowerCase().includes(SUBJECT_EMAIL.toLowerCase()),
    );
    // eslint-disable-next-line no-console
    process.stdout.write(
      `logs on ${databaseId}: ${lines.length} logger lines (${
        lines.filter(l => l.includes('"plugin":"privacy"')).length
      } from the privacy plugin, ${requestLines.length} request lines), ${
        consoleLines.length
      } console lines; lines with the subject: ${leaks.length}\n`,
    );
    expect(leaks).toEqual([]);
  });
});
