export {
  createBackupRestoreCollector,
  BackupRestoreFailedError,
  BACKUP_RESTORE_EVIDENCE_TYPE,
  describeFailure,
  reportToEvidence,
  type BackupRestoreCollectorOptions,
} from './collector';
export { runRestoreTest } from './runRestoreTest';
export {
  backupRestoreConfigSchema,
  readBackupRestoreConfig,
  type BackupRestoreConfig,
} from './config';
export type {
  PostgresConnection,
  PostgresRestoreTarget,
  SqliteRestoreTarget,
  RestoreTarget,
  RestoreTestReport,
  RestoreTestHooks,
  RestoredCopy,
  RestoreStep,
  TableComparison,
  TableFingerprint,
  TableMismatch,
} from './types';
