import type {
  CollectedEvidence,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import { PartialCollectionError } from '@internal/plugin-evidence-node';
import { describeMismatch } from './compare';
import { runRestoreTest } from './runRestoreTest';
import type { RestoreTarget, RestoreTestReport } from './types';

export const BACKUP_RESTORE_EVIDENCE_TYPE = 'backup-restore';

export interface BackupRestoreCollectorOptions {
  /** What to test, e.g. from `evidence.backupRestore.targets`. */
  targets: RestoreTarget[];
  /** Adds the availability point A1.2 when the A1 criteria are configured. */
  availabilityCriteria?: boolean;
  /** How long one run (all targets) may take; default 30 minutes. */
  timeoutMs?: number;
  /** Replaces {@link runRestoreTest}; tests only. */
  runTest?: typeof runRestoreTest;
}

/**
 * A failed restore test run. The message names each failing target and
 * table; `passed` holds the evidence of the targets that passed and `failed`
 * the reports of those that did not, for a runner that wants to file them.
 */
export class BackupRestoreFailedError extends PartialCollectionError {
  constructor(
    message: string,
    readonly failed: RestoreTestReport[],
    readonly passed: CollectedEvidence[],
  ) {
    // The targets that passed are filed with the failed run.
    super(message, passed);
    this.name = 'BackupRestoreFailedError';
  }
}

/** Why a report failed, in a few words naming the step or the tables. */
export function describeFailure(report: RestoreTestReport): string {
  const reasons = report.mismatches.map(describeMismatch);
  if (report.error) {
    reasons.unshift(`${report.error.step}: ${report.error.message}`);
  }
  if (reasons.length === 0 && report.scratchDatabase?.dropped === false) {
    reasons.push(`scratch database ${report.scratchDatabase.name} not dropped`);
  }
  return `${report.target}: ${reasons.join('; ')}`;
}

/** The evidence file of one report. */
export function reportToEvidence(
  report: RestoreTestReport,
  target: RestoreTarget,
  points: string[],
): CollectedEvidence {
  return {
    type: BACKUP_RESTORE_EVIDENCE_TYPE,
    title: `Restore test of ${report.target} (${report.kind})`,
    points,
    ...(target.entityRef ? { entityRef: target.entityRef } : {}),
    period: {
      start: new Date(report.startedAt),
      end: new Date(report.finishedAt),
    },
    fileName: `backup-restore-${report.target.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    )}.json`,
    mediaType: 'application/json',
    content: `${JSON.stringify(report, null, 2)}\n`,
    summary: report.summary,
  };
}

/**
 * The backup and restore collector (CC9.1; A1.2 when configured): a real
 * restore test of every configured target, one evidence file each. A
 * mismatch or a failed step fails the run: it throws a
 * {@link BackupRestoreFailedError} naming the target and table after all
 * targets have been tested and logged.
 */
export function createBackupRestoreCollector(
  options: BackupRestoreCollectorOptions,
): EvidenceCollector {
  const points = options.availabilityCriteria ? ['CC9.1', 'A1.2'] : ['CC9.1'];
  const runTest = options.runTest ?? runRestoreTest;
  return {
    id: 'backup-restore',
    title: 'Backup and restore',
    description:
      'Restores a backup of each configured database into a scratch copy (pg_dump and pg_restore, or SQLite backup) and compares row counts and checksums of every table.',
    points,
    cadence: 'monthly',
    perEntity: options.targets.some(target => target.entityRef),
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
    async collect(context) {
      const targets = context.entityRef
        ? options.targets.filter(t => t.entityRef === context.entityRef)
        : options.targets;
      if (targets.length === 0) {
        context.log(
          context.entityRef
            ? `no backup-restore target for ${context.entityRef}`
            : 'no backup-restore targets configured (evidence.backupRestore.targets)',
        );
        return [];
      }
      const passed: CollectedEvidence[] = [];
      const failed: RestoreTestReport[] = [];
      for (const target of targets) {
        context.signal.throwIfAborted();
        context.log(`${target.name}: restore test (${target.kind}) starts`);
        const report = await runTest(target, context.log, context.signal);
        context.signal.throwIfAborted();
        if (report.ok) {
          passed.push(reportToEvidence(report, target, points));
        } else {
          failed.push(report);
        }
      }
      if (failed.length > 0) {
        const message = `Restore test failed: ${failed
          .map(describeFailure)
          .join(' | ')}`;
        context.log(message);
        throw new BackupRestoreFailedError(message, failed, passed);
      }
      return passed;
    },
  };
}
