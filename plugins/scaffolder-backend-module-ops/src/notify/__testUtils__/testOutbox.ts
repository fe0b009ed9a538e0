import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  Outbox,
  OutboxDeliverer,
  OutboxWorker,
  createOutboxTable,
} from '@internal/plugin-ops-node';
import { NOTIFY_OUTBOX_TABLE } from '..';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public ms = Date.parse('2026-11-26T10:00:00.000Z')) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

/** The module's outbox table on a fresh database, a worker with `deliverers`, one clock. */
export async function setupOutbox(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  deliverers: Record<string, OutboxDeliverer>,
) {
  const db = await databases.init(databaseId);
  await createOutboxTable(db, NOTIFY_OUTBOX_TABLE);
  const clock = new TestClock();
  const outbox = new Outbox({ db, table: NOTIFY_OUTBOX_TABLE, now: clock.now });
  const worker = new OutboxWorker({
    outbox,
    deliverers,
    now: clock.now,
    random: () => 0,
    maxAttempts: 5,
  });
  return { db, outbox, worker, clock };
}
