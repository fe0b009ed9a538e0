import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type {
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { randomBytes } from 'node:crypto';
import { createPrivacyAuditChain } from '../audit';
import type { PrivacyConfig } from '../config';
import { LegalHoldStore } from '../holds';
import { createIdentifierProtection } from '../identifiers';
import { ExecutorTransitions } from '../requests/ExecutorTransitions';
import { IntakeService } from '../requests/IntakeService';
import { RequestService } from '../requests/RequestService';
import { RequestStore } from '../requests/RequestStore';

const key = () => randomBytes(32).toString('base64');

/**
 * The request lifecycle services on a migrated test database, with no
 * server, no queue and no executor: dispatches are recorded in `dispatched`,
 * and `clock` moves time for everything.
 */
export async function createLifecycle(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
) {
  const db = await databases.init(databaseId);
  await db.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-privacy-backend',
      'migrations',
    ),
  });
  const config = {
    sla: { exportHours: 24, deleteHours: 72 },
    identifiers: { key: { id: 'test-ids', key: key() }, pepper: key() },
  } as PrivacyConfig;
  const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
  const now = () => clock.now;
  const identifiers = createIdentifierProtection(config);
  const store = new RequestStore(db, identifiers);
  const audit = createPrivacyAuditChain(db, { keyring: testAuditKeyring() });
  const holds = new LegalHoldStore(db, identifiers);
  const dispatched: string[] = [];
  const dispatcher = {
    dispatch: async (request: { id: string }) => {
      dispatched.push(request.id);
    },
  };
  return {
    db,
    clock,
    store,
    audit,
    dispatched,
    intake: new IntakeService({ store, audit, dispatcher, holds, config, now }),
    requests: new RequestService({ db, store, audit, dispatcher, holds, now }),
    transitions: new ExecutorTransitions({ db, store, audit, now }),
    /** The types of a request's audit events, oldest first. */
    trail: async (id: string) =>
      (await audit.forRecord(id)).map(event => event.type),
  };
}
