/**
 * Test helpers of the ops backend pieces, imported as
 * `@internal/plugin-ops-node/testing` and only from tests.
 *
 * @packageDocumentation
 */
export {
  startFakeS3Server,
  type FakeS3Lock,
  type FakeS3Server,
  type FakeS3Upload,
  type FakeS3Version,
} from './fakeS3Server';
export { useThisRealmForSqliteErrors } from './sqliteErrors';
export { TEST_AUDIT_KEY, testAuditKeyring } from './auditKeys';
