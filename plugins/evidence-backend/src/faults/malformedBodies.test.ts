/*
 * Bad input to every route of the evidence API, through the real plugin
 * (startEvidenceBackend) on each test database: wrong types, missing fields,
 * unknown keys, huge strings, NUL and control characters, bad UUIDs in
 * paths, bad ISO times, periods that end before they start, unknown points,
 * short exception reasons, arrays for objects, invalid JSON, wrong content
 * types, oversized JSON, bad paging values, and multipart uploads with
 * hostile file names, no file, two files, no or bad metadata, refused media
 * types and files over the configured cap (1024 bytes here).
 *
 * Every case is built to be wrong in one known place, from a seeded
 * generator (./random): EVIDENCE_FUZZ_SEED picks the seed (printed), and
 * EVIDENCE_FUZZ_SCALE multiplies the number of cases. The property, for
 * every case: never a 5xx; the status expected (a 4xx, or the exact one the
 * case names); a message that names the field or the reason; and nothing
 * stored: no row added, removed or changed in any evidence table, no file
 * in the storage folder, and no spooled upload left in the temp folder.
 * The routes that take no input (criteria, coverage, collectors, public
 * key) get junk queries and must answer 200 and change nothing.
 *
 * Nothing else writes meanwhile: the scheduled collection is a day away,
 * the binder fixture is built before the cases start, and the other binder
 * fixture is failed, so the builder has nothing to do.
 */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import type { Knex } from 'knex';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import request from 'supertest';
import { startEvidenceBackend } from '../__testUtils__/evidenceTestBackend';
import { FormPart, multipartBody } from './multipart';
import { SeededRandom, subSeed } from './random';

jest.setTimeout(180_000);

const SEED = Number(process.env.EVIDENCE_FUZZ_SEED ?? 20261201);
const SCALE = Number(process.env.EVIDENCE_FUZZ_SCALE ?? 1);
const MAX_UPLOAD = 1024;
const JSON_LIMIT = 64 * 1024; // express.json({ limit: '64kb' }) in the router
const API = '/api/evidence';

const TABLES = [
  'evidence_items',
  'evidence_item_points',
  'evidence_collector_runs',
  'evidence_exceptions',
  'evidence_binders',
  'evidence_blob_intents',
  'evidence_audit_events',
  'evidence_audit_pending',
];

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** A collector that files one access review, for the sign-off route. */
const reviewFixture: EvidenceCollector = {
  id: 'review-fixture',
  title: 'Review fixture',
  description: 'files one access review for the fault tests',
  points: ['CC6.1', 'CC6.2', 'CC6.3'],
  cadence: 'quarterly',
  async collect({ now }) {
    return [
      {
        type: 'access-review',
        title: 'Access review',
        period: { start: new Date(now.getTime() - 86_400_000), end: now },
        fileName: 'access-review.json',
        mediaType: 'application/json',
        content: JSON.stringify({ schemaVersion: 1, users: [] }),
      },
    ];
  },
};

// ---------------------------------------------------------------------------
// Cases

interface Body {
  contentType: string;
  data: string | Buffer;
}

/** One request, built to be wrong in one known place. */
interface Case {
  label: string;
  method: 'get' | 'post' | 'delete';
  path: string;
  body?: Body;
  /** The exact status expected; by default any 4xx. */
  status?: number;
  /** What the error message must contain: the field, or the reason. */
  mentions?: Array<string | RegExp>;
  /** A route that takes no input: 200 is the right answer. */
  ok?: boolean;
  /** Backstage answers an unknown route with an empty 404. */
  noMessage?: boolean;
}

interface Fixtures {
  itemId: string;
  reviewId: string;
  runId: string;
  exceptionId: string;
  revokedId: string;
  binderId: string;
  failedBinderId: string;
}

const json = (value: unknown): Body => ({
  contentType: 'application/json',
  data: JSON.stringify(value),
});

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

/** Never a date-time with an offset, as `z.string().datetime({ offset: true })` wants. */
const BAD_TIMES: unknown[] = [
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
  '2026-11-30T10:00:00Z\u0000',
  '1764496800000',
  1764496800000,
  null,
  true,
  [],
  ['2026-11-30T10:00:00Z'],
  {},
];

/** Never valid for a text(max) field: empty, blank, too long, control characters, wrong types. */
function badText(r: SeededRandom, max: number): unknown {
  return r.one<() => unknown>([
    () => '',
    () => ' \t ',
    () => 'x'.repeat(max + 1),
    () => 'y'.repeat(max + r.between(2, 20_000)),
    () => `bad\u0000${r.word('nul')}`,
    () => `bad\u0001${r.word('soh')}`,
    () => `\u001b[31m${r.word('esc')}`,
    () => `a\rb${r.word('cr')}`,
    () => 5,
    () => 0,
    () => null,
    () => true,
    () => [],
    () => ['text'],
    () => ({ text: 'x' }),
  ])();
}

/** Never a known point, or not a string. */
function badPoint(r: SeededRandom): unknown {
  return r.one<unknown>([
    'CC99.1',
    'CC1.0',
    'cc1.1',
    'CC1.1 ',
    ' CC1.1',
    'CC1',
    '',
    'A1.2',
    'CC1.1\u0000',
    r.word('P'),
    5,
    null,
    ['CC1.1'],
    { id: 'CC1.1' },
  ]);
}

