export { KnexSampleStore, SLI_MINUTES_TABLE } from './SampleStore';
export type { MinuteCounts, SampleStore } from './SampleStore';
export { SampleService } from './SampleService';
export type { ObjectiveExists } from './SampleService';
export { parseSampleBatch, parseSampleRange } from './validate';
