import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { DAY_MS, HOUR_MS } from '@internal/plugin-ops-common';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { createHmac, randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { createPrivacyAuditChain } from '../audit';
import { ConsentLedger } from '../consent/ConsentLedger';
import { RequestStore } from '../requests/RequestStore';
import { ActivityStore, createPrivacyMetrics } from '.';
import { completionQuantiles, isPersonalDataAccess } from './activity';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const migrationsDir = resolvePath(__dirname, '../../migrations');

const NOW = new Date('2026-12-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const SUBJECT = 'customer-4711';
const EMAIL = 'jane.doe@example.com';
const ACTOR = 'user:default/alice';
const subjectHash = createHmac('sha256', 'test-key')
  .update(SUBJECT)
  .digest('hex');

/** A request row received at `created`, completed after `hours` (or open). */
function requestRow(
  type: 'export' | 'delete',
  region: string,
  created: Date,
  hours: number | null,
) {
  const completed =
    hours === null ? null : new Date(created.getTime() + hours * HOUR_MS);
  return {
    id: randomUUID(),
    type,
    state: completed ? 'completed' : 'running',
    subject_hash: subjectHash,
    subject_enc: `enc:${SUBJECT}`,
    email_enc: `enc:${EMAIL}`,
    region,
    jurisdiction: 'GDPR',
    priority: 5,
    requester: ACTOR,
    created_at: created,
    updated_at: completed ?? created,
    completed_at: completed,
    sla_due_at: new Date(created.getTime() + 20 * DAY_MS),
    legal_due_at: new Date(created.getTime() + 30 * DAY_MS),
  };
}

const unused = (): never => {
  throw new Error('identifiers are not for metrics');
};

async function seeded(databaseId: TestDatabaseId) {
  const knex: Knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrationsDir });
  const audit = createPrivacyAuditChain(knex, { keyring: testAuditKeyring() });
  const ledger = new ConsentLedger(knex, audit);

  // EU exports completed in the window after 1..20 hours; one long ago.
  const rows: Array<ReturnType<typeof requestRow>> = [];
  for (let hours = 1; hours <= 20; hours++) {
    rows.push(requestRow('export', 'EU', ago(2 * DAY_MS), hours));
  }
  rows.push(requestRow('export', 'EU', ago(60 * DAY_MS), 500));
  rows.push(requestRow('delete', 'US', ago(3 * DAY_MS), 48));
  rows.push(requestRow('delete', 'US', ago(1 * DAY_MS), null));
  await knex('privacy_requests').insert(rows);

  const consent = (
    purpose: 'marketing' | 'analytics',
    granted: boolean,
    at: Date,
  ) =>
    ledger.record({
      subjectHash,
      purpose,
      granted,
      source: 'web-banner',
      actor: ACTOR,
      at,
    });
  await consent('marketing', true, ago(5 * DAY_MS));
  await consent('marketing', false, ago(4 * DAY_MS));
  await consent('analytics', true, ago(3 * DAY_MS));
  await consent('analytics', true, ago(40 * DAY_MS)); // outside the window

  const event = (type: string, at: Date) => ({
    type,
    actor: ACTOR,
    recordId: rows[0].id,
    at,
    data: { subjectHash },
  });
  await audit.append([
    event('request.received', ago(45 * DAY_MS)),
    event('export.created', ago(45 * DAY_MS)),
    event('request.received', ago(2 * DAY_MS)),
    event('request.state_changed', ago(2 * DAY_MS)),
    event('export.created', ago(DAY_MS)),
    event('export.downloaded', ago(HOUR_MS)),
    event('export.downloaded', ago(HOUR_MS)),
    event('export.purged', ago(HOUR_MS)),
  ]);

  return createPrivacyMetrics({
    // The counts never read an identifier: any use of one fails the test.
    store: new RequestStore(knex, {
      hash: unused,
      encrypt: unused,
      decrypt: unused,
    }),
    queue: {
      counts: async () => ({
        waiting: 2,
        active: 0,
        delayed: 0,
        completed: 21,
        failed: 0,
        deadLettered: 0,
      }),
    },
    activity: new ActivityStore(knex),
    now: () => NOW,
  });
}

/** The samples of one metric in a text exposition, as `labels value` lines. */
const samples = (text: string, name: string) =>
  text
    .split('\n')
    .filter(line => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map(line => line.slice(name.length))
    .sort();

describe.each(databases.eachSupportedId())(
  'privacy metrics on %p',
  databaseId => {
    it('computes completion quantiles, consent, audit and access counts from the rows', async () => {
      const text = await (await seeded(databaseId)).metrics();

      expect(samples(text, 'privacy_requests')).toEqual([
        '{state="completed",type="delete",region="US"} 1',
        '{state="completed",type="export",region="EU"} 21',
        '{state="running",type="delete",region="US"} 1',
      ]);
      expect(text).toContain('# TYPE privacy_request_completion_seconds gauge');
      expect(samples(text, 'privacy_request_completion_seconds')).toEqual([
        '{quantile="0.5",type="delete",region="US"} 172800',
        '{quantile="0.5",type="export",region="EU"} 36000',
        '{quantile="0.95",type="delete",region="US"} 172800',
        '{quantile="0.95",type="export",region="EU"} 68400',
      ]);
      expect(samples(text, 'privacy_consent_events')).toEqual([
        '{purpose="analytics",state="granted"} 1',
        '{purpose="marketing",state="granted"} 1',
        '{purpose="marketing",state="withdrawn"} 1',
      ]);
      // Each consent change is also a `consent.changed` event of the chain.
      expect(samples(text, 'privacy_audit_events')).toEqual([
        '{type="consent.changed"} 3',
        '{type="export.created"} 1',
        '{type="export.downloaded"} 2',
        '{type="export.purged"} 1',
        '{type="request.received"} 1',
        '{type="request.state_changed"} 1',
      ]);
      expect(samples(text, 'privacy_personal_data_access')).toEqual([
        '{type="export.created"} 1',
        '{type="export.downloaded"} 2',
      ]);
    });

    it('puts no personal data in a label', async () => {
      const text = await (await seeded(databaseId)).metrics();
      for (const secret of [SUBJECT, subjectHash, EMAIL, ACTOR, 'alice', '@']) {
        expect({ secret, found: text.includes(secret) }).toEqual({
          secret,
          found: false,
        });
      }
    });
  },
);

describe('completionQuantiles', () => {
  it('takes nearest-rank quantiles per type and region', () => {
    expect(
      completionQuantiles([
        { type: 'export', region: 'EU', seconds: 30 },
        { type: 'export', region: 'EU', seconds: 10 },
        { type: 'export', region: 'EU', seconds: 20 },
      ]),
    ).toEqual([
      { labels: { quantile: '0.5', type: 'export', region: 'EU' }, value: 20 },
      { labels: { quantile: '0.95', type: 'export', region: 'EU' }, value: 30 },
    ]);
    expect(completionQuantiles([])).toEqual([]);
  });
});

describe('isPersonalDataAccess', () => {
  it('is true for the audit types that read personal data', () => {
    expect(isPersonalDataAccess('export.created')).toBe(true);
    expect(isPersonalDataAccess('export.downloaded')).toBe(true);
    expect(isPersonalDataAccess('subject.revealed')).toBe(true);
    for (const type of [
      'request.received',
      'request.state_changed',
      'consent.changed',
      'export.purged',
      'erasure.verified',
      'legal_hold.placed',
    ]) {
      expect({ type, access: isPersonalDataAccess(type) }).toEqual({
        type,
        access: false,
      });
    }
  });
});
