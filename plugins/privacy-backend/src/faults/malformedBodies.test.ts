/*
 * Property-based fuzzing of the privacy HTTP API through the real plugin
 * (startTestBackend): arbitrary JSON and non-JSON bodies, content types,
 * query strings and path ids against every mutating route and the GET routes
 * that take a query or a path parameter.
 *
 * For every input: never a 5xx. For invalid input (judged by an oracle: the
 * published zod schemas, and what express.json() hands the route): a 4xx, and
 * the row counts of the privacy tables (requests, audit events, consent
 * events, holds) do not change. Valid input must answer 2xx.
 *
 * Workers are off (ops.queue.workers: false), so nothing changes the tables
 * in the background between the counts.
 */
/* eslint jest/expect-expect: ['warn', { assertFunctionNames: ['expect', 'fc.assert'] }] */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  consentChangeSchema,
  consentLookupSchema,
  dsarIntakeSchema,
  extendDeadlineSchema,
} from '@internal/plugin-privacy-common';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { z } from 'zod';
import { holdSchema, listQuerySchema } from '../schemas';
import { startPrivacyTestBackend } from '../testing/__testUtils__/testBackend';

jest.setTimeout(180_000);

const RUNS = Number(process.env.PRIVACY_FUZZ_RUNS ?? 100);
const BODY_LIMIT_BYTES = 64 * 1024; // express.json({ limit: '64kb' }) in the router
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

// ---------------------------------------------------------------------------
// Arbitraries

type Json = unknown;

/** Strings a validator is likely to get wrong. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\t\n',
    'null',
    'undefined',
    'true',
    '0',
    '-1',
    '1e309',
    'NaN',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    "'; DROP TABLE privacy_requests; --",
    '<script>alert(1)</script>',
    '%00',
    '%',
    '..',
    '.',
    'EU ',
    'eu',
    'Eu',
    'US',
    'GDPR',
    'CCPA',
    'LOW',
    'URGENT',
    'marketing',
    'someone@example.com',
    'not-an-email',
    'a reason long enough to pass',
    '00000000-0000-0000-0000-000000000000',
    'x'.repeat(201),
    'x'.repeat(1001),
  ),
);

/**
 * Text a schema accepts as a string but a database may not store: control
 * characters (NUL above all), lone surrogates, bidi overrides, astral
 * characters, around otherwise valid text.
 */
const awkwardText = (minLength: number, maxLength: number) =>
  fc
    .tuple(
      fc.constantFrom(
        'web-banner',
        'Litigation hold requested by legal',
        'subject-1',
        'x',
      ),
      fc.constantFrom(
        '\u0000',
        '\u0000\u0000',
        '\u0001',
        '\u0007',
        '\u001b[31m',
        '\u007f',
        '\ud800',
        '\udfff',
        '\u202e',
        '\ufeff',
        '\uffff',
        '\u{1F600}',
        '\r\n',
      ),
      fc.string({ maxLength: 10 }),
    )
    .map(([head, odd, tail]) => `${head}${odd}${tail}`)
    .filter(text => {
      const trimmed = text.trim();
      return trimmed.length >= minLength && trimmed.length <= maxLength;
    });

/** Any JSON value, including deep and wide ones. */
const jsonish: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.object({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -0,
      1.5,
      Number.MAX_SAFE_INTEGER,
      [],
      {},
      [null],
      { id: {} },
      { id: [] },
    ),
  },
);

function setPath(target: any, path: string[], value: unknown) {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = node[segment];
  }
  if (node !== null && typeof node === 'object') {
    node[path[path.length - 1]] = value;
  }
}

function deletePath(target: any, path: string[]) {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = node[segment];
  }
  if (node !== null && typeof node === 'object') {
    delete node[path[path.length - 1]];
  }
}