/** Ids that are not UUIDs (400), and UUIDs nothing has (404). */
function idCase(r: SeededRandom): {
  id: string;
  status: number;
  label: string;
} {
  const uuid = r.uuid();
  const bad = r.one<() => string>([
    () => r.word('item-'),
    () => uuid.slice(0, -1),
    () => `${uuid}0`,
    () => uuid.replace(/-/g, ''),
    () => `{${uuid}}`,
    () => `${uuid} `,
    () => uuid.replace(/^./, 'g'),
    () => "' or 1=1 --",
    () => 'x'.repeat(r.between(37, 4_000)),
    () => '\u0000',
    () => `${uuid}\u0000`,
    () => '🙂'.repeat(9),
    () => '..',
  ]);
  if (r.chance(0.2)) return { id: uuid, status: 404, label: 'unknown id' };
  const id = bad();
  return {
    id,
    status: 400,
    label: `bad id ${JSON.stringify(id).slice(0, 40)}`,
  };
}

// --- queries -----------------------------------------------------------------

type QueryValue = string | string[] | Record<string, string>;
interface QueryKey {
  good: string[];
  bad: (r: SeededRandom) => string;
}

const intKey = (min: number, max: number): QueryKey => ({
  good: [String(min), String(max)],
  bad: r =>
    r.one([
      ...(min > 0 ? ['', '0'] : []),
      'NaN',
      'abc',
      '1.5',
      String(min - 1),
      String(max + 1),
      String(max * 1000 + 7),
      'Infinity',
      '-Infinity',
      '1e400',
      '12abc',
      '--1',
      'null',
      r.word('n'),
    ]),
});
const textKey = (max: number): QueryKey => ({
  good: ['x', 'change-management.git'],
  bad: r =>
    r.one([
      '',
      '   ',
      'q'.repeat(max + 1),
      'q'.repeat(max + r.between(2, 3_000)),
      `a\u0000b`,
      `a\u0007b`,
      `\u001b[2J`,
    ]),
});
const enumKey = (values: string[]): QueryKey => ({
  good: values,
  bad: r =>
    r.one([
      '',
      r.word('zz'),
      r.one(values).toUpperCase(),
      ` ${r.one(values)}`,
      `${r.one(values)}\u0000`,
      'null',
    ]),
});
const pointKey: QueryKey = {
  good: ['CC1.1', 'CC8.1'],
  bad: r =>
    String(r.one(['CC99.1', 'cc1.1', '', 'CC1.1 ', 'CC1', r.word('P')])),
};
const PAGE_KEYS = { limit: intKey(1, 100), offset: intKey(0, 10_000) };

function encodeQuery(params: Record<string, QueryValue>): string {
  const enc = encodeURIComponent;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') parts.push(`${enc(key)}=${enc(value)}`);
    else if (Array.isArray(value)) {
      parts.push(...value.map(v => `${enc(key)}=${enc(v)}`));
    } else {
      parts.push(
        ...Object.entries(value).map(
          ([s, v]) => `${enc(key)}[${enc(s)}]=${enc(v)}`,
        ),
      );
    }
  }
  return parts.join('&');
}

/** Good values for some keys and one mistake: a bad value, an unknown, repeated or bracketed key. */
function queryCase(
  r: SeededRandom,
  route: string,
  path: string,
  keys: Record<string, QueryKey>,
): Case {
  const names = Object.keys(keys);
  const params: Record<string, QueryValue> = {};
  for (const name of names)
    if (r.chance(0.3)) params[name] = r.one(keys[name].good);
  const kind = r.one(['value', 'value', 'value', 'unknown', 'array', 'object']);
  if (kind === 'unknown') {
    // (qs drops __proto__ and constructor before the route sees them.)
    const key = r.one([r.word('zz'), 'limit ', 'LIMIT', 'Offset', 'page']);
    params[key] = r.one(['1', '', 'true', r.word('v')]);
    return {
      label: `${route} unknown key ${key}`,
      method: 'get',
      path: `${path}?${encodeQuery(params)}`,
      status: 400,
      mentions: [key.trim() === key ? key : 'Unrecognized'],
    };
  }
  const name = r.one(names);
  if (kind === 'value') params[name] = keys[name].bad(r);
  if (kind === 'array')
    params[name] = [r.one(keys[name].good), r.one(keys[name].good)];
  if (kind === 'object') params[name] = { [r.word('s')]: '1' };
  return {
    label: `${route} ${kind} ${name}=${JSON.stringify(params[name]).slice(
      0,
      50,
    )}`,
    method: 'get',
    path: `${path}?${encodeQuery(params)}`,
    status: 400,
    mentions: [name],
  };
}

/** A route that takes no input: junk queries must not matter. */
function noInputCase(r: SeededRandom, route: string, path: string): Case {
  const params: Record<string, QueryValue> = {};
  for (let i = r.between(0, 4); i > 0; i--) {
    params[r.one(['limit', 'offset', r.word('zz'), 'q'])] = r.one([
      'NaN',
      '-1',
      '\u0000',
      'x'.repeat(r.between(1, 2_000)),
      r.word('v'),
    ]);
  }
  return {
    label: `${route} junk query`,
    method: 'get',
    path: `${path}?${encodeQuery(params)}`,
    ok: true,
  };
}

// --- JSON bodies -------------------------------------------------------------

interface BodySpec {
  /** A valid body (never sent whole: every case breaks it). */
  valid: () => Record<string, unknown>;
  /** Per field, a value that is always wrong, and what the message must name. */
  bad: Record<
    string,
    (r: SeededRandom) => { value: unknown; mentions?: Array<string | RegExp> }
  >;
  required: string[];
  /** Where the body arrives as {} (another content type), the field named. */
  firstRequired: string;
  /** Extra cases wrong in a way across fields. */
  extra?: Array<
    (r: SeededRandom) => {
      body: unknown;
      label: string;
      mentions: Array<string | RegExp>;
    }
  >;
}

