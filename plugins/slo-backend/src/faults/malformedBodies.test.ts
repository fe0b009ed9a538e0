/*
 * Bad input to every route of the SLO API, through the real plugin
 * (startTestBackend) on each test database: wrong types, missing fields,
 * huge values, NaN strings, arrays for objects, unknown keys, bad refs and
 * ids, bad ISO times, non-whole minutes, too many samples, good > total,
 * negative counts, out-of-order and duplicate minutes, invalid JSON, wrong
 * content types and oversized bodies.
 *
 * Each route gets a few hundred cases from a seeded generator (./generator):
 * each case is built to be wrong in one known place. The property, for every
 * case: never a 5xx; a 4xx whose message names the field that is wrong
 * (where the input has a field to name); and no row added to
 * slo_sli_minutes, slo_alerts, slo_outbox or the audit tables. An oracle
 * (the plugin's own push validation) double-checks the push cases: a batch
 * it accepts must answer 200.
 *
 * Nothing else writes those tables meanwhile: the objective has no samples,
 * so the scheduled evaluation fires nothing, and the fixture alerts belong
 * to an objective that does not exist, so the evaluation never resolves them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import {
  MAX_SAMPLES_PER_BATCH,
  SLO_OBJECTIVE_STATES,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { sloPlugin } from '../plugin';
import { parseSampleBatch } from '../samples/validate';
import { pushObjectiveYaml } from '../testing/sloTestDatabase';
import { Gen, seedOf } from './generator';

jest.setTimeout(180_000);

const RUNS = Number(process.env.SLO_FUZZ_RUNS ?? 250);
const MINUTE = 60_000;
const OBJECTIVE = 'gateway-availability';
const BODY_LIMIT = 2 * 1024 * 1024; // express.json({ limit: '2mb' }) in the router
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'api-gateway',
    namespace: 'default',
    annotations: { 'slo.ops.portal/objectives': 'gateway' },
  },
  spec: { owner: 'platform', system: 'storefront', type: 'service' },
};

const iso = (ms: number) => new Date(ms).toISOString();
const lastWholeMinute = () => Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;

interface RawBody {
  text: string;
  contentType: string;
}
const json = (value: unknown): RawBody => ({
  text: JSON.stringify(value),
  contentType: 'application/json',
});

/** One request built to be wrong in one known place. */
interface Case {
  label: string;
  method: 'get' | 'post';
  path: string;
  body?: RawBody;
  /** The exact status expected; by default any 4xx. */
  status?: number;
  /** What the error message must contain (the field's name). */
  mentions?: string[];
}

// ---------------------------------------------------------------------------
// Bad values

/** Wrong for any count (good, total): not a non-negative safe integer. */
const BAD_COUNTS: unknown[] = [
  'NaN',
  '12',
  '',
  null,
  true,
  -1,
  -1e9,
  1.5,
  0.0001,
  2 ** 60,
  1e300,
  [],
  [1],
  {},
  { value: 1 },
];

/** Never a valid ISO date-time with an offset. */
const BAD_TIMES = [
  'yesterday',
  'NaN',
  '',
  ' ',
  '2026-13-01T00:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-11-30',
  '2026-11-30T10:00:00',
  '2026-11-30 10:00:00Z',
  '2026-11-30T25:00:00Z',
  '2026-11-30T10:00:00+25:00',
  '1764496800000',
  '+275760-09-13T00:00:00Z',
  '2026-11-30T10:00:00Z ',
];

/** A value that is never a valid query value of the key (see `querySpec`). */
type QueryValue = string | string[] | Record<string, string>;
interface KeySpec {
  valid: string[];
  bad: (g: Gen) => string;
}