/** A valid body with one change: a field replaced, removed or added, or the whole body wrapped. */
function nearValid(base: Record<string, unknown>, paths: string[][]) {
  return fc
    .record({
      op: fc.constantFrom('replace', 'replace', 'delete', 'add', 'wrap'),
      path: fc.constantFrom(...paths),
      value: jsonish,
      extraKey: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('extra')),
    })
    .map(({ op, path, value, extraKey }) => {
      const body = JSON.parse(JSON.stringify(base));
      if (op === 'replace') setPath(body, path, value);
      if (op === 'delete') deletePath(body, path);
      if (op === 'add') setPath(body, [...path.slice(0, -1), extraKey], value);
      return op === 'wrap' ? [body] : body;
    });
}

interface RawBody {
  /** What goes on the wire. */
  text: string;
  contentType: string | undefined;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];

/** Bodies: JSON of arbitrary and near-valid values, broken JSON, huge and deep ones, other content types. */
function rawBody(valid: Record<string, unknown>, paths: string[][]) {
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map(v => JSON.stringify(v) ?? '');
  const text: fc.Arbitrary<string> = fc.oneof(
    { weight: 4, arbitrary: json(nearValid(valid, paths)) },
    { weight: 3, arbitrary: json(jsonish) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }, // mostly not JSON
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 40_000 })
        .map(depth => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 20_000 })
        .map(depth => `${'{"subject":'.repeat(depth)}{}${'}'.repeat(depth)}`),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 60_000, max: 120_000 }).map(size =>
        JSON.stringify({
          ...valid,
          subject: { id: 'x'.repeat(size) },
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 0, max: 3 })
        .map(cut => JSON.stringify(valid).slice(0, -1 - cut)), // truncated
    },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...JSON_TYPES) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/merge-patch+json',
      ),
    },
  );
  return fc.record({ text, contentType }) as fc.Arbitrary<RawBody>;
}

/** What the route handler gets from express.json() as req.body, or undefined when the parser rejects it. */
function parsedBody(
  body: RawBody,
): { ok: true; value: unknown } | { ok: false } {
  if (!body.contentType || !JSON_TYPES.includes(body.contentType)) {
    return { ok: true, value: {} }; // the parser skips it: req.body = {}
  }
  if (Buffer.byteLength(body.text) > BODY_LIMIT_BYTES) return { ok: false };
  if (body.text.length === 0) return { ok: true, value: {} };
  const first = body.text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ok: false }; // strict mode
  try {
    return { ok: true, value: JSON.parse(body.text) };
  } catch {
    return { ok: false };
  }
}

const bodyIsValid = (schema: z.ZodTypeAny, body: RawBody) => {
  const parsed = parsedBody(body);
  return parsed.ok && schema.safeParse(parsed.value).success;
};

/** Path ids: random text, random UUIDs, huge ones, and (when given) a real id. */
function pathId(known: string[] = []) {
  const options: Array<fc.Arbitrary<string>> = [
    nastyString,
    fc.uuid(),
    fc.constant(randomUUID()),
    fc.integer({ min: 1, max: 8_000 }).map(n => 'a'.repeat(n)),
    fc.stringMatching(/^[0-9a-f-]{30,40}$/),
  ];
  if (known.length) options.push(fc.constantFrom(...known));
  return fc.oneof(...options);
}

/** A query string of simple key=value pairs that express parses back to exactly `params`. */
const simpleQuery = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        'limit',
        'offset',
        'state',
        'type',
        'region',
        'priority',
        'overdue',
        'sort',
        'order',
      ),
      fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/),
    ),
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '25',
        '100',
        '101',
        '-1',
        '1.5',
        '1e2',
        '',
        ' ',
        'true',
        'false',
        'asc',
        'desc',
        'priority',
        'subject',
        'createdAt',
        'queued',
        'completed',
        'export',
        'delete',
        'EU',
        'MARS',
        'URGENT',
        'low',
      ),
      fc.string({ maxLength: 30 }),
    ),
    { maxKeys: 5 },
  )
  .filter(params =>
    Object.keys(params).every(
      k => !['__proto__', 'constructor', 'prototype'].includes(k),
    ),
  );

