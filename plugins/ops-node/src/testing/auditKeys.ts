import { AuditKeyring } from '../audit/AuditKeyring';

/** The audit key tests sign with; any process using it verifies the others' rows. */
export const TEST_AUDIT_KEY = {
  id: 'test-audit-1',
  key: 'test-only-audit-key-0123456789abcdef',
};

/** A keyring with the test audit key, as `readAuditKeyring` would build it. */
export const testAuditKeyring = () => new AuditKeyring([TEST_AUDIT_KEY], 'ops');
