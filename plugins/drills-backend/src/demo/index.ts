export { seedDemoRuns, type SeedDemoRunsOptions } from './seedDemoRuns';