/** Anything in a query string: brackets (nested objects and arrays to qs), repeats, garbage. */
const rawQuery = fc.oneof(
  fc.string({ maxLength: 200 }).map(s => encodeURI(s)),
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'limit[]',
            'limit[a]',
            'state[$ne]',
            'sort[]',
            'offset[0]',
            'a[b][c][d][e][f][g]',
            '__proto__[x]',
            'constructor[prototype][x]',
            'limit',
            'state',
          ),
          fc.string({ maxLength: 10 }),
        ),
        fc.string({ maxLength: 20 }),
      ),
      { maxLength: 30 },
    )
    .map(pairs =>
      pairs
        .map(
          ([k, v]) =>
            `${encodeURIComponent(k)
              .replace(/%5B/g, '[')
              .replace(/%5D/g, ']')}=${encodeURIComponent(v)}`,
        )
        .join('&'),
    ),
  fc.integer({ min: 1, max: 3_000 }).map(n => `limit=1${'&limit=2'.repeat(n)}`),
);

// ---------------------------------------------------------------------------

describe.each(databases.eachSupportedId())('fuzzed input on %p', databaseId => {
  let knex: Knex;
  let server: any;
  let dir: string;
  let fixtureId: string;
  const stats: Record<string, Record<string, number>> = {};

  async function counts() {
    const [row] = await knex.select(
      knex.raw('(select count(*) from privacy_requests) as requests'),
      // Chained and pending events: the chainer moves rows between the two.
      knex.raw(
        '(select count(*) from privacy_audit_events) + (select count(*) from privacy_audit_pending) as audit',
      ),
      knex.raw('(select count(*) from privacy_consent_events) as consent'),
      knex.raw('(select count(*) from privacy_legal_holds) as holds'),
    );
    return {
      requests: Number(row.requests),
      audit: Number(row.audit),
      consent: Number(row.consent),
      holds: Number(row.holds),
    };
  }

  beforeAll(async () => {
    knex = await databases.init(databaseId as TestDatabaseId);
    dir = mkdtempSync(join(tmpdir(), 'privacy-fuzz-'));
    ({ server } = await startPrivacyTestBackend({
      knex,
      dir,
      privacy: { intakeRateLimit: { perMinute: 1_000_000 } },
    }));

    // A finished export of the calling user: every action on it is illegal.
    const created = await request(server)
      .post('/api/privacy/export')
      .send({
        subject: { id: 'fixture-subject' },
        region: 'EU',
        jurisdiction: 'GDPR',
      })
      .expect(201);
    fixtureId = created.body.id;
    await knex('privacy_requests')
      .where({ id: fixtureId })
      .update({ state: 'completed', completed_at: new Date() });
  });

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(
      `fuzzed routes on ${databaseId} (${RUNS} runs each), statuses seen:\n${Object.entries(
        stats,
      )
        .map(([route, seen]) => `  ${route}: ${JSON.stringify(seen)}`)
        .join('\n')}`,
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Sends one input and checks the property: no 5xx; invalid → 4xx and no
   * row count changed; valid → 2xx.
   */
  async function check(
    route: string,
    send: () => request.Test,
    valid: boolean,
  ) {
    const before = await counts();
    const response = await send();
    const after = await counts();
    const seen = (stats[route] ??= {});
    const label = `${valid ? 'valid' : 'invalid'}:${response.status}`;
    seen[label] = (seen[label] ?? 0) + 1;

    const context = `${route} answered ${response.status} ${JSON.stringify(
      response.body,
    )?.slice(0, 300)}`;
    if (response.status >= 500) throw new Error(`5xx: ${context}`);
    if (valid) {
      if (response.status < 200 || response.status >= 300)
        throw new Error(`valid input refused: ${context}`);
    } else {
      if (response.status < 400 || response.status >= 500)
        throw new Error(`invalid input not refused with a 4xx: ${context}`);
      expect({ route, counts: after }).toEqual({ route, counts: before });
    }
  }

  const post = (
    path: string,
    body: RawBody,
    headers: Record<string, string> = {},
  ) => {
    let req = request(server).post(path);
    for (const [name, value] of Object.entries(headers))
      req = req.set(name, value);
    if (body.contentType) req = req.set('Content-Type', body.contentType);
    return body.text.length ? req.send(body.text) : req;
  };

  const intakeBase = {
    subject: { id: 'subject-1', email: 'someone@example.com' },
    region: 'EU',
    jurisdiction: 'GDPR',
    priority: 'HIGH',
  };
  const intakePaths = [
    ['subject'],
    ['subject', 'id'],
    ['subject', 'email'],
    ['region'],
    ['jurisdiction'],
    ['priority'],
  ];
  const idempotencyKey = fc.option(
    fc.oneof(
      fc.stringMatching(/^[!-~]{1,40}$/),
      fc.integer({ min: 250, max: 4000 }).map(n => 'k'.repeat(n)),
      fc.constant('   '),
    ),
    { nil: undefined },
  );

  it.each(['export', 'delete'])('POST /%s', async type => {
    await fc.assert(
      fc.asyncProperty(
        rawBody(intakeBase, intakePaths),
        idempotencyKey,
        async (body, idemKey) => {
          const trimmed = idemKey?.trim() ?? '';
          const valid =
            bodyIsValid(dsarIntakeSchema, body) && trimmed.length <= 255;
          await check(
            `POST /${type}`,
            () =>
              post(
                `/api/privacy/${type}`,
                body,
                idemKey === undefined ? {} : { 'Idempotency-Key': idemKey },
              ),
            valid,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /consent', async () => {
    const base = {
      subject: { id: 'subject-1' },
      purpose: 'marketing',
      granted: true,
      source: 'web-banner',
    };
    await fc.assert(
      fc.asyncProperty(
        rawBody(base, [
          ['subject'],
          ['subject', 'id'],
          ['purpose'],
          ['granted'],
          ['source'],
        ]),
        async body =>
          check(
            'POST /consent',
            () => post('/api/privacy/consent', body),
            bodyIsValid(consentChangeSchema, body),
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /holds', async () => {
    const base = {
      subject: { id: 'subject-1' },
      reason: 'Litigation hold requested by legal',
    };
    await fc.assert(
      fc.asyncProperty(
        rawBody(base, [['subject'], ['subject', 'id'], ['reason']]),
        async body =>
          check(
            'POST /holds',
            () => post('/api/privacy/holds', body),
            bodyIsValid(holdSchema, body),
          ),
      ),
      { numRuns: RUNS },
    );
  });

  // Valid shapes whose text fields hold awkward but schema-valid text: the
  // input is valid, so the answer must be a 2xx (a 5xx means the database
  // refused what the schema let through).
  const text = (min: number, max: number) =>
    fc.oneof(
      awkwardText(min, max),
      fc.string({ unit: 'binary', minLength: min, maxLength: max }),
    );
  const jsonBody = (value: unknown): RawBody => ({
    text: JSON.stringify(value),
    contentType: 'application/json',
  });

  it('POST /consent with awkward text in valid bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          subject: fc.record({ id: text(1, 200) }),
          purpose: fc.constantFrom(
            'marketing',
            'analytics',
            'personalization',
            'third_party_sharing',
          ),
          granted: fc.boolean(),
          source: text(1, 100),
        }),
        async body =>
          check(
            'POST /consent (awkward text)',
            () => post('/api/privacy/consent', jsonBody(body)),
            consentChangeSchema.safeParse(body).success,
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /holds with awkward text in valid bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          subject: fc.record({ id: text(1, 200) }),
          reason: text(10, 1000),
        }),
        async body =>
          check(
            'POST /holds (awkward text)',
            () => post('/api/privacy/holds', jsonBody(body)),
            holdSchema.safeParse(body).success,
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /export with awkward text in valid bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          subject: fc.record({ id: text(1, 200) }),
          region: fc.constant('EU'),
          jurisdiction: fc.constantFrom('GDPR', 'UK-GDPR', 'CCPA'),
        }),
        async body =>
          check(
            'POST /export (awkward text)',
            () => post('/api/privacy/export', jsonBody(body)),
            dsarIntakeSchema.safeParse(body).success,
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /requests/:id/extend of an open request with awkward text', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text(10, 1000), async reason => {
        // A fresh open request each time: a deadline is extended only once.
        const open = await request(server)
          .post('/api/privacy/export')
          .send({
            subject: { id: `extend-subject-${n++}-${randomUUID()}` },
            region: 'EU',
            jurisdiction: 'GDPR',
          })
          .expect(201);
        await check(
          'POST /requests/:id/extend (open request, awkward text)',
          () =>
            post(
              `/api/privacy/requests/${open.body.id}/extend`,
              jsonBody({ reason }),
            ),
          extendDeadlineSchema.safeParse({ reason }).success,
        );
      }),
      { numRuns: RUNS },
    );
  });

  // On unknown and malformed ids, and on the finished fixture request (which
  // the caller itself requested), every action is refused.
  it.each(['approve', 'cancel', 'retry', 'extend'])(
    'POST /requests/:id/%s',
    async action => {
      const base = { reason: 'The subject asked for more time, twice' };
      await fc.assert(
        fc.asyncProperty(
          pathId([fixtureId]),
          rawBody(base, [['reason']]),
          async (id, body) =>
            check(
              `POST /requests/:id/${action}`,
              () =>
                post(
                  `/api/privacy/requests/${encodeURIComponent(id)}/${action}`,
                  body,
                ),
              false,
            ),
        ),
        { numRuns: RUNS },
      );
      // The oracle of extend's body is still the schema: keep it honest.
      expect(extendDeadlineSchema.safeParse(base).success).toBe(true);
    },
  );

  it('GET /requests with simple query strings', async () => {
    await fc.assert(
      fc.asyncProperty(simpleQuery, async params => {
        const qs = Object.entries(params)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        await check(
          'GET /requests (simple query)',
          () => request(server).get(`/api/privacy/requests?${qs}`),
          listQuerySchema.safeParse(params).success,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /requests with arbitrary query strings', async () => {
    await fc.assert(
      fc.asyncProperty(rawQuery, async qs => {
        const before = await counts();
        const response = await request(server).get(
          `/api/privacy/requests?${qs}`,
        );
        const seen = (stats['GET /requests (raw query)'] ??= {});
        seen[response.status] = (seen[response.status] ?? 0) + 1;
        // Whatever qs makes of it, the route answers a page or a 4xx, never 5xx.
        const answer =
          response.status === 200
            ? {
                page:
                  Array.isArray(response.body.items) &&
                  response.body.limit <= 100,
              }
            : { clientError: response.status >= 400 && response.status < 500 };
        expect({ qs, answer }).toEqual({
          qs,
          answer:
            response.status === 200 ? { page: true } : { clientError: true },
        });
        // A page that shows subject ids is audited (one subject.revealed
        // event); nothing else changes.
        const revealed =
          response.status === 200 &&
          response.body.items.some(
            (item: { subjectId: string | null }) => item.subjectId !== null,
          );
        expect(await counts()).toEqual({
          ...before,
          audit: before.audit + (revealed ? 1 : 0),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['/status/:id', (id: string) => `/api/privacy/status/${id}`, true],
    [
      '/requests/:id/audit',
      (id: string) => `/api/privacy/requests/${id}/audit`,
      true,
    ],
    [
      '/exports/:id/download',
      (id: string) => `/api/privacy/exports/${id}/download`,
      false,
    ],
  ] as const)('GET %s', async (route, path, fixtureReadable) => {
    await fc.assert(
      fc.asyncProperty(pathId([fixtureId]), async id =>
        check(
          `GET ${route}`,
          () => request(server).get(path(encodeURIComponent(id))),
          fixtureReadable && id === fixtureId,
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /consent/lookup', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          rawBody({ subject: { id: 'subject-1' } }, [
            ['subject'],
            ['subject', 'id'],
          ]),
          fc
            .oneof(
              nastyString,
              fc.integer({ min: 190, max: 8_000 }).map(n => 's'.repeat(n)),
            )
            .map(id => jsonBody({ subject: { id } })),
        ),
        async body =>
          check(
            'POST /consent/lookup',
            () => post('/api/privacy/consent/lookup', body),
            bodyIsValid(consentLookupSchema, body),
          ),
      ),
      { numRuns: RUNS },
    );
  });
});
