import { useThisRealmForSqliteErrors } from '@internal/plugin-ops-node/testing';

// SQLite errors must be this test file's errors (see the function's comment).
useThisRealmForSqliteErrors();
