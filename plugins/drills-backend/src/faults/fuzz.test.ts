/*
 * Hostile input to every route of the drills API, through the real plugin
 * on each test database. Bodies are valid ones broken in one known place
 * (a field of the wrong type or out of its range, a missing field, an
 * unknown or prototype-polluting key, not an object, invalid or oversized
 * JSON); queries carry bad values, unknown, repeated or bracketed keys;
 * paths carry hostile ids; uploads are refused multipart. Every request is
 * sent by the run's lead, who may do everything, so only the input is wrong.
 *
 * The property, for every case: never a 5xx; a 4xx answered as JSON with a
 * message; and nothing stored: every drill table and the audit tables are
 * row for row as before, and no file is added to the attachment storage.
 * DRILLS_FUZZ_SEED picks the seed (printed), DRILLS_FUZZ_CASES the number
 * of cases per route.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  OVERRIDE_KINDS,
  PARTICIPANT_ROLES,
  RUN_STATES,
  RunView,
} from '@internal/plugin-drills-common';
import { readdir } from 'node:fs/promises';
import request from 'supertest';
import {
  API,
  DrillsTestBackend,
  as,
  startDrillsBackend,
} from './__testUtils__/drillsTestBackend';
import {
  POLLUTING_KEYS,
  SERVER_KEYS,
  Seeded,
  hostileSegment,
  notABoolean,
  notADate,
  notAMonth,
  notAText,
  notAVersion,
  notAnEntityRef,
  notAnId,
  notOneOf,
  repeatedOrBracketed,
} from './__testUtils__/hostile';

jest.setTimeout(180_000);

const SEED = Number(process.env.DRILLS_FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.DRILLS_FUZZ_CASES ?? 25);
const JSON_LIMIT = 64 * 1024;
const SCENARIO = 'bad-deploy-rollback';
const ERIN = 'user:default/erin';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

interface Case {
  label: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** A raw body and its content type; a function for multipart. */
  body?: { type: string; data: string | Buffer };
  multipart?: (req: request.Test) => request.Test;
  /** Sent with no Authorization header (the calendar feed). */
  anonymous?: boolean;
  /** Takes no input: a 200 is right too. */
  mayPass?: boolean;
}

/** A body route: a valid body, and per field values it must refuse. */
interface BodyRoute {
  method: 'post' | 'put';
  path: string;
  valid: () => Record<string, unknown>;
  bad: Record<string, (r: Seeded) => unknown>;
  required: string[];
  /** Whole bodies wrong across fields, that still must be refused. */
  extra?: Array<(r: Seeded) => unknown>;
}

function bodyCases(r: Seeded, name: string, route: BodyRoute): Case[] {
  const json = (label: string, value: unknown): Case => ({
    label: `${name} ${label}`,
    method: route.method,
    path: route.path,
    body: { type: 'application/json', data: JSON.stringify(value) },
  });
  const raw = (label: string, data: string, type = 'application/json') => ({
    label: `${name} ${label}`,
    method: route.method,
    path: route.path,
    body: { type, data },
  });
  const kinds = [
    ...(Object.keys(route.bad).length ? ['field', 'field', 'field'] : []),
    ...(route.required.length ? ['missing', 'contentType'] : []),
    ...(route.extra ? ['extra'] : []),
    'unknownKey',
    'unknownKey',
    'notObject',
    'invalidJson',
    'oversized',
  ];
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const body = route.valid();
    const kind = r.pick(kinds);
    if (kind === 'field') {
      const field = r.pick(Object.keys(route.bad));
      body[field] = route.bad[field](r);
      const shown = JSON.stringify(body[field]) ?? 'undefined';
      cases.push(json(`${field}=${shown.slice(0, 60)}`, body));
    } else if (kind === 'missing') {
      const field = r.pick(route.required);
      delete body[field];
      cases.push(json(`without ${field}`, body));
    } else if (kind === 'contentType') {
      // express.json() leaves other types alone: the route sees no fields.
      cases.push(
        raw(
          'sent as another type',
          JSON.stringify(body),
          r.pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
          ]),
        ),
      );
    } else if (kind === 'extra') {
      cases.push(json('wrong across fields', r.pick(route.extra!)(r)));
    } else if (kind === 'unknownKey') {
      // Written into the JSON text, so __proto__ arrives as an own key.
      const key = r.pick([...POLLUTING_KEYS, ...SERVER_KEYS, r.word('x_')]);
      const value = r.pick<unknown>([1, 'x', null, { isAdmin: true }, []]);
      const text = JSON.stringify(body).replace(
        /^\{/,
        `{${JSON.stringify(key)}:${JSON.stringify(value)}${
          Object.keys(body).length ? ',' : ''
        }`,
      );
      cases.push(raw(`unknown key ${key}`, text));
    } else if (kind === 'notObject') {
      cases.push(
        raw(
          'not an object',
          r.pick([
            '[]',
            `[${JSON.stringify(body)}]`,
            'null',
            '5',
            '"x"',
            'true',
          ]),
        ),
      );
    } else if (kind === 'invalidJson') {
      const text = JSON.stringify(body);
      const invalid = [
        text.slice(0, -1),
        `${text},`,
        text.replace(/"/g, "'"),
        '{"a":NaN}',
        '['.repeat(r.int(1, 5_000)),
        '\u0000',
      ].filter(candidate => {
        try {
          JSON.parse(candidate);
          return false;
        } catch {
          return true;
        }
      });
      cases.push(raw('invalid JSON', r.pick(invalid)));
    } else {
      cases.push(
        json('over 64 KiB', {
          ...body,
          [r.pick([...Object.keys(body), 'padding'])]: 'z'.repeat(
            JSON_LIMIT + r.int(1, 50_000),
          ),
        }),
      );
    }
  }
  return cases;
}