const intKey = (min: number, max: number): KeySpec => ({
  valid: [String(min), String(max)],
  bad: g =>
    g.pick([
      ...(min > 0 ? ['', '0'] : []),
      'NaN',
      'abc',
      '1.5',
      String(min - 1),
      String(max + 1),
      String(max * 1000),
      'Infinity',
      '1e400',
      '12abc',
      '--1',
      `${g.int(1, 9)}.${g.int(1, 9)}`,
      g.key('n'),
    ]),
});
const enumKey = (values: readonly string[]): KeySpec => ({
  valid: [...values],
  bad: g =>
    g.pick([
      '',
      g.key('zz'),
      g.pick(values).toUpperCase(),
      ` ${g.pick(values)}`,
      `${g.pick(values)}\u0000`,
      'null',
    ]),
});
const strKey = (max: number): KeySpec => ({
  valid: ['group:default/platform', 'x'],
  bad: g => g.pick(['', 'x'.repeat(max + 1), 'y'.repeat(max + g.int(2, 5000))]),
});
const timeKey = (valid: () => string): KeySpec => ({
  get valid() {
    return [valid()];
  },
  bad: g => g.pick(BAD_TIMES),
});

const pageKeys = { limit: intKey(1, 100), offset: intKey(0, 10_000) };

/** Encodes a query: arrays as repeated keys, objects with brackets. */
function encodeQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  const enc = encodeURIComponent;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') parts.push(`${enc(key)}=${enc(value)}`);
    else if (Array.isArray(value))
      parts.push(...value.map(v => `${enc(key)}=${enc(v)}`));
    else
      parts.push(
        ...Object.entries(value).map(
          ([sub, v]) => `${enc(key)}[${enc(sub)}]=${enc(v)}`,
        ),
      );
  }
  return parts.join('&');
}

/**
 * A query of valid values for some keys and one mistake: a bad value, an
 * unknown key, a repeated key (an array) or a bracketed one (an object).
 */
function badQuery(
  g: Gen,
  keys: Record<string, KeySpec>,
): { query: string; mentions: string[]; label: string } {
  const names = Object.keys(keys);
  const params: Record<string, QueryValue> = {};
  for (const name of names) {
    if (g.bool(0.3)) params[name] = g.pick(keys[name].valid);
  }
  const kind = names.length
    ? g.pick(['value', 'value', 'value', 'unknown', 'array', 'object'])
    : 'unknown';
  if (kind === 'unknown') {
    const key = g.key('zz');
    params[key] = g.pick(['1', '', 'true', g.key('v')]);
    return { query: encodeQuery(params), mentions: [key], label: kind };
  }
  const name = g.pick(names);
  if (kind === 'value') params[name] = keys[name].bad(g);
  if (kind === 'array') params[name] = [g.pick(keys[name].valid), g.key('v')];
  if (kind === 'object') params[name] = { [g.key('s')]: g.pick(['1', 'x']) };
  return {
    query: encodeQuery(params),
    mentions: [name],
    label: `${kind} ${name}=${JSON.stringify(params[name]).slice(0, 60)}`,
  };
}

/** Refs that name no objective: unknown, too long, odd characters. */
function badRef(g: Gen): { ref: string; status: number } {
  return g.pick([
    () => ({ ref: g.key('no-such-objective-'), status: 404 }),
    () => ({ ref: `${OBJECTIVE} `, status: 404 }),
    () => ({ ref: OBJECTIVE.toUpperCase(), status: 404 }),
    () => ({ ref: "'; DROP TABLE slo_alerts; --", status: 404 }),
    () => ({ ref: '..', status: 404 }),
    () => ({ ref: '\u0000', status: 400 }),
    () => ({ ref: '🙂'.repeat(10), status: 404 }),
    () => ({ ref: 'r'.repeat(256), status: 400 }),
    () => ({ ref: 'r'.repeat(g.int(257, 6000)), status: 400 }),
  ])();
}

// ---------------------------------------------------------------------------
// Push bodies

interface Sample {
  timestamp?: unknown;
  good?: unknown;
  total?: unknown;
  [key: string]: unknown;
}

function validSamples(g: Gen, count: number): Sample[] {
  const start = lastWholeMinute() - g.int(count + 5, 5_000) * MINUTE;
  return Array.from({ length: count }, (_, i) => {
    const total = g.int(0, 5_000);
    return { timestamp: iso(start + i * MINUTE), good: g.int(0, total), total };
  });
}