/** A body wrong in one field, in its shape, or in how it is sent. */
function bodyCase(
  r: SeededRandom,
  route: string,
  path: string,
  spec: BodySpec,
  options: { contentTypeCase?: boolean; missingCase?: boolean } = {},
): Case {
  const post = (label: string, body: Body, rest: Partial<Case> = {}): Case => ({
    label: `${route} ${label}`,
    method: 'post',
    path,
    body,
    ...rest,
  });
  const kinds = [
    'value',
    'value',
    'value',
    'value',
    'unknown',
    'bodyArray',
    ...(options.missingCase === false ? [] : ['missing']),
    'primitive',
    'invalidJson',
    'oversized',
    'charset',
    ...(options.contentTypeCase === false ? [] : ['contentType']),
    ...(spec.extra?.length ? ['extra', 'extra'] : []),
  ];
  const kind = r.one(kinds);
  const body = spec.valid();
  switch (kind) {
    case 'value': {
      const field = r.one(Object.keys(spec.bad));
      const { value, mentions } = spec.bad[field](r);
      body[field] = value;
      return post(
        `value ${field}=${JSON.stringify(value)?.slice(0, 50)}`,
        json(body),
        {
          status: 400,
          mentions: mentions ?? [field],
        },
      );
    }
    case 'missing': {
      const field = r.one(spec.required);
      delete body[field];
      return post(`missing ${field}`, json(body), {
        status: 400,
        mentions: [field],
      });
    }
    case 'unknown': {
      const key = r.one([
        r.word('extra_'),
        '__proto__',
        'constructor',
        'Title',
        'id',
        'createdBy',
      ]);
      const text = JSON.stringify(body).replace(
        /^\{/,
        `{${JSON.stringify(key)}:${JSON.stringify(r.one([1, 'x', null, {}]))},`,
      );
      return post(
        `unknown key ${key}`,
        { contentType: 'application/json', data: text },
        {
          status: 400,
          mentions: [key],
        },
      );
    }
    case 'bodyArray':
      return post(
        'array for the object',
        json(r.one<unknown>([[body], [], [[]]])),
        {
          status: 400,
          mentions: [/object/i],
        },
      );
    case 'primitive':
      return post(
        'JSON primitive',
        {
          contentType: 'application/json',
          data: r.one(['null', 'true', '5', '"x"', '-0']),
        },
        {
          status: 400,
        },
      );
    case 'invalidJson': {
      const text = JSON.stringify(body);
      return post(
        'invalid JSON',
        {
          contentType: 'application/json',
          data: r.one([
            text.slice(0, -1 - r.between(0, 5)),
            `${text},`,
            text.replace(/":/, '"'),
            text.replace(/"/g, "'"),
            `{"a":NaN}`,
            `{"a":Infinity}`,
            '['.repeat(r.between(1, 3_000)),
            '\u0000',
          ]),
        },
        { status: 400 },
      );
    }
    case 'oversized': {
      const key = r.one(Object.keys(spec.bad));
      const big = {
        ...body,
        [key]: 'z'.repeat(JSON_LIMIT + r.between(1, 100_000)),
      };
      return post('oversized', json(big), {
        status: 413,
        mentions: [/too large/i],
      });
    }
    case 'charset':
      return post(
        'unsupported charset',
        {
          contentType: r.one([
            'application/json; charset=latin1',
            'application/json; charset=klingon',
            'application/json; charset=iso-8859-1',
          ]),
          data: JSON.stringify(body),
        },
        { status: 415, mentions: [/charset/i] },
      );
    case 'contentType':
      // express.json() passes other types by: the route sees an empty body.
      return post(
        'wrong content type',
        {
          contentType: r.one([
            'text/plain',
            'application/x-www-form-urlencoded',
            'text/csv',
            'application/xml',
            'application/vnd.api+json',
          ]),
          data: JSON.stringify(body),
        },
        { status: 400, mentions: [spec.firstRequired] },
      );
    case 'extra': {
      const made = r.one(spec.extra!)(r);
      return post(made.label, json(made.body), {
        status: 400,
        mentions: made.mentions,
      });
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

// --- uploads -----------------------------------------------------------------

const goodMetadata = () => ({
  title: 'Information security policy',
  points: ['CC1.1', 'CC5.3'],
  periodStart: '2026-01-01T00:00:00Z',
  periodEnd: '2026-12-31T00:00:00Z',
});

const goodFile = (over: Partial<FormPart> = {}): FormPart => ({
  name: 'file',
  filename: 'policy.txt',
  contentType: 'text/plain',
  data: 'the policy, in a few words',
  ...over,
});

const metadataPart = (value: unknown): FormPart => ({
  name: 'metadata',
  data: typeof value === 'string' ? value : JSON.stringify(value),
});

/** A multipart upload wrong in one place: the name, the type, the size, the parts or the metadata. */
function uploadCase(r: SeededRandom): Case {
  const post = (
    label: string,
    body: Body,
    mentions: Array<string | RegExp>,
    status = 400,
  ): Case => ({
    label: `POST /items ${label}`,
    method: 'post',
    path: `${API}/items`,
    body,
    status,
    mentions,
  });
  const form = (
    label: string,
    parts: FormPart[],
    mentions: Array<string | RegExp>,
    options: Parameters<typeof multipartBody>[1] = {},
  ) => {
    const { body, contentType } = multipartBody(parts, options);
    return post(label, { contentType, data: body }, mentions);
  };
  const kind = r.one([
    'hostileName',
    'hostileName',
    'hostileName',
    'hostileName',
    'encodedName',
    'mediaType',
    'mediaType',
    'tooLarge',
    'tooLarge',
    'noFile',
    'twoFiles',
    'wrongField',
    'noMetadata',
    'badMetadataJson',
    'metadata',
    'metadata',
    'metadata',
    'metadata',
    'metadataShape',
    'hugeMetadata',
    'tooManyParts',
    'noBoundary',
    'notMultipart',
  ]);
  const meta = metadataPart(goodMetadata());
  switch (kind) {
    case 'hostileName': {
      const name = r.one([
        '../x',
        '../../etc/passwd',
        'a/b',
        '/abs.txt',
        '\\x',
        'a\\b.txt',
        '..\\..\\boot.ini',
        '..',
        '.',
        'a\u0000.txt',
        '\u0000',
        'tab\there.txt',
        'line\nbreak.txt',
        'bell\u0007.txt',
        'del\u007f.txt',
        '\u001b[31mred.txt',
        `${'n'.repeat(r.between(201, 400))}.txt`,
        'n'.repeat(300),
        '',
      ]);
      // busboy takes a part with filename="" for a plain field: then there is no file.
      return form(
        `hostile name ${JSON.stringify(name).slice(0, 40)}`,
        [meta, goodFile({ filename: name })],
        [name === '' ? /no file/ : /file name|Unreadable upload|Malformed/],
      );
    }
    case 'encodedName': {
      // RFC 5987: the name busboy decodes is the hostile one.
      const name = r.one([
        '../x',
        'a/b.txt',
        '..\\x',
        'a\u0000b.txt',
        `${'é'.repeat(201)}`,
        'ok/../../x',
      ]);
      return form(
        `encoded hostile name ${JSON.stringify(name).slice(0, 40)}`,
        [
          meta,
          {
            name: 'file',
            filenameStar: name,
            contentType: 'text/plain',
            data: 'x',
          },
        ],
        [/file name|Unreadable upload|Malformed/],
      );
    }
    case 'mediaType': {
      const type = r.one([
        'application/x-sh',
        'text/html',
        'image/svg+xml',
        'application/javascript',
        'application/x-msdownload',
        'application/octet-stream',
        'application/zip',
        'multipart/mixed',
        `application/${r.word('x-')}`,
      ]);
      return form(
        `media type ${type}`,
        [meta, goodFile({ contentType: type })],
        [/media type/],
      );
    }
    case 'tooLarge': {
      const size = r.one([
        MAX_UPLOAD + 1,
        MAX_UPLOAD + r.between(2, 10_000),
        r.between(100_000, 600_000),
      ]);
      return form(
        `file of ${size} bytes`,
        [meta, goodFile({ data: Buffer.alloc(size, 0x61) })],
        [`${MAX_UPLOAD}-byte limit`],
      );
    }
    case 'noFile':
      return form('no file', [meta], [/no file/]);
    case 'twoFiles':
      return form(
        'two files',
        [meta, goodFile(), goodFile({ filename: 'second.txt' })],
        [/exactly one file/],
      );
    case 'wrongField':
      return form(
        'file under another name',
        [
          meta,
          goodFile({ name: r.one(['document', 'files', 'File', 'upload']) }),
        ],
        [/field named file/],
      );
    case 'noMetadata':
      return form('no metadata', [goodFile()], [/no metadata/]);
    case 'badMetadataJson': {
      const text = JSON.stringify(goodMetadata());
      return form(
        'metadata not JSON',
        [
          metadataPart(
            r.one([
              text.slice(0, -1),
              `${text}}`,
              "{'title': 'x'}",
              '',
              'undefined',
              'NaN',
            ]),
          ),
          goodFile(),
        ],
        [/metadata field is not JSON/],
      );
    }
    case 'metadata': {
      const metadata: Record<string, unknown> = goodMetadata();
      const field = r.one([
        'title',
        'points',
        'periodStart',
        'periodEnd',
        'entityRef',
        'missing',
        'unknown',
        'order',
      ]);
      let mentions: Array<string | RegExp> = [field];
      if (field === 'title' || field === 'entityRef') {
        metadata[field] = badText(r, field === 'title' ? 500 : 255);
      } else if (field === 'points') {
        metadata.points = r.one<unknown>([
          [],
          'CC1.1',
          [badPoint(r)],
          ['CC1.1', badPoint(r)],
          Array(51).fill('CC1.1'),
          null,
          {},
        ]);
      } else if (field === 'periodStart' || field === 'periodEnd') {
        metadata[field] = r.one(BAD_TIMES);
      } else if (field === 'missing') {
        const gone = r.one(['title', 'points', 'periodStart', 'periodEnd']);
        delete metadata[gone];
        mentions = [gone];
      } else if (field === 'unknown') {
        const key = r.one([r.word('extra_'), 'type', 'collector', 'sha256']);
        metadata[key] = 'x';
        mentions = [key];
      } else {
        metadata.periodStart = '2026-12-31T00:00:00Z';
        metadata.periodEnd = r.one([
          '2026-01-01T00:00:00Z',
          '2026-12-30T23:59:59.999Z',
          '1970-01-01T00:00:00Z',
        ]);
        mentions = ['periodEnd', 'ends before it starts'];
      }
      return form(
        `metadata ${field} ${JSON.stringify(metadata[field] ?? '').slice(
          0,
          40,
        )}`,
        [metadataPart(metadata), goodFile()],
        mentions,
      );
    }
    case 'metadataShape':
      return form(
        'metadata not an object',
        [
          metadataPart(
            JSON.stringify(
              r.one<unknown>([[goodMetadata()], 'policy', 5, null, true]),
            ),
          ),
          goodFile(),
        ],
        [/object|Expected/],
      );
    case 'hugeMetadata':
      return form(
        'metadata field over 64 KiB',
        [
          metadataPart({ ...goodMetadata(), title: 't'.repeat(70_000) }),
          goodFile(),
        ],
        [/metadata field is too long/],
      );
    case 'tooManyParts':
      return form(
        'too many parts',
        [
          meta,
          ...Array.from({ length: r.between(6, 12) }, (_, i) => ({
            name: `field${i}`,
            data: 'x',
          })),
          goodFile(),
        ],
        [/Too many parts|field/i],
      );
    case 'noBoundary':
      return form(
        'no boundary',
        [meta, goodFile()],
        [/Unreadable upload|Boundary/i],
        { omitBoundary: true },
      );
    case 'notMultipart':
      return post(
        'not multipart',
        r.one([
          json({ metadata: goodMetadata(), file: 'the policy' }),
          { contentType: 'text/plain', data: 'the policy' },
          {
            contentType: 'application/octet-stream',
            data: Buffer.from('the policy'),
          },
        ]),
        [/multipart\/form-data/],
      );
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

// ---------------------------------------------------------------------------

describe.each(databases.eachSupportedId())(
  'bad input to the evidence API on %p',
  databaseId => {
    let knex: Knex;
    let server: Server;
    let folder: string;
    let spoolFolder: string;
    let savedTmp: string | undefined;
    let fixtures: Fixtures;
    const stats: Record<string, Record<number, number>> = {};
    let total = 0;
    const started = Date.now();

    async function listFiles(root: string): Promise<string[]> {
      const entries = await readdir(root, {
        recursive: true,
        withFileTypes: true,
      });
      return entries
        .filter(e => e.isFile())
        .map(e => relative(root, join(e.parentPath, e.name)))
        .sort();
    }

    /** Row counts and a digest of each evidence table, the storage files and the spool folder. */
    async function snapshot() {
      const tables: Record<string, string> = {};
      for (const table of TABLES) {
        const rows = await knex(table).select();
        tables[table] = JSON.stringify(
          rows
            .map(row =>
              JSON.stringify(row, (_k, v) =>
                v instanceof Date ? v.toISOString() : v,
              ),
            )
            .sort(),
        );
      }
      return {
        tables,
        files: await listFiles(folder),
        spool: (await readdir(spoolFolder)).sort(),
      };
    }

    beforeAll(async () => {
      // Spooled uploads go to the OS temp folder: a private one, so a left
      // temp file is seen.
      savedTmp = process.env.TMPDIR;
      spoolFolder = await mkdtemp(join(tmpdir(), 'evidence-fault-spool-'));
      ({ server, knex, folder } = await startEvidenceBackend(
        databases,
        databaseId as TestDatabaseId,
        {
          collectors: [reviewFixture],
          evidence: {
            uploads: { maxBytes: MAX_UPLOAD },
            schedule: { initialDelay: { hours: 12 }, frequency: { hours: 24 } },
          },
        },
      ));
      process.env.TMPDIR = spoolFolder;

      const upload = multipartBody([metadataPart(goodMetadata()), goodFile()]);
      const item = await request(server)
        .post(`${API}/items`)
        .set('content-type', upload.contentType)
        .send(upload.body);
      must(item.status, 201);

      const run = await request(server)
        .post(`${API}/collectors/review-fixture/runs`)
        .send({});
      must(run.status, 202);
      const runId = run.body.id;
      const reviewId = await eventually(async () => {
        const res = await request(server).get(`${API}/runs/${runId}`);
        must(res.body.state, 'succeeded');
        return res.body.items[0].id as string;
      });

      const exception = () =>
        request(server)
          .post(`${API}/exceptions`)
          .send({
            point: 'CC9.2',
            reason: 'vendor reviews start next quarter, agreed with the board',
            approver: 'user:default/ciso',
            expiresAt: iso(Date.now() + 90 * DAY),
          });
      const kept = await exception();
      must(kept.status, 201);
      const revoked = await exception();
      must(revoked.status, 201);
      must(
        (
          await request(server).post(
            `${API}/exceptions/${revoked.body.id}/revoke`,
          )
        ).status,
        200,
      );

      const binder = await request(server)
        .post(`${API}/binders`)
        .send({
          periodStart: iso(Date.now() - 365 * DAY),
          periodEnd: iso(Date.now() + DAY),
        });
      must(binder.status, 202);
      await eventually(async () => {
        const res = await request(server).get(
          `${API}/binders/${binder.body.id}`,
        );
        must(res.body.state, 'ready');
      }, 60_000);
      const failedBinderId = '5b0f7d4e-7c1a-4c54-9d1e-2f4b8a1c9e01';
      await knex('evidence_binders').insert({
        id: failedBinderId,
        period_start: new Date(Date.now() - 30 * DAY),
        period_end: new Date(),
        points: JSON.stringify(['CC1.1']),
        state: 'failed',
        created_by: 'user:default/mock',
        created_at: new Date(),
        finished_at: new Date(),
        error: 'fixture: a failed build',
      });
      fixtures = {
        itemId: item.body.id,
        reviewId,
        runId,
        exceptionId: kept.body.id,
        revokedId: revoked.body.id,
        binderId: binder.body.id,
        failedBinderId,
      };
      // The audit chainer has nothing left to move.
      await eventually(async () => {
        must(
          Number((await knex('evidence_audit_pending').count({ n: '*' }))[0].n),
          0,
        );
      });
    });

    afterAll(async () => {
      process.env.TMPDIR = savedTmp;
      if (savedTmp === undefined) delete process.env.TMPDIR;
      // eslint-disable-next-line no-console
      console.log(
        [
          `bad input on ${databaseId}: seed ${SEED} (EVIDENCE_FUZZ_SEED), ${total} cases in ${(
            (Date.now() - started) /
            1000
          ).toFixed(1)} s, statuses per route:`,
          ...Object.entries(stats).map(
            ([route, seen]) => `  ${route}: ${JSON.stringify(seen)}`,
          ),
        ].join('\n'),
      );
      if (spoolFolder) await rm(spoolFolder, { recursive: true, force: true });
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    function send(c: Case) {
      const agent = request(server);
      let req: request.Test;
      if (c.method === 'get') req = agent.get(c.path);
      else if (c.method === 'delete') req = agent.delete(c.path);
      else req = agent.post(c.path);
      if (!c.body) return req;
      return req.set('content-type', c.body.contentType).send(c.body.data);
    }

    function messageOf(res: request.Response): string {
      if (res.body?.error?.message) return String(res.body.error.message);
      try {
        return String(JSON.parse(res.text)?.error?.message ?? '');
      } catch {
        return '';
      }
    }

    /** Runs the cases; answers every way one went wrong. */
    async function check(route: string, cases: Case[]): Promise<string[]> {
      const problems: string[] = [];
      const seen = (stats[route] ??= {});
      for (const c of cases) {
        const before = await snapshot();
        let res: request.Response;
        try {
          res = await send(c);
        } catch (error) {
          problems.push(`no answer (${(error as Error).message}): ${c.label}`);
          continue;
        }
        const after = await snapshot();
        total += 1;
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        const message = messageOf(res);
        const where = `${c.label} -> ${res.status} ${message.slice(0, 160)}`;
        if (res.status >= 500) problems.push(`5xx: ${where}`);
        else if (c.ok) {
          if (res.status !== 200) problems.push(`expected 200: ${where}`);
        } else if (c.status !== undefined && res.status !== c.status) {
          problems.push(`expected ${c.status}: ${where}`);
        } else if (res.status < 400) problems.push(`not a 4xx: ${where}`);
        else if (!message.trim() && !c.noMessage)
          problems.push(`no message: ${where}`);
        else {
          for (const part of c.mentions ?? []) {
            const named =
              typeof part === 'string'
                ? message.includes(part)
                : part.test(message);
            if (!named)
              problems.push(`message does not name ${part}: ${where}`);
          }
        }
        for (const table of TABLES) {
          if (before.tables[table] !== after.tables[table])
            problems.push(`${table} changed: ${where}`);
        }
        if (JSON.stringify(before.files) !== JSON.stringify(after.files)) {
          problems.push(
            `storage files changed ${JSON.stringify(
              before.files,
            )} -> ${JSON.stringify(after.files)}: ${where}`,
          );
        }
        if (JSON.stringify(before.spool) !== JSON.stringify(after.spool)) {
          problems.push(
            `temp files left ${JSON.stringify(after.spool)}: ${where}`,
          );
        }
        if (problems.length >= 25) break;
      }
      return problems;
    }

    const generate = (
      route: string,
      count: number,
      make: (r: SeededRandom) => Case,
    ) => {
      const r = new SeededRandom(subSeed(SEED, route));
      return Array.from(
        { length: Math.max(1, Math.round(count * SCALE)) },
        () => make(r),
      );
    };

    const idRoutes: Array<
      [string, 'get' | 'post' | 'delete', (id: string) => string]
    > = [
      ['GET /items/:id', 'get', id => `/items/${id}`],
      ['GET /items/:id/content', 'get', id => `/items/${id}/content`],
      ['POST /items/:id/verify', 'post', id => `/items/${id}/verify`],
      ['DELETE /items/:id', 'delete', id => `/items/${id}`],
      ['GET /runs/:id', 'get', id => `/runs/${id}`],
      ['POST /exceptions/:id/revoke', 'post', id => `/exceptions/${id}/revoke`],
      ['GET /binders/:id', 'get', id => `/binders/${id}`],
      ['GET /binders/:id/download', 'get', id => `/binders/${id}/download`],
      ['POST /binders/:id/verify', 'post', id => `/binders/${id}/verify`],
    ];

    it.each(idRoutes)(
      '%s refuses ids that are not UUIDs (400) and ids nothing has (404)',
      async (route, method, path) => {
        const cases = generate(route, 20, r => {
          const { id, status, label } = idCase(r);
          return {
            label: `${route} ${label}`,
            method,
            path: `${API}${path(encodeURIComponent(id))}`,
            status,
            mentions: status === 400 ? ['id'] : [/No /],
          };
        });
        expect(await check(route, cases)).toEqual([]);
      },
    );

    it('refuses what the state forbids, with a 409 that says why, and changes nothing', async () => {
      const f = fixtures;
      const cases: Case[] = [
        {
          label: 'delete before retention',
          method: 'delete',
          path: `${API}/items/${f.itemId}`,
          status: 409,
          mentions: ['retained until'],
        },
        {
          label: 'revoke a revoked exception',
          method: 'post',
          path: `${API}/exceptions/${f.revokedId}/revoke`,
          status: 409,
          mentions: ['no longer in force'],
        },
        {
          label: 'download a failed binder',
          method: 'get',
          path: `${API}/binders/${f.failedBinderId}/download`,
          status: 409,
          mentions: ['not ready'],
        },
        {
          label: 'verify a failed binder',
          method: 'post',
          path: `${API}/binders/${f.failedBinderId}/verify`,
          status: 409,
          mentions: ['not ready'],
        },
        {
          label: 'sign off an item that is no review',
          method: 'post',
          path: `${API}/access-reviews/${f.itemId}/sign-off`,
          body: json({ comment: 'looks right to me' }),
          status: 400,
          mentions: ['not an access review'],
        },
        {
          label: 'an entity for a collector of the whole portal',
          method: 'post',
          path: `${API}/collectors/review-fixture/runs`,
          body: json({ entityRef: 'component:default/x' }),
          status: 400,
          mentions: ['entity'],
        },
        {
          label: 'a collector that does not exist',
          method: 'post',
          path: `${API}/collectors/no-such-collector/runs`,
          body: json({}),
          status: 404,
          mentions: ['no-such-collector'],
        },
        {
          label: 'a malformed escape in the path',
          method: 'get',
          path: `${API}/items/%E0%A4%A`,
          status: 400,
        },
        {
          label: 'a route that does not exist',
          method: 'post',
          path: `${API}/items/${f.itemId}/rewrite`,
          body: json({}),
          status: 404,
          noMessage: true,
        },
      ];
      expect(await check('state', cases)).toEqual([]);
    });

    const queryRoutes: Array<[string, string, Record<string, QueryKey>]> = [
      [
        'GET /items',
        '/items',
        {
          ...PAGE_KEYS,
          point: pointKey,
          type: textKey(100),
          collector: textKey(100),
          entityRef: textKey(255),
          q: textKey(100),
        },
      ],
      [
        'GET /runs',
        '/runs',
        {
          ...PAGE_KEYS,
          collector: textKey(100),
          state: enumKey(['running', 'succeeded', 'failed']),
        },
      ],
      [
        'GET /exceptions',
        '/exceptions',
        {
          ...PAGE_KEYS,
          state: enumKey(['active', 'expired', 'revoked']),
          point: pointKey,
        },
      ],
      ['GET /access-reviews', '/access-reviews', PAGE_KEYS],
      ['GET /binders', '/binders', PAGE_KEYS],
    ];

    it.each(queryRoutes)(
      '%s names the bad query value',
      async (route, path, keys) => {
        const cases = generate(route, 40, r =>
          queryCase(r, route, `${API}${path}`, keys),
        );
        expect(await check(route, cases)).toEqual([]);
      },
    );

    it.each([
      ['GET /criteria', '/criteria'],
      ['GET /coverage', '/coverage'],
      ['GET /collectors', '/collectors'],
      ['GET /public-key', '/public-key'],
    ])(
      '%s takes no input: junk queries change nothing',
      async (route, path) => {
        const cases = generate(route, 8, r =>
          noInputCase(r, route, `${API}${path}`),
        );
        expect(await check(route, cases)).toEqual([]);
      },
    );

    it('POST /items refuses hostile uploads with a 400 that says why, and keeps nothing', async () => {
      const cases = generate('POST /items', 160, uploadCase);
      expect(await check('POST /items', cases)).toEqual([]);
    });

    // Fails until items/upload.ts listens for errors on busboy's file stream:
    // a body cut short (a client that drops mid-upload) emits 'error' on it
    // with no listener, an uncaught exception that ends the backend process.
    it('POST /items answers an upload cut short with a 400, and keeps nothing', async () => {
      const cases = generate('POST /items cut', 6, r => {
        const { body, contentType } = multipartBody(
          r.chance(0.5)
            ? [metadataPart(goodMetadata()), goodFile()]
            : [goodFile({ filename: '../x' })],
          { cut: true },
        );
        return {
          label: 'POST /items body cut short',
          method: 'post',
          path: `${API}/items`,
          body: { contentType, data: body },
          status: 400,
          mentions: [/Unreadable upload|Unexpected end|file name/],
        };
      });
      expect(await check('POST /items cut short', cases)).toEqual([]);
    });

    it('POST /items refuses hostile names sent the way clients send them (supertest attach with filepath)', async () => {
      const problems: string[] = [];
      for (const name of ['../x', 'a/b', '\\x', `${'l'.repeat(300)}.txt`]) {
        const before = await snapshot();
        const attachOptions = {
          filepath: name,
          contentType: 'text/plain',
        } as unknown as { filename: string };
        const res = await request(server)
          .post(`${API}/items`)
          .field('metadata', JSON.stringify(goodMetadata()))
          // form-data takes `filepath` as the name to send, untrimmed; the
          // supertest types do not list it.
          .attach('file', Buffer.from('x'), attachOptions);
        const after = await snapshot();
        if (res.status !== 400 || !/file name/.test(messageOf(res)))
          problems.push(`${name}: ${res.status} ${messageOf(res)}`);
        if (JSON.stringify(before) !== JSON.stringify(after))
          problems.push(`${name}: something was stored`);
      }
      expect(problems).toEqual([]);
    });

    it('POST /items/:id/legal-hold names the bad field', async () => {
      const spec: BodySpec = {
        valid: () => ({
          hold: true,
          reason: 'litigation hold, matter 2026-114',
        }),
        bad: {
          hold: r => ({
            value: r.one<unknown>(['true', 1, 0, null, [], {}, 'yes', [true]]),
          }),
          reason: r => ({ value: badText(r, 1000) }),
        },
        required: ['hold', 'reason'],
        firstRequired: 'hold',
      };
      const cases = generate('POST legal-hold', 50, r => {
        if (r.chance(0.15)) {
          const { id, status, label } = idCase(r);
          return {
            label: `legal-hold ${label}`,
            method: 'post',
            path: `${API}/items/${encodeURIComponent(id)}/legal-hold`,
            body: json(spec.valid()),
            status,
          };
        }
        return bodyCase(
          r,
          'legal-hold',
          `${API}/items/${fixtures.itemId}/legal-hold`,
          spec,
        );
      });
      expect(await check('POST /items/:id/legal-hold', cases)).toEqual([]);
    });

    it('POST /collectors/:id/runs names the bad collector id or body', async () => {
      const spec: BodySpec = {
        valid: () => ({ entityRef: 'component:default/api' }),
        bad: { entityRef: r => ({ value: badText(r, 255) }) },
        required: ['entityRef'],
        firstRequired: 'entityRef',
      };
      const cases = generate('POST runs', 40, r => {
        if (r.chance(0.3)) {
          const id = r.one([
            'has space',
            'x'.repeat(101),
            '\u0000',
            'a/b',
            'é',
            '%',
            r.word('no-such-'),
          ]);
          const unknown = /^[\w.-]{1,100}$/.test(id);
          return {
            label: `runs of collector ${JSON.stringify(id).slice(0, 30)}`,
            method: 'post',
            path: `${API}/collectors/${encodeURIComponent(id)}/runs`,
            body: json({}),
            status: unknown ? 404 : 400,
            mentions: unknown ? [id] : ['collector id'],
          };
        }
        // A valid body for a collector of the whole portal is refused too
        // (it names an entity), and an empty one would start a run: no case
        // that leaves the body empty (a missing field, another content type).
        return bodyCase(
          r,
          'runs',
          `${API}/collectors/review-fixture/runs`,
          spec,
          {
            contentTypeCase: false,
            missingCase: false,
          },
        );
      });
      expect(await check('POST /collectors/:id/runs', cases)).toEqual([]);
    });

    it('POST /exceptions names the bad field: unknown point, short reason, past expiry', async () => {
      const spec: BodySpec = {
        valid: () => ({
          point: 'CC1.1',
          reason: 'the control is being replaced this quarter',
          approver: 'user:default/ciso',
          expiresAt: iso(Date.now() + 30 * DAY),
        }),
        bad: {
          point: r => ({ value: badPoint(r) }),
          reason: r =>
            r.chance(0.5)
              ? {
                  value: r.one([
                    'too short',
                    'x'.repeat(19),
                    `   ${'y'.repeat(10)}                    `,
                    'fine.',
                  ]),
                  mentions: ['reason', '20'],
                }
              : { value: badText(r, 2000) },
          approver: r => ({ value: badText(r, 255) }),
          expiresAt: r =>
            r.chance(0.3)
              ? {
                  value: r.one([
                    iso(Date.now() - r.between(1, 1_000) * DAY),
                    '1970-01-01T00:00:00Z',
                  ]),
                  mentions: [/expire/],
                }
              : { value: r.one(BAD_TIMES) },
        },
        required: ['point', 'reason', 'approver', 'expiresAt'],
        firstRequired: 'point',
      };
      const cases = generate('POST exceptions', 70, r =>
        bodyCase(r, 'exceptions', `${API}/exceptions`, spec),
      );
      expect(await check('POST /exceptions', cases)).toEqual([]);
    });

    it('POST /access-reviews/:id/sign-off names the bad comment', async () => {
      const spec: BodySpec = {
        valid: () => ({ comment: 'reviewed with the team leads' }),
        bad: { comment: r => ({ value: badText(r, 2000) }) },
        required: ['comment'],
        firstRequired: 'comment',
      };
      const cases = generate('POST sign-off', 40, r => {
        if (r.chance(0.15)) {
          const { id, status, label } = idCase(r);
          return {
            label: `sign-off ${label}`,
            method: 'post',
            path: `${API}/access-reviews/${encodeURIComponent(id)}/sign-off`,
            body: json(spec.valid()),
            status,
          };
        }
        return bodyCase(
          r,
          'sign-off',
          `${API}/access-reviews/${fixtures.reviewId}/sign-off`,
          spec,
        );
      });
      expect(await check('POST /access-reviews/:id/sign-off', cases)).toEqual(
        [],
      );
    });

    it('POST /binders names the bad field: bad times, a period that ends before it starts, unknown points', async () => {
      const start = Date.now() - 90 * DAY;
      const spec: BodySpec = {
        valid: () => ({
          periodStart: iso(start),
          periodEnd: iso(start + 30 * DAY),
          points: ['CC1.1'],
        }),
        bad: {
          periodStart: r => ({ value: r.one(BAD_TIMES) }),
          periodEnd: r => ({ value: r.one(BAD_TIMES) }),
          points: r => ({
            value: r.one<unknown>([
              [],
              'CC1.1',
              [badPoint(r)],
              ['CC1.1', badPoint(r)],
              Array(501).fill('CC1.1'),
              null,
              {},
            ]),
          }),
        },
        required: ['periodStart', 'periodEnd'],
        firstRequired: 'periodStart',
        extra: [
          r => ({
            label: 'period ends before it starts',
            body: {
              periodStart: iso(start + r.between(1, 100) * DAY),
              periodEnd: iso(start),
              points: ['CC1.1'],
            },
            mentions: ['periodEnd', 'ends before it starts'],
          }),
          () => ({
            label: 'empty period',
            body: { periodStart: iso(start), periodEnd: iso(start) },
            mentions: ['periodEnd'],
          }),
          () => ({
            label:
              'period ends a millisecond before it starts (another offset)',
            body: {
              periodStart: '2026-06-01T12:00:00+02:00',
              periodEnd: '2026-06-01T09:59:59.999Z',
            },
            mentions: ['periodEnd'],
          }),
        ],
      };
      const cases = generate('POST binders', 70, r =>
        bodyCase(r, 'binders', `${API}/binders`, spec),
      );
      expect(await check('POST /binders', cases)).toEqual([]);
    });
  },
);

/** For the fixtures: fails the set-up with what was seen. */
function must(actual: unknown, expected: unknown) {
  if (actual !== expected) {
    throw new Error(
      `fixture: expected ${JSON.stringify(expected)}, got ${JSON.stringify(
        actual,
      )}`,
    );
  }
}

async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}
