import type {
  RestoreStep,
  RestoreTarget,
  RestoreTestReport,
  TableComparison,
  TableMismatch,
} from './types';

/** Thrown by {@link ReportBuilder.step} once the failure is in the report. */
export class StepFailed extends Error {
  constructor(readonly step: RestoreStep) {
    super(`restore test step ${step} failed`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Collects what a restore test learns step by step (tools, durations, sizes,
 * the first failure) and turns it into a {@link RestoreTestReport}.
 */
export class ReportBuilder {
  readonly tools: Record<string, string> = {};
  readonly durationsMs: Record<string, number> = {};
  readonly sizes: Record<string, number> = {};
  scratchDatabase?: { name: string; dropped: boolean };
  integrityCheck?: string[];
  error?: { step: RestoreStep; message: string };
  readonly #started = Date.now();
  readonly #startedAt = new Date();

  constructor(
    private readonly target: RestoreTarget,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Runs one step: logs a failure, records it (the first one wins) and
   * throws {@link StepFailed}. With `timing`, adds the step's duration under
   * that name.
   */
  async step<T>(
    step: RestoreStep,
    run: () => Promise<T>,
    timing?: string,
  ): Promise<T> {
    const started = Date.now();
    try {
      return await run();
    } catch (error) {
      if (error instanceof StepFailed) throw error;
      this.fail(step, error);
      throw new StepFailed(step);
    } finally {
      if (timing) {
        this.durationsMs[timing] =
          (this.durationsMs[timing] ?? 0) + (Date.now() - started);
      }
    }
  }

  fail(step: RestoreStep, error: unknown) {
    const message = messageOf(error);
    this.log(`${this.target.name}: ${step} failed: ${message}`);
    this.error ??= { step, message };
  }

  finish(
    tables: TableComparison[],
    mismatches: TableMismatch[],
  ): RestoreTestReport {
    const durationMs = Date.now() - this.#started;
    this.durationsMs.total = durationMs;
    const ok =
      !this.error &&
      mismatches.length === 0 &&
      (this.scratchDatabase?.dropped ?? true);
    return {
      target: this.target.name,
      kind: this.target.kind,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok,
      ...(this.error ? { error: this.error } : {}),
      tools: this.tools,
      durationsMs: this.durationsMs,
      sizes: this.sizes,
      ...(this.scratchDatabase
        ? { scratchDatabase: this.scratchDatabase }
        : {}),
      ...(this.integrityCheck ? { integrityCheck: this.integrityCheck } : {}),
      tables,
      mismatches,
      summary: {
        tables: tables.length,
        rows: tables.reduce((sum, t) => sum + (t.source?.rows ?? 0), 0),
        mismatches: mismatches.length,
        ok,
        durationMs,
      },
    };
  }
}
