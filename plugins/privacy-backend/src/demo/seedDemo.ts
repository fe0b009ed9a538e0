import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  Region,
  RequestState,
  RequestType,
} from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { AuditChain } from '@internal/plugin-ops-node';
import type { PrivacyConfig } from '../config';
import { legalDueAt, slaDueAt } from '../deadlines';
import type { IntakeService } from '../requests/IntakeService';
import type { RequestStore } from '../requests/RequestStore';
import { DEMO_SUBJECTS, createDemoStores } from './demoStores';
import { HOUR_MS } from '@internal/plugin-ops-common';

const JURISDICTION_OF = {
  EU: 'GDPR',
  US: 'CCPA',
  UK: 'UK-GDPR',
  APAC: 'GDPR',
} as const;

/** Finished requests of the last weeks, so the SLA cards have a history. */
const HISTORY: Array<{
  type: RequestType;
  region: Region;
  daysAgo: number;
  tookHours: number | null;
  state: RequestState;
}> = [
  {
    type: 'export',
    region: 'EU',
    daysAgo: 20,
    tookHours: 3.5,
    state: 'completed',
  },
  {
    type: 'export',
    region: 'EU',
    daysAgo: 15,
    tookHours: 6,
    state: 'completed',
  },
  {
    type: 'export',
    region: 'EU',
    daysAgo: 9,
    tookHours: 27,
    state: 'completed',
  },
  {
    type: 'export',
    region: 'US',
    daysAgo: 12,
    tookHours: 2,
    state: 'completed',
  },
  {
    type: 'export',
    region: 'US',
    daysAgo: 4,
    tookHours: 11,
    state: 'completed',
  },
  {
    type: 'delete',
    region: 'EU',
    daysAgo: 18,
    tookHours: 40,
    state: 'completed',
  },
  {
    type: 'delete',
    region: 'US',
    daysAgo: 8,
    tookHours: 70,
    state: 'completed',
  },
  {
    type: 'delete',
    region: 'APAC',
    daysAgo: 6,
    tookHours: null,
    state: 'canceled',
  },
  {
    type: 'export',
    region: 'UK',
    daysAgo: 3,
    tookHours: null,
    state: 'dead_lettered',
  },
];

/**
 * The demo for `yarn start` (privacy.demo.enabled): demo data stores, a
 * history of finished requests, and live requests that the executor really
 * runs against the demo stores. Every demo request is flagged `demo`.
 * Runs only on an empty request table.
 */
export async function seedDemo(deps: {
  db: Knex;
  store: RequestStore;
  intake: IntakeService;
  audit: AuditChain;
  config: PrivacyConfig;
  logger: LoggerService;
}) {
  const { db, store, intake, audit, config } = deps;
  await createDemoStores(config.connections);
  const [{ count }] = await db('privacy_requests').count({ count: '*' });
  if (Number(count) > 0) return;

  const now = Date.now();
  for (const [i, h] of HISTORY.entries()) {
    const createdAt = new Date(now - h.daysAgo * 24 * HOUR_MS);
    const id = randomUUID();
    const jurisdiction = JURISDICTION_OF[h.region];
    const completedAt =
      h.tookHours === null
        ? null
        : new Date(createdAt.getTime() + h.tookHours * HOUR_MS);
    const row = store.newRow({
      id,
      type: h.type,
      state: h.state,
      subjectId: DEMO_SUBJECTS[i % DEMO_SUBJECTS.length].replace(
        'customer',
        'former-customer',
      ),
      region: h.region,
      jurisdiction,
      priority: 5,
      requester: 'user:default/alice',
      createdAt,
      slaDueAt: slaDueAt(h.type, createdAt, config.sla),
      legalDueAt: legalDueAt(jurisdiction, createdAt),
      demo: true,
    });
    // The finished request and its audit trail, in one atomic write.
    await audit.auditedWrite({
      statement: store.insertQuery([
        {
          ...row,
          completed_at: completedAt,
          attempts: h.state === 'dead_lettered' ? 3 : 1,
          last_error:
            h.state === 'dead_lettered'
              ? 'demo: No data store connections are configured in region UK'
              : null,
          approved_by: h.type === 'delete' ? 'user:default/carol' : null,
        },
      ]),
      events: [
        {
          type: 'request.received',
          actor: 'user:default/alice',
          at: createdAt,
          data: { demo: true, type: h.type, region: h.region },
        },
        {
          type: 'request.state_changed',
          actor: 'executor',
          at: completedAt ?? createdAt,
          data: { demo: true, to: h.state },
        },
      ],
    });
  }

  // Live requests: exports run now against the demo stores; erasures wait for approval.
  const live: Array<{
    type: RequestType;
    subject: number;
    region: Region;
    priority: 'NORMAL' | 'HIGH' | 'URGENT';
  }> = [
    { type: 'export', subject: 0, region: 'EU', priority: 'HIGH' },
    { type: 'export', subject: 1, region: 'US', priority: 'NORMAL' },
    { type: 'export', subject: 2, region: 'APAC', priority: 'URGENT' },
    { type: 'delete', subject: 3, region: 'EU', priority: 'NORMAL' },
    { type: 'delete', subject: 4, region: 'US', priority: 'HIGH' },
  ];
  for (const request of live) {
    await intake.submit(
      request.type,
      {
        subject: {
          id: DEMO_SUBJECTS[request.subject],
          email: `${DEMO_SUBJECTS[request.subject]}@example.com`,
        },
        region: request.region,
        jurisdiction: JURISDICTION_OF[request.region],
        priority: request.priority,
      },
      'user:default/alice',
      { demo: true },
    );
  }
  deps.logger.info(
    `Seeded the privacy demo: ${HISTORY.length} past and ${live.length} live demo requests`,
  );
}
