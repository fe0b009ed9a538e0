// SQLite errors must be this test file's errors (see the function's comment).
import { useThisRealmForSqliteErrors } from './testing/sqliteErrors';

useThisRealmForSqliteErrors();
