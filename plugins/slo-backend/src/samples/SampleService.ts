import { NotFoundError } from '@backstage/errors';
import type {
  SloMinutesResponse,
  SloSamplesPushResult,
} from '@internal/plugin-slo-common';
import type { MinuteCounts, SampleStore } from './SampleStore';

/** Whether an objective with this id exists. */
export type ObjectiveExists = (objectiveRef: string) => Promise<boolean>;

/**
 * Pushed SLI counts: stored per minute for a known objective, read back by
 * range. The batch comes validated (`parseSampleBatch`).
 */
export class SampleService {
  constructor(
    private readonly options: {
      store: SampleStore;
      objectiveExists: ObjectiveExists;
    },
  ) {}

  /** Stores a validated batch for `objectiveRef`, replacing minutes already stored. */
  async push(
    objectiveRef: string,
    minutes: readonly MinuteCounts[],
  ): Promise<SloSamplesPushResult> {
    await this.#requireObjective(objectiveRef);
    const stored = await this.options.store.upsertMinutes(
      objectiveRef,
      minutes,
      'push',
    );
    return { stored };
  }

  /** The stored minutes of `objectiveRef` in [from, to], oldest first. */
  async read(
    objectiveRef: string,
    range: { from: Date; to: Date },
  ): Promise<SloMinutesResponse> {
    await this.#requireObjective(objectiveRef);
    return {
      objectiveRef,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      minutes: await this.options.store.readRange(
        objectiveRef,
        range.from,
        range.to,
      ),
    };
  }

  async #requireObjective(objectiveRef: string) {
    if (!(await this.options.objectiveExists(objectiveRef))) {
      throw new NotFoundError(`No objective '${objectiveRef}'`);
    }
  }
}