/** A push case: a batch wrong in one sample field, in its shape, or in how it is sent. */
function pushCase(g: Gen, path: string): Case {
  const count = g.bool(0.2) ? g.int(2, 60) : g.int(1, 6);
  const samples = validSamples(g, count);
  const i = g.int(0, count - 1);
  const at = (field: string) => `samples[${i}].${field}`;
  const post = (body: RawBody, rest: Omit<Case, 'method' | 'path' | 'body'>) =>
    ({ method: 'post', path, body, ...rest } as Case);

  const kind = g.pick([
    'count',
    'count',
    'count',
    'missing',
    'goodOverTotal',
    'negative',
    'time',
    'time',
    'wholeMinute',
    'future',
    'order',
    'unknownSampleKey',
    'sampleNotObject',
    'unknownTopKey',
    'samplesMissing',
    'samplesWrongType',
    'bodyArray',
    'tooMany',
    'invalidJson',
    'jsonPrimitive',
    'contentType',
    'oversized',
  ]);
  switch (kind) {
    case 'count': {
      const field = g.pick(['good', 'total']);
      samples[i][field] = g.pick(BAD_COUNTS);
      return post(json({ samples }), { label: kind, mentions: [at(field)] });
    }
    case 'missing': {
      const field = g.pick(['good', 'total', 'timestamp']);
      delete samples[i][field];
      return post(json({ samples }), { label: kind, mentions: [at(field)] });
    }
    case 'goodOverTotal': {
      samples[i].good = Number(samples[i].total) + g.int(1, 1_000_000);
      return post(json({ samples }), { label: kind, mentions: [at('good')] });
    }
    case 'negative': {
      const field = g.pick(['good', 'total']);
      samples[i][field] = -g.int(1, 1_000_000);
      return post(json({ samples }), { label: kind, mentions: [at(field)] });
    }
    case 'time': {
      samples[i].timestamp = g.pick<unknown>([
        ...BAD_TIMES,
        Date.parse(String(samples[i].timestamp)),
        null,
        [],
        {},
        true,
      ]);
      return post(json({ samples }), {
        label: `${kind} ${JSON.stringify(samples[i].timestamp)}`,
        mentions: [at('timestamp')],
      });
    }
    case 'wholeMinute': {
      const ms = Date.parse(String(samples[i].timestamp));
      samples[i].timestamp = iso(ms + g.pick([1, 500, 1_000, 30_000, 59_999]));
      return post(json({ samples }), {
        label: kind,
        mentions: [at('timestamp')],
      });
    }
    case 'future': {
      const last = count - 1;
      samples[last].timestamp = iso(
        lastWholeMinute() + g.int(3, 100_000) * MINUTE,
      );
      return post(json({ samples }), {
        label: kind,
        mentions: [`samples[${last}].timestamp`, 'future'],
      });
    }
    case 'order': {
      if (count < 2) samples.push({ ...samples[0] }); // a duplicate minute
      const j = Math.max(1, i);
      const previous = Date.parse(String(samples[j - 1].timestamp));
      samples[j].timestamp = iso(
        g.bool() ? previous : previous - g.int(1, 1_000) * MINUTE,
      );
      return post(json({ samples }), {
        label: kind,
        mentions: [`samples[${j}].timestamp`],
      });
    }
    case 'unknownSampleKey': {
      const key = g.key('extra_');
      samples[i][key] = g.pick([1, 'x', null, {}]);
      return post(json({ samples }), {
        label: kind,
        mentions: [`samples[${i}]`, key],
      });
    }
    case 'sampleNotObject': {
      const list: unknown[] = samples;
      list[i] = g.pick<unknown>([null, 'sample', 5, [], true, [[[]]]]);
      return post(json({ samples: list }), {
        label: kind,
        mentions: [`samples[${i}]`],
      });
    }
    case 'unknownTopKey': {
      const key = g.key('extra_');
      return post(json({ samples, [key]: g.pick([1, 'x', []]) }), {
        label: kind,
        mentions: [key],
      });
    }
    case 'samplesMissing':
      return post(
        json(g.pick([{}, { sample: samples }, { Samples: samples }])),
        {
          label: kind,
          mentions: ['samples'],
        },
      );
    case 'samplesWrongType':
      return post(
        json({
          samples: g.pick<unknown>([
            'x',
            5,
            {},
            null,
            true,
            { 0: samples[0] },
            JSON.stringify(samples),
          ]),
        }),
        { label: kind, mentions: ['samples'] },
      );
    case 'bodyArray':
      return post(json(g.pick<unknown>([[{ samples }], samples])), {
        label: kind,
        mentions: ['object'],
      });
    case 'tooMany': {
      const many = MAX_SAMPLES_PER_BATCH + g.int(1, 50);
      const start = lastWholeMinute() - (many + 10) * MINUTE;
      return post(
        json({
          samples: Array.from({ length: many }, (_, n) => ({
            timestamp: iso(start + n * MINUTE),
            good: 1,
            total: 1,
          })),
        }),
        { label: `${kind} (${many})`, mentions: ['samples', 'at most'] },
      );
    }
    case 'invalidJson': {
      const text = JSON.stringify({ samples });
      return post(
        {
          contentType: 'application/json',
          text: g.pick([
            text.slice(0, -1 - g.int(0, 5)),
            text.replace(/"good":\d+/, '"good":NaN'),
            text.replace(/"total":\d+/, '"total":Infinity'),
            `${text},`,
            `{"samples":[${g.text(40)}`,
            "{'samples': []}",
            `${'['.repeat(g.int(1, 5_000))}`,
          ]),
        },
        { label: kind, status: 400 },
      );
    }
    case 'jsonPrimitive':
      return post(
        {
          contentType: 'application/json',
          text: g.pick(['true', 'null', '5', '"samples"', '-0', 'NaN']),
        },
        { label: kind, status: 400 },
      );
    case 'contentType':
      // express.json() skips other types: the route sees no samples.
      return post(
        {
          contentType: g.pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'text/csv',
            'application/xml',
          ]),
          text: JSON.stringify({ samples }),
        },
        { label: kind, mentions: ['samples'] },
      );
    case 'oversized': {
      const filler = 'x'.repeat(BODY_LIMIT + g.int(1, 200_000));
      return post(
        {
          contentType: 'application/json',
          text: JSON.stringify({ samples, filler }),
        },
        { label: kind, status: 413 },
      );
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

// ---------------------------------------------------------------------------
// Alert action bodies

function alertActionCase(
  g: Gen,
  action: 'acknowledge' | 'silence',
  ids: { resolved: string; firing: string },
): Case {
  const future = iso(lastWholeMinute() + g.int(10, 10_000) * MINUTE);
  const base: Record<string, unknown> =
    action === 'silence'
      ? { reason: 'maintenance window', until: future }
      : { reason: 'looking into it' };
  const fields = Object.keys(base);
  const id = g.pick([ids.resolved, ids.firing, randomUUID()]);
  const path = (alertId: string) =>
    `/api/slo/alerts/${encodeURIComponent(alertId)}/${action}`;
  const post = (body: RawBody, rest: Omit<Case, 'method' | 'path' | 'body'>) =>
    ({ method: 'post', path: path(id), body, ...rest } as Case);

  const kind = g.pick([
    'value',
    'value',
    'value',
    'missing',
    'unknown',
    'badId',
    'unknownId',
    'bodyArray',
    'invalidJson',
    'contentType',
    'oversized',
    ...(action === 'silence' ? ['past', 'past'] : []),
  ]);
  switch (kind) {
    case 'value': {
      const field = g.pick(fields);
      const body = { ...base };
      body[field] =
        field === 'reason'
          ? g.pick<unknown>([
              '',
              '   ',
              '\n\t',
              'r'.repeat(1001),
              'r'.repeat(g.int(1002, 50_000)),
              5,
              null,
              true,
              [],
              ['reason'],
              { text: 'reason' },
            ])
          : g.pick<unknown>([...BAD_TIMES, 5, null, [], {}, true]);
      return post(json(body), {
        label: `${kind} ${field}=${JSON.stringify(body[field]).slice(0, 40)}`,
        mentions: [field],
      });
    }
    case 'missing': {
      const field = g.pick(fields);
      const body = { ...base };
      delete body[field];
      return post(json(body), { label: kind, mentions: [field] });
    }
    case 'unknown': {
      const key = g.key('extra_');
      return post(json({ ...base, [key]: 'x' }), {
        label: kind,
        mentions: [key],
      });
    }
    case 'past': {
      const until = g.pick([
        iso(Date.now() - g.int(1, 10_000) * MINUTE),
        '0000-01-01T00:00:00Z',
        '1970-01-01T00:00:00Z',
      ]);
      return post(json({ ...base, until }), {
        label: `${kind} ${until}`,
        mentions: ['until'],
      });
    }
    case 'badId': {
      const bad = g.pick([
        g.key('alert-'),
        '00000000-0000-0000-0000-00000000000',
        `${ids.firing}0`,
        ids.firing.toUpperCase().replace(/-/g, ''),
        'x'.repeat(g.int(1, 5_000)),
        "' or 1=1 --",
      ]);
      return {
        method: 'post',
        path: path(bad),
        body: json(base),
        label: kind,
        status: 400,
      };
    }
    case 'unknownId':
      return {
        method: 'post',
        path: path(randomUUID()),
        body: json(base),
        label: kind,
        status: 404,
      };
    case 'bodyArray':
      return post(json([base]), { label: kind, mentions: ['object'] });
    case 'invalidJson':
      return post(
        {
          contentType: 'application/json',
          text: g.pick([
            JSON.stringify(base).slice(0, -1),
            "{'reason': 'x'}",
            'null',
            '"reason"',
          ]),
        },
        { label: kind, status: 400 },
      );
    case 'contentType':
      return post(
        { contentType: 'text/plain', text: JSON.stringify(base) },
        { label: kind, mentions: ['reason'] },
      );
    case 'oversized':
      return post(
        {
          contentType: 'application/json',
          text: JSON.stringify({
            ...base,
            reason: 'r'.repeat(BODY_LIMIT + 10),
          }),
        },
        { label: kind, status: 413 },
      );
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

// ---------------------------------------------------------------------------

describe.each(databases.eachSupportedId())(
  'bad input to the SLO API on %p',
  databaseId => {
    let knex: Knex;
    let server: any;
    let folder: string;
    const ids = { resolved: randomUUID(), firing: randomUUID() };
    const stats: Record<string, Record<string, number>> = {};

    async function counts() {
      const [row] = await knex.select(
        knex.raw('(select count(*) from slo_sli_minutes) as minutes'),
        knex.raw('(select count(*) from slo_alerts) as alerts'),
        knex.raw('(select count(*) from slo_outbox) as outbox'),
        // The chainer moves pending events into the chain: count both.
        knex.raw(
          '(select count(*) from slo_audit_pending) + (select count(*) from slo_audit_events) as audit',
        ),
        knex.raw('(select count(*) from slo_alert_links) as links'),
      );
      return Object.fromEntries(
        Object.entries(row as Record<string, unknown>).map(([k, v]) => [
          k,
          Number(v),
        ]),
      );
    }

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'slo-fuzz-'));
      await writeFile(
        join(folder, 'gateway.yaml'),
        pushObjectiveYaml(OBJECTIVE),
      );
      knex = await databases.init(databaseId as TestDatabaseId);
      ({ server } = await startTestBackend({
        features: [
          sloPlugin,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          catalogServiceMock.factory({ entities: [component] }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.test' },
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              slo: { objectiveFolders: [folder] },
            },
          }),
        ],
      }));
      const until = Date.now() + 20_000;
      for (;;) {
        const res = await request(server).get(
          `/api/slo/objectives/${OBJECTIVE}`,
        );
        if (res.status === 200) break;
        if (Date.now() > until)
          throw new Error(`objective not discovered: ${res.status}`);
        await new Promise(r => setTimeout(r, 200));
      }
      // Two alerts of an objective no file defines: the evaluation leaves them be.
      const alert = (id: string, state: 'firing' | 'resolved') => ({
        id,
        objective_ref: 'ghost-objective',
        tier: 'page-1h',
        severity: 'page',
        dedup_key: `ghost-objective:page-1h:${state}`,
        state,
        fired_at: new Date(Date.now() - 3_600_000),
        resolved_at: state === 'resolved' ? new Date() : null,
        notified: JSON.stringify([]),
      });
      await knex('slo_alerts').insert([
        alert(ids.resolved, 'resolved'),
        alert(ids.firing, 'firing'),
      ]);
    });

    afterAll(async () => {
      // eslint-disable-next-line no-console
      console.log(
        `bad input on ${databaseId} (${RUNS} cases a route), statuses seen:\n${Object.entries(
          stats,
        )
          .map(([route, seen]) => `  ${route}: ${JSON.stringify(seen)}`)
          .join('\n')}`,
      );
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    function send(c: Case) {
      if (c.method === 'get') return request(server).get(c.path);
      const req = request(server).post(c.path);
      if (!c.body) return req;
      return req.set('content-type', c.body.contentType).send(c.body.text);
    }

    /**
     * Runs the cases and answers what went wrong: a 5xx, a status other than
     * expected, a message that does not name the field, or a row stored.
     */
    async function run(
      route: string,
      cases: Case[],
      oracle?: (c: Case) => boolean,
    ): Promise<string[]> {
      const problems: string[] = [];
      const seen = (stats[route] ??= {});
      for (const c of cases) {
        const valid = oracle?.(c) ?? false;
        const before = await counts();
        const res = await send(c);
        const after = await counts();
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        const message = errorMessage(res);
        const where = `${c.label} -> ${res.status} ${message.slice(0, 200)}`;
        if (valid) {
          // The plugin's own validation accepts it: it must be stored.
          if (res.status !== 200)
            problems.push(`valid input refused: ${where}`);
          continue;
        }
        if (res.status >= 500) problems.push(`5xx: ${where}`);
        else if (c.status !== undefined && res.status !== c.status)
          problems.push(`expected ${c.status}: ${where}`);
        else if (res.status < 400 || res.status >= 500)
          problems.push(`not a 4xx: ${where}`);
        else if (!message.trim()) problems.push(`no message: ${where}`);
        else
          for (const part of c.mentions ?? []) {
            if (!message.includes(part))
              problems.push(`message does not name ${part}: ${where}`);
          }
        if (JSON.stringify(after) !== JSON.stringify(before))
          problems.push(
            `rows changed: ${JSON.stringify(before)} -> ${JSON.stringify(
              after,
            )}: ${where}`,
          );
        if (problems.length >= 20) break;
      }
      return problems;
    }

    /** The error's message, also from a JSON error sent under another content type. */
    function errorMessage(res: request.Response): string {
      if (res.body?.error?.message) return String(res.body.error.message);
      try {
        return String(JSON.parse(res.text)?.error?.message ?? '');
      } catch {
        return '';
      }
    }

    const cases = (route: string, make: (g: Gen) => Case, runs = RUNS) => {
      const g = new Gen(seedOf(`${route}`));
      return Array.from({ length: runs }, () => make(g));
    };

    it('POST /objectives/:ref/samples names the bad sample and stores none of the batch', async () => {
      const path = `/api/slo/objectives/${OBJECTIVE}/samples`;
      const list = cases('POST samples', g => {
        if (g.bool(0.1)) {
          const { ref, status } = badRef(g);
          return {
            method: 'post',
            path: `/api/slo/objectives/${encodeURIComponent(ref)}/samples`,
            body: json({ samples: validSamples(g, g.int(1, 5)) }),
            label: `ref ${ref.slice(0, 40)}`,
            status,
          };
        }
        return pushCase(g, path);
      });
      // The oracle: the router's own parse of what express.json() hands it.
      const oracle = (c: Case) => {
        if (c.path !== path || c.body?.contentType !== 'application/json')
          return false;
        try {
          const minutes = parseSampleBatch(JSON.parse(c.body.text), new Date());
          // A minute that is no date is not valid, whatever the parse says.
          return minutes.every(m => Number.isFinite(m.minute.getTime()));
        } catch {
          return false;
        }
      };
      expect(await run('POST /objectives/:ref/samples', list, oracle)).toEqual(
        [],
      );
      expect(list.filter(oracle)).toEqual([]);
      expect((await counts()).minutes).toBe(0);
    });

    it('POST /objectives/:ref/samples with a malformed escape in the path', async () => {
      const res = await request(server)
        .post('/api/slo/objectives/%E0%A4%A/samples')
        .send({ samples: [] });
      expect(res.status).toBe(400);
    });

    it.each(['acknowledge', 'silence'] as const)(
      'POST /alerts/:id/%s',
      async action => {
        const list = cases(`POST ${action}`, g =>
          alertActionCase(g, action, ids),
        );
        expect(await run(`POST /alerts/:id/${action}`, list)).toEqual([]);
      },
    );

    it('POST /alerts/:id/acknowledge of a resolved alert is a conflict that changes nothing', async () => {
      const before = await counts();
      const res = await request(server)
        .post(`/api/slo/alerts/${ids.resolved}/acknowledge`)
        .send({ reason: 'too late' });
      expect(res.status).toBe(409);
      expect(await counts()).toEqual(before);
    });

    const ref = encodeURIComponent(OBJECTIVE);
    const queryRoutes: Array<[string, string, Record<string, KeySpec>]> = [
      [
        'GET /objectives',
        '/api/slo/objectives',
        {
          ...pageKeys,
          entityRef: strKey(255),
          owner: strKey(255),
          system: strKey(255),
          state: enumKey(SLO_OBJECTIVE_STATES),
          q: strKey(100),
          sort: enumKey(['name', 'budget', 'burn', 'state']),
          order: enumKey(['asc', 'desc']),
        },
      ],
      ['GET /problems', '/api/slo/problems', pageKeys],
      [
        'GET /alerts',
        '/api/slo/alerts',
        {
          ...pageKeys,
          objectiveRef: strKey(255),
          state: enumKey(['firing', 'resolved']),
        },
      ],
      ['GET /demo-sink', '/api/slo/demo-sink', pageKeys],
      ['GET /objectives/:ref', `/api/slo/objectives/${ref}`, {}],
      ['GET /objectives/:ref/source', `/api/slo/objectives/${ref}/source`, {}],
      [
        'GET /objectives/:ref/status',
        `/api/slo/objectives/${ref}/status`,
        { at: timeKey(() => iso(lastWholeMinute())) },
      ],
      [
        'GET /objectives/:ref/series',
        `/api/slo/objectives/${ref}/series`,
        {
          from: timeKey(() => iso(lastWholeMinute() - 120 * MINUTE)),
          to: timeKey(() => iso(lastWholeMinute() - 60 * MINUTE)),
          step: intKey(1, 7 * 24 * 60),
        },
      ],
      [
        'GET /objectives/:ref/rules',
        `/api/slo/objectives/${ref}/rules`,
        { format: enumKey(['rules', 'prometheusrule']) },
      ],
      [
        'GET /objectives/:ref/samples',
        `/api/slo/objectives/${ref}/samples`,
        {
          from: timeKey(() => iso(lastWholeMinute() - 120 * MINUTE)),
          to: timeKey(() => iso(lastWholeMinute() - 60 * MINUTE)),
        },
      ],
    ];

    // GET /objectives/:ref and /source read no query (and ignore one).
    it.each(queryRoutes.filter(([, , keys]) => Object.keys(keys).length > 0))(
      '%s with bad queries',
      async (route, path, keys) => {
        const list = cases(route, g => {
          const { query, mentions, label } = badQuery(g, keys);
          return { method: 'get', path: `${path}?${query}`, label, mentions };
        });
        expect(await run(route, list)).toEqual([]);
      },
    );

    it.each(queryRoutes.filter(([, path]) => path.includes(ref)))(
      '%s with bad refs',
      async (route, path) => {
        const list = cases(
          `${route} refs`,
          g => {
            const bad = badRef(g);
            return {
              method: 'get',
              path: path.replace(ref, encodeURIComponent(bad.ref)),
              label: `ref ${bad.ref.slice(0, 40)}`,
              status: bad.status,
            };
          },
          Math.ceil(RUNS / 5),
        );
        expect(await run(`${route} (refs)`, list)).toEqual([]);
      },
    );

    it('refuses times that parse but make no sense for the route, naming the field', async () => {
      const now = lastWholeMinute();
      const list: Case[] = [
        ...[1, 500, 30_000].map(offset => ({
          method: 'get' as const,
          path: `/api/slo/objectives/${ref}/status?at=${iso(
            now - MINUTE + offset,
          )}`,
          label: `status at a non-whole minute (+${offset} ms)`,
          mentions: ['at', 'whole minute'],
        })),
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/status?at=${iso(
            now + 10 * MINUTE,
          )}`,
          label: 'status in the future',
          mentions: ['at', 'future'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/series?from=${iso(now)}&to=${iso(
            now - MINUTE,
          )}`,
          label: 'series from after to',
          mentions: ['from'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/series?from=${iso(
            now - 30 * 1440 * MINUTE,
          )}&to=${iso(now)}&step=1`,
          label: 'series with too many points',
          mentions: ['step'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/series?from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:00Z&step=1`,
          label: 'series over ten thousand years',
          mentions: ['step'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/samples?from=${iso(now)}&to=${iso(
            now - MINUTE,
          )}`,
          label: 'samples from after to',
          mentions: ['from'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/samples?from=${iso(
            now - 32 * 1440 * MINUTE,
          )}&to=${iso(now)}`,
          label: 'samples over 32 days',
          mentions: ['31 days'],
        },
        {
          method: 'get',
          path: `/api/slo/objectives/${ref}/samples?from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:00Z`,
          label: 'samples over ten thousand years',
          mentions: ['31 days'],
        },
      ];
      expect(await run('cross-field times', list)).toEqual([]);
    });

    it('names the path parameter that is wrong', async () => {
      const long = await request(server).get(
        `/api/slo/objectives/${'r'.repeat(300)}`,
      );
      const badId = await request(server)
        .post('/api/slo/alerts/not-a-uuid/acknowledge')
        .send({ reason: 'looking' });
      expect({
        ref: [long.status, long.body.error?.message],
        id: [badId.status, badId.body.error?.message],
      }).toEqual({
        ref: [400, expect.stringMatching(/\bref\b/)],
        id: [400, expect.stringMatching(/\bid\b/)],
      });
    });

    // Defects the fuzzing found, one request each.

    it('refuses an ISO time whose offset is out of range (+25:00) with a 400, on every route that takes a time', async () => {
      const bad = '2026-11-30T10:00:00+25:00';
      const minute = iso(lastWholeMinute() - 60 * MINUTE);
      const answers = {
        status: (
          await request(server).get(
            `/api/slo/objectives/${ref}/status?at=${encodeURIComponent(bad)}`,
          )
        ).status,
        series: (
          await request(server).get(
            `/api/slo/objectives/${ref}/series?to=${encodeURIComponent(bad)}`,
          )
        ).status,
        samplesRead: (
          await request(server).get(
            `/api/slo/objectives/${ref}/samples?from=${encodeURIComponent(
              bad,
            )}`,
          )
        ).status,
        push: (
          await request(server)
            .post(`/api/slo/objectives/${ref}/samples`)
            .send({
              samples: [
                { timestamp: minute, good: 1, total: 1 },
                { timestamp: bad, good: 1, total: 1 },
              ],
            })
        ).status,
        silence: (
          await request(server)
            .post(`/api/slo/alerts/${ids.firing}/silence`)
            .send({ reason: 'maintenance', until: bad })
        ).status,
      };
      expect(answers).toEqual({
        status: 400,
        series: 400,
        samplesRead: 400,
        push: 400,
        silence: 400,
      });
      expect((await counts()).minutes).toBe(0);
    });

    it('answers 400, not 500, for a ref with a NUL character, naming the ref', async () => {
      const res = await request(server).get('/api/slo/objectives/%00');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'ref: must not contain control characters',
      );
    });

    it('sends the errors of /source and /rules as JSON, not as text/yaml', async () => {
      for (const route of ['source', 'rules']) {
        const res = await request(server).get(
          `/api/slo/objectives/no-such-objective/${route}`,
        );
        expect({ route, status: res.status, type: res.type }).toEqual({
          route,
          status: 404,
          type: 'application/json',
        });
      }
    });
  },
);
