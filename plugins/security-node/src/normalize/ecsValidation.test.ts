import { EcsFlat } from '@elastic/ecs/build/commonjs/ecs_flat';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { createUserAgentEnricher } from '../enrich';
import { CATEGORIZED_OPS_AUDIT_TYPES } from '@internal/plugin-ops-node';
import { normalizeLine } from './normalizeLine';

type FieldDef = {
  type: string;
  allowed_values?: Array<{ name: string; expected_event_types?: string[] }>;
};
const FIELDS = EcsFlat as unknown as Record<string, FieldDef>;

/** Leaf paths of a document; arrays are values, objects are descended. */
function flatten(
  doc: Record<string, unknown>,
  prefix = '',
): Array<[string, unknown]> {
  return Object.entries(doc).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (FIELDS[path]?.type === 'geo_point') return [[path, value]];
      return flatten(value as Record<string, unknown>, path);
    }
    return [[path, value]];
  });
}

const STRING_TYPES = [
  'keyword',
  'wildcard',
  'match_only_text',
  'text',
  'constant_keyword',
];

function typeProblem(path: string, value: unknown): string | undefined {
  // `labels` is ECS's object of custom keyword values.
  const def = path.startsWith('labels.') ? { type: 'keyword' } : FIELDS[path];
  if (!def) return `${path} is not an ECS field`;
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    const ok =
      (STRING_TYPES.includes(def.type) && typeof v === 'string') ||
      (def.type === 'long' && Number.isInteger(v)) ||
      (['float', 'double', 'scaled_float'].includes(def.type) &&
        typeof v === 'number') ||
      (def.type === 'ip' && typeof v === 'string' && isIP(v) !== 0) ||
      (def.type === 'date' &&
        typeof v === 'string' &&
        !Number.isNaN(Date.parse(v))) ||
      (def.type === 'boolean' && typeof v === 'boolean') ||
      (def.type === 'geo_point' &&
        typeof (v as any)?.lat === 'number' &&
        typeof (v as any)?.lon === 'number');
    if (!ok) return `${path}: ${JSON.stringify(v)} is not a ${def.type}`;
  }
  return undefined;
}

function allowedProblems(doc: any): string[] {
  const problems: string[] = [];
  const allowed = (field: string) =>
    new Set((FIELDS[field].allowed_values ?? []).map(a => a.name));
  for (const field of [
    'event.kind',
    'event.outcome',
    'event.category',
    'event.type',
  ]) {
    const [group, key] = field.split('.');
    const value = doc[group]?.[key];
    if (value === undefined) continue;
    for (const v of [value].flat()) {
      if (!allowed(field).has(v)) problems.push(`${field}: ${v} not allowed`);
    }
  }
  // Each event.type is one its category expects.
  for (const category of [doc.event?.category ?? []].flat()) {
    const expected = FIELDS['event.category'].allowed_values!.find(
      a => a.name === category,
    )?.expected_event_types;
    for (const type of [doc.event?.type ?? []].flat()) {
      if (expected && !expected.includes(type)) {
        problems.push(`event.type ${type} not expected for ${category}`);
      }
    }
  }
  return problems;
}

const sampleLines = readFileSync(
  resolve(__dirname, '../../samples/mixed.log'),
  'utf8',
).split('\n');

const opsAuditLines = CATEGORIZED_OPS_AUDIT_TYPES.map(type =>
  JSON.stringify({
    recordId: 'r',
    type,
    actor: 'user:default/a',
    at: '2025-03-04T10:00:00.000Z',
    data: {
      outcome: 'succeeded',
      subjectHash: 'b'.repeat(64),
      entityRef: 'component:default/web',
    },
    sourceIp: '203.0.113.5',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    traceId: 'abc',
  }),
);

const k8sAuditVerbs = [
  'get',
  'list',
  'create',
  'patch',
  'delete',
  'impersonate',
  'bind',
].map(verb =>
  JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    verb,
    stage: 'ResponseComplete',
    objectRef: { resource: 'roles', apiGroup: 'rbac.authorization.k8s.io' },
    sourceIPs: ['2001:db8::1'],
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2025-03-04T10:00:00Z',
    stageTimestamp: '2025-03-04T10:00:01Z',
  }),
);

describe('ECS conformance of what the normalizers emit', () => {
  const enrich = createUserAgentEnricher();
  const docs = [...sampleLines, ...opsAuditLines, ...k8sAuditVerbs]
    .map(line => normalizeLine(line).event)
    .filter(Boolean)
    .map(doc => enrich(doc!));

  it('covers every mapper', () => {
    const datasets = new Set(docs.map(d => d.event?.dataset));
    expect([...datasets].sort()).toEqual([
      'backstage.access',
      'backstage.auditor',
      'backstage.rootHttpRouter',
      'kubernetes.audit',
      'kubernetes.event',
      'ops.audit',
      'pino.access',
    ]);
  });

  it('uses only ECS fields, each with the right type', () => {
    const problems = docs.flatMap(doc =>
      flatten(doc as unknown as Record<string, unknown>)
        .map(([path, value]) => typeProblem(path, value))
        .filter(Boolean),
    );
    expect(problems).toEqual([]);
  });

  it('uses only allowed categorization values', () => {
    expect(docs.flatMap(allowedProblems)).toEqual([]);
    expect(docs.every(d => d.event?.kind === 'event')).toBe(true);
  });

  it('the checks catch a wrong field, type and value', () => {
    expect(typeProblem('event.made_up', 'x')).toMatch(/not an ECS field/);
    expect(typeProblem('source.ip', 'nope')).toMatch(/not a ip/);
    expect(typeProblem('event.duration', 1.5)).toMatch(/not a long/);
    expect(
      allowedProblems({ event: { category: ['file'], type: ['admin'] } }),
    ).toEqual(['event.type admin not expected for file']);
  });
});

describe('ECS conformance of the portal’s own ECS lines (samples/ecs.log)', () => {
  const lines = readFileSync(
    resolve(__dirname, '../../samples/ecs.log'),
    'utf8',
  )
    .split('\n')
    .filter(Boolean);
  const docs = lines.map(line => normalizeLine(line).event!);

  it('normalizes every line, through the mapper of its kind', () => {
    expect(docs.every(Boolean)).toBe(true);
    expect(docs.map(d => d.event?.dataset)).toEqual([
      'backstage',
      'backstage.access',
      'backstage.access',
      'backstage.auditor',
      'ops.audit',
      'backstage',
    ]);
  });

  it('uses only ECS fields with the right types and allowed values', () => {
    const problems = docs.flatMap(doc =>
      flatten(doc as unknown as Record<string, unknown>)
        .map(([path, value]) => typeProblem(path, value))
        .filter(Boolean),
    );
    expect(problems).toEqual([]);
    expect(docs.flatMap(allowedProblems)).toEqual([]);
  });
});