/** A query route: good values per key, and values each key must refuse. */
interface QueryRoute {
  path: string;
  keys: Record<string, { good: string; bad: (r: Seeded) => string }>;
  anonymous?: boolean;
}

function queryCases(r: Seeded, name: string, route: QueryRoute): Case[] {
  const enc = encodeURIComponent;
  const names = Object.keys(route.keys);
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const parts: string[] = [];
    const broken = r.pick(names);
    for (const key of names) {
      if (key !== broken && r.next() < 0.3) {
        parts.push(`${enc(key)}=${enc(route.keys[key].good)}`);
      }
    }
    const kind = r.pick(['value', 'value', 'value', 'unknown', 'repeated']);
    let label: string;
    if (kind === 'value') {
      const value = route.keys[broken].bad(r);
      parts.push(`${enc(broken)}=${enc(value)}`);
      label = `${broken}=${JSON.stringify(value).slice(0, 60)}`;
    } else if (kind === 'unknown') {
      const key = r.pick([r.word('zz'), 'LIMIT', 'page', 'sort', 'prototype']);
      parts.push(`${enc(key)}=${enc(r.pick(['1', '', 'true']))}`);
      label = `unknown key ${key}`;
    } else {
      parts.push(repeatedOrBracketed(r, broken, route.keys[broken].good));
      label = `repeated or bracketed ${broken}`;
    }
    cases.push({
      label: `${name} ${label}`,
      method: 'get',
      path: `${route.path}?${parts.join('&')}`,
      anonymous: route.anonymous,
    });
  }
  return cases;
}

const badInt = (min: number, max: number) => (r: Seeded) =>
  r.pick([
    String(min - 1),
    String(max + 1),
    String(max * 1000),
    '1.5',
    'abc',
    'NaN',
    'Infinity',
    '1e400',
    '0x10',
    '12abc',
    ...(min > 0 ? ['', '0'] : []),
  ]);
/** Kept under Node's 16 KiB header limit, past which Node answers 431 itself. */
const badQueryId = (r: Seeded) => {
  const value = notAnId(r);
  return typeof value === 'string' ? value.slice(0, 4_000) : '-x';
};

function uploadCases(r: Seeded, path: string, goodPath: string): Case[] {
  const cases: Case[] = [];
  const file = Buffer.from('hello');
  const multipart = (
    label: string,
    build: (req: request.Test) => request.Test,
    at = path,
  ): Case => ({
    label: `upload ${label}`,
    method: 'post',
    path: at,
    multipart: build,
  });
  const makers: Array<() => Case> = [
    () => ({
      label: 'upload as JSON',
      method: 'post',
      path,
      body: {
        type: 'application/json',
        data: JSON.stringify({ file: 'hello', fileName: 'a.txt' }),
      },
    }),
    () => ({
      label: 'upload as text',
      method: 'post',
      path,
      body: { type: 'text/plain', data: 'hello' },
    }),
    () => ({
      label: 'multipart without boundary',
      method: 'post',
      path,
      body: { type: 'multipart/form-data', data: 'hello' },
    }),
    () => ({
      label: 'truncated multipart',
      method: 'post',
      path,
      body: {
        type: 'multipart/form-data; boundary=XYZ',
        data: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhel',
      },
    }),
    () => multipart('with no file', req => req.field('note', 'no file here')),
    () =>
      multipart('under another field', req =>
        req.attach(r.pick(['files', 'upload', 'File']), file, {
          filename: 'a.txt',
          contentType: 'text/plain',
        }),
      ),
    () =>
      multipart('with two files', req =>
        req
          .attach('file', file, {
            filename: 'a.txt',
            contentType: 'text/plain',
          })
          .attach('file', file, {
            filename: 'b.txt',
            contentType: 'text/plain',
          }),
      ),
    () => {
      const type = r.pick([
        'text/html',
        'image/svg+xml',
        'application/javascript',
        'application/x-sh',
        'application/zip',
      ]);
      return multipart(`of type ${type}`, req =>
        req.attach('file', file, { filename: 'a.txt', contentType: type }),
      );
    },
    () => {
      const name = r.pick([
        '../a.txt',
        '../../etc/passwd',
        'a/b.txt',
        'a\\b.txt',
        '..',
        `${'n'.repeat(201)}.txt`,
      ]);
      // Written by hand: supertest's form-data would send only the base name.
      const boundary = 'drills-fuzz-boundary';
      return {
        label: `upload named ${name.slice(0, 30)}`,
        method: 'post',
        path,
        body: {
          type: `multipart/form-data; boundary=${boundary}`,
          data: [
            `--${boundary}`,
            `Content-Disposition: form-data; name="file"; filename="${name}"`,
            'Content-Type: text/plain',
            '',
            'hello',
            `--${boundary}--`,
            '',
          ].join('\r\n'),
        },
      };
    },
    () =>
      multipart('over the 1 MiB cap', req =>
        req.attach('file', Buffer.alloc(1024 * 1024 + r.int(1, 4096), 0x61), {
          filename: 'big.txt',
          contentType: 'text/plain',
        }),
      ),
    () =>
      multipart('with a metadata field', req =>
        req.field('metadata', '{"title":"x"}').attach('file', file, {
          filename: 'a.txt',
          contentType: 'text/plain',
        }),
      ),
    () =>
      multipart(
        'to a step that does not exist',
        req =>
          req.attach('file', file, {
            filename: 'a.txt',
            contentType: 'text/plain',
          }),
        goodPath.replace(/steps\/[^/]+/, 'steps/no-such-step'),
      ),
  ];
  for (let i = 0; i < CASES; i++) cases.push(r.pick(makers)());
  return cases;
}

describe.each(databases.eachSupportedId())(
  'hostile input to the drills API on %p',
  databaseId => {
    let backend: DrillsTestBackend;
    let run: RunView;
    let tables: string[];
    let months: string[];
    const started = Date.now();

    async function listTables(): Promise<string[]> {
      const { knex } = backend;
      const rows =
        knex.client.config.client === 'pg'
          ? await knex('information_schema.tables')
              .select({ name: 'table_name' })
              .whereRaw('table_schema = current_schema()')
          : await knex('sqlite_master').select('name').where('type', 'table');
      return rows
        .map((row: { name: string }) => row.name)
        .filter(name => name.startsWith('drill'))
        .sort();
    }

    /** Every row of every drill table, and the files in the attachment storage. */
    async function snapshot(): Promise<string> {
      const state: Record<string, unknown> = {};
      for (const table of tables) {
        const rows = await backend.knex(table).select();
        state[table] = rows
          .map(row =>
            JSON.stringify(row, (_k, v) =>
              v instanceof Date ? v.toISOString() : v,
            ),
          )
          .sort();
      }
      state.files = (
        await readdir(backend.storage, { recursive: true })
      ).sort();
      return JSON.stringify(state);
    }

    /** The audit chainer moves pending events on a timer: let it finish first. */
    async function settled(): Promise<void> {
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await backend
          .knex('drills_audit_pending')
          .count({ n: '*' });
        if (Number(n) === 0) return;
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      throw new Error('drills_audit_pending never emptied');
    }

    beforeAll(async () => {
      // eslint-disable-next-line no-console
      console.log(`drills fuzz seed ${SEED}, ${CASES} cases per route`);
      backend = await startDrillsBackend(databases, databaseId);
      const started_ = await request(backend.server)
        .post(`${API}/runs`)
        .set('Authorization', as('dave'))
        .send({
          scenarioId: SCENARIO,
          participants: [{ entityRef: ERIN, role: 'scribe' }],
        });
      if (started_.status !== 201) {
        throw new Error(`The fixture run did not start: ${started_.text}`);
      }
      run = started_.body;
      const calendar = await request(backend.server)
        .get(`${API}/calendar`)
        .set('Authorization', as('dave'));
      months = calendar.body.entries.map((e: { month: string }) => e.month);
      tables = await listTables();
      for (const table of [
        'drill_runs',
        'drill_steps',
        'drills_audit_pending',
      ]) {
        if (!tables.includes(table)) throw new Error(`No table ${table}`);
      }
      await settled();
    });

    afterAll(async () => {
      // eslint-disable-next-line no-console
      console.log(
        `drills fuzz on ${databaseId}: ${Math.round(
          (Date.now() - started) / 1000,
        )} s`,
      );
      await backend?.stop();
    });

    async function send(c: Case): Promise<request.Response> {
      const url = `${API}${c.path}`;
      let req = request(backend.server)[c.method](url);
      if (!c.anonymous) req = req.set('Authorization', as('dave'));
      if (c.multipart) return c.multipart(req);
      if (c.body) return req.set('Content-Type', c.body.type).send(c.body.data);
      return req;
    }

    /** Sends each case; returns what went wrong, one line per case. */
    async function check(cases: Case[]): Promise<string[]> {
      const problems: string[] = [];
      let before = await snapshot();
      for (const c of cases) {
        const res = await send(c);
        const wrong: string[] = [];
        if (res.status >= 500) wrong.push(`answered ${res.status}`);
        else if (res.status < 400 && !c.mayPass) {
          wrong.push(`accepted with ${res.status}`);
        }
        if (res.status >= 400) {
          if (!/application\/json/.test(res.headers['content-type'] ?? '')) {
            wrong.push(`error as ${res.headers['content-type']}`);
          } else if (
            typeof res.body?.error?.message !== 'string' ||
            !res.body.error.message
          ) {
            wrong.push('error without a message');
          }
        }
        const after = await snapshot();
        if (after !== before) wrong.push('stored something');
        if (wrong.length) {
          problems.push(
            `${c.method.toUpperCase()} ${c.label}: ${wrong.join(', ')} (${
              res.status
            } ${JSON.stringify(res.body?.error?.message ?? res.text)?.slice(
              0,
              200,
            )})`,
          );
          // So one bug does not fail every later case.
          await settled();
          before = await snapshot();
        }
      }
      return problems;
    }

    const seeded = (label: string) => {
      let hash = SEED >>> 0;
      for (const char of label) {
        hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
      }
      return new Seeded(hash);
    };

    const bodyRoutes = (): Record<string, BodyRoute> => {
      const step = run.phases[0].steps[0].id;
      const checkpoint = run.checkpoints[0].id;
      const emptyBody = (path: string): BodyRoute => ({
        method: 'post',
        path,
        valid: () => ({}),
        bad: {},
        required: [],
      });
      return {
        'POST /runs': {
          method: 'post',
          path: '/runs',
          valid: () => ({
            scenarioId: SCENARIO,
            participants: [{ entityRef: ERIN, role: 'scribe' }],
          }),
          bad: {
            scenarioId: notAnId,
            calendarMonth: notAMonth,
            participants: r =>
              r.pick<() => unknown>([
                () => 'user:default/erin',
                () => ({ entityRef: ERIN, role: 'scribe' }),
                () => [{ entityRef: notAnEntityRef(r), role: 'scribe' }],
                () => [
                  { entityRef: ERIN, role: notOneOf(r, PARTICIPANT_ROLES) },
                ],
                () => [{ entityRef: ERIN }],
                () => [{ entityRef: ERIN, role: 'lead' }],
                () => [
                  { entityRef: ERIN, role: 'scribe' },
                  { entityRef: 'User:Erin', role: 'observer' },
                ],
                () =>
                  Array.from({ length: 101 }, (_, i) => ({
                    entityRef: `user:default/p${i}`,
                    role: 'observer',
                  })),
                () => [null],
              ])(),
          },
          required: ['scenarioId'],
          extra: [
            r => ({ scenarioId: r.pick(['constructor', 'no-such-scenario']) }),
            () => ({ scenarioId: 'README' }),
            () => ({ scenarioId: SCENARIO, calendarMonth: '2020-01' }),
          ],
        },
        'PUT /runs/:id/steps/:stepId': {
          method: 'put',
          path: `/runs/${run.id}/steps/${step}`,
          valid: () => ({ checked: true, expectedVersion: 0 }),
          bad: { checked: notABoolean, expectedVersion: notAVersion },
          required: ['checked', 'expectedVersion'],
          // Versions far beyond any step's: a conflict, not a failed query.
          extra: [
            r => ({
              checked: true,
              expectedVersion: r.pick([
                2147483647, 2147483648, 9007199254740993, 1e20, 1e300,
              ]),
            }),
          ],
        },
        'POST /runs/:id/checkpoints/:id': emptyBody(
          `/runs/${run.id}/checkpoints/${checkpoint}`,
        ),
        'POST /runs/:id/steps/:stepId/notes': {
          method: 'post',
          path: `/runs/${run.id}/steps/${step}/notes`,
          valid: () => ({ text: 'Rollout paused' }),
          bad: { text: r => notAText(r, 10_000) },
          required: ['text'],
        },
        'POST /runs/:id/action-items': {
          method: 'post',
          path: `/runs/${run.id}/action-items`,
          valid: () => ({ title: 'Alert on rollouts', owner: ERIN }),
          bad: {
            title: r => notAText(r, 500),
            owner: notAnEntityRef,
            dueDate: notADate,
          },
          required: ['title', 'owner'],
        },
        'POST /runs/:id/participants': {
          method: 'post',
          path: `/runs/${run.id}/participants`,
          valid: () => ({ entityRef: 'user:default/frank', role: 'observer' }),
          bad: {
            entityRef: notAnEntityRef,
            role: r =>
              r.next() < 0.2 ? 'lead' : notOneOf(r, PARTICIPANT_ROLES),
          },
          required: ['entityRef', 'role'],
          // Erin takes part already.
          extra: [() => ({ entityRef: 'User:Erin', role: 'observer' })],
        },
        'POST /runs/:id/finish': emptyBody(`/runs/${run.id}/finish`),
        'POST /runs/:id/abort': {
          method: 'post',
          path: `/runs/${run.id}/abort`,
          valid: () => ({ reason: 'Production incident, postponed' }),
          bad: {
            reason: r =>
              r.pick<() => unknown>([
                () => 'too short',
                () => '    short    ',
                () => '🙂'.repeat(4),
                () => notAText(r, 2000),
              ])(),
          },
          required: ['reason'],
        },
        'POST /runs/:id/presence': emptyBody(`/runs/${run.id}/presence`),
        'POST /calendar/overrides': {
          method: 'post',
          path: '/calendar/overrides',
          valid: () => ({
            month: months[3],
            kind: 'skip',
            reason: 'The whole team is at the offsite',
          }),
          bad: {
            month: notAMonth,
            kind: r => notOneOf(r, OVERRIDE_KINDS),
            reason: r =>
              r.pick<() => unknown>([
                () => 'offsite',
                () => notAText(r, 2000),
              ])(),
            scenarioId: r =>
              r.pick<() => unknown>([() => SCENARIO, () => notAnId(r)])(),
            date: r =>
              r.pick<() => unknown>([
                () => `${months[3]}-15`,
                () => notADate(r),
              ])(),
          },
          required: ['month', 'kind', 'reason'],
          extra: [
            () => ({
              month: '2020-01',
              kind: 'skip',
              reason: 'The whole team is at the offsite',
            }),
            () => ({
              month: months[3],
              kind: 'swap',
              scenarioId: 'no-such-scenario',
              reason: 'The whole team is at the offsite',
            }),
            () => ({
              month: months[3],
              kind: 'reschedule',
              date: `${months[4]}-02`,
              reason: 'The whole team is at the offsite',
            }),
          ],
        },
      };
    };

    it('refuses every bad body and stores nothing', async () => {
      const problems: string[] = [];
      for (const [name, route] of Object.entries(bodyRoutes())) {
        problems.push(...(await check(bodyCases(seeded(name), name, route))));
      }
      expect(problems).toEqual([]);
    });

    it('refuses every bad upload and stores nothing', async () => {
      const step = run.phases[0].steps[0].id;
      const path = `/runs/${run.id}/steps/${step}/attachments`;
      expect(await check(uploadCases(seeded('upload'), path, path))).toEqual(
        [],
      );
    });

    it('refuses bad queries, and takes junk queries where there is no input', async () => {
      const routes: Record<string, QueryRoute> = {
        'GET /runs': {
          path: '/runs',
          keys: {
            state: {
              good: 'running',
              bad: r => String(notOneOf(r, RUN_STATES)),
            },
            scenarioId: { good: SCENARIO, bad: badQueryId },
            limit: { good: '10', bad: badInt(1, 100) },
            offset: { good: '0', bad: badInt(0, 10_000) },
            finishedAfter: {
              good: '2026-01-01T00:00:00Z',
              bad: r =>
                r.pick([
                  'yesterday',
                  '2026-13-01T00:00:00Z',
                  '2026-01-01',
                  '2026-01-01T00:00:00',
                  '1764496800000',
                  '',
                ]),
            },
            finishedBefore: {
              good: '2099-01-01T00:00:00Z',
              bad: r => r.pick(['tomorrow', '2099-02-30T00:00:00Z', 'null']),
            },
          },
        },
        'GET /calendar': {
          path: '/calendar',
          keys: { months: { good: '6', bad: badInt(1, 36) } },
        },
        'GET /history': {
          path: '/history',
          keys: { scenarioId: { good: SCENARIO, bad: badQueryId } },
        },
        'GET /calendar/feed.ics': {
          path: '/calendar/feed.ics',
          anonymous: true,
          keys: {
            token: {
              good: 'dXNlcjpkZWZhdWx0L2RhdmU.forged',
              bad: r =>
                r.pick([
                  '',
                  'x'.repeat(1001),
                  'dXNlcjpkZWZhdWx0L2RhdmU',
                  'dXNlcjpkZWZhdWx0L2RhdmU.',
                  '.',
                  '🙂.🙂',
                  r.word('t.'),
                  `${Buffer.from('user:default/dave').toString(
                    'base64url',
                  )}.${'A'.repeat(43)}`,
                ]),
            },
          },
        },
      };
      const cases: Case[] = [];
      for (const [name, route] of Object.entries(routes)) {
        cases.push(...queryCases(seeded(name), name, route));
      }
      const r = seeded('no input');
      for (const path of [
        '/runbooks',
        '/calendar.ics',
        '/calendar/overrides',
        '/calendar/subscription',
      ]) {
        for (let i = 0; i < 5; i++) {
          cases.push({
            label: `${path} junk query`,
            method: 'get',
            path: `${path}?${encodeURIComponent(r.word())}=${encodeURIComponent(
              r.pick(['NaN', '-1', '\u0000', 'x'.repeat(r.int(1, 3000))]),
            )}&__proto__[admin]=1`,
            mayPass: true,
          });
        }
      }
      expect(await check(cases)).toEqual([]);
    });

    it('refuses hostile ids in every path, with a valid body', async () => {
      const r = seeded('paths');
      const step = run.phases[0].steps[0].id;
      const routes: Array<{
        method: 'get' | 'post' | 'put' | 'delete';
        path: (id: () => string) => string;
        body?: unknown;
      }> = [
        { method: 'get', path: id => `/runbooks/${id()}` },
        { method: 'get', path: id => `/runs/${id()}` },
        { method: 'get', path: id => `/runs/${id()}/report.md` },
        { method: 'get', path: id => `/runs/${id()}/report.html` },
        {
          method: 'get',
          path: id => `/runs/${run.id}/attachments/${id()}/content`,
        },
        {
          method: 'put',
          path: id => `/runs/${run.id}/steps/${id()}`,
          body: { checked: true, expectedVersion: 0 },
        },
        {
          method: 'put',
          path: id => `/runs/${id()}/steps/${step}`,
          body: { checked: true, expectedVersion: 0 },
        },
        { method: 'post', path: id => `/runs/${run.id}/checkpoints/${id()}` },
        {
          method: 'post',
          path: id => `/runs/${run.id}/steps/${id()}/notes`,
          body: { text: 'a note' },
        },
        {
          method: 'post',
          path: id => `/runs/${id()}/action-items`,
          body: { title: 'An item', owner: ERIN },
        },
        {
          method: 'post',
          path: id => `/runs/${id()}/participants`,
          body: { entityRef: 'user:default/frank', role: 'observer' },
        },
        { method: 'post', path: id => `/runs/${id()}/finish` },
        {
          method: 'post',
          path: id => `/runs/${id()}/abort`,
          body: { reason: 'Production incident, postponed' },
        },
        { method: 'post', path: id => `/runs/${id()}/presence` },
        { method: 'delete', path: id => `/runs/${id()}/presence` },
      ];
      const cases: Case[] = [];
      for (let i = 0; i < CASES * 2; i++) {
        const route = r.pick(routes);
        const path = route.path(() => hostileSegment(r));
        cases.push({
          label: `${path.slice(0, 80)}`,
          method: route.method,
          path,
          body:
            route.method === 'get'
              ? undefined
              : {
                  type: 'application/json',
                  data: JSON.stringify(route.body ?? {}),
                },
        });
      }
      for (let i = 0; i < CASES / 2; i++) {
        const path = `/runs/${run.id}/steps/${hostileSegment(r)}/attachments`;
        cases.push({
          label: `upload to ${path.slice(0, 60)}`,
          method: 'post',
          path,
          multipart: req =>
            req.attach('file', Buffer.from('x'), {
              filename: 'a.txt',
              contentType: 'text/plain',
            }),
        });
      }
      expect(await check(cases)).toEqual([]);
    });

    // Found by the fuzzing: each is refused by the schemas but reaches the
    // database, where PostgreSQL fails (integer out of range; text cannot
    // hold NUL), so always sent, whatever the seed.
    it('refuses NUL in text and versions beyond an integer column', async () => {
      const step = run.phases[0].steps[0].id;
      const json = (
        label: string,
        method: 'post' | 'put',
        path: string,
        value: unknown,
      ): Case => ({
        label,
        method,
        path,
        body: { type: 'application/json', data: JSON.stringify(value) },
      });
      const cases: Case[] = [
        ...[2147483648, 9007199254740993, 1e20, 1e300].map(version =>
          json(
            `expectedVersion ${version}`,
            'put',
            `/runs/${run.id}/steps/${step}`,
            {
              checked: true,
              expectedVersion: version,
            },
          ),
        ),
        json('note with NUL', 'post', `/runs/${run.id}/steps/${step}/notes`, {
          text: 'a\u0000b',
        }),
        json(
          'action item title with NUL',
          'post',
          `/runs/${run.id}/action-items`,
          {
            title: 'a\u0000b',
            owner: ERIN,
          },
        ),
        json(
          'participant ref with NUL',
          'post',
          `/runs/${run.id}/participants`,
          {
            entityRef: 'user:default/a\u0000b',
            role: 'observer',
          },
        ),
        json('start with a participant ref with NUL', 'post', '/runs', {
          scenarioId: SCENARIO,
          participants: [
            { entityRef: 'user:default/a\u0000b', role: 'scribe' },
          ],
        }),
        json('override reason with NUL', 'post', '/calendar/overrides', {
          month: months[3],
          kind: 'skip',
          reason: 'The team \u0000 is at the offsite',
        }),
        json('abort reason with NUL', 'post', `/runs/${run.id}/abort`, {
          reason: 'An incident \u0000 happened',
        }),
      ];
      expect(await check(cases)).toEqual([]);
    });
  },
);
