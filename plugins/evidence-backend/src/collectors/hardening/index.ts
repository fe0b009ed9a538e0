export {
  createHardeningCollector,
  checkEntityManifests,
  MANIFESTS_ANNOTATION,
} from './HardeningCollector';
export type {
  HardeningCollectorOptions,
  HardeningReport,
  HardeningWorkloadReport,
} from './HardeningCollector';
export { evaluateHardening } from './evaluate';
export type { RuleResult, WorkloadResult } from './evaluate';
export {
  createManifestReader,
  parseManifests,
  readManifestsFromDisk,
  readManifestsFromDisk as readManifests,
} from './manifests';
export type {
  ManifestError,
  ManifestFile,
  ReadManifests,
  SourcedObject,
} from './manifests';
export {
  defaultHardeningRulesPath,
  HardeningRulesError,
  loadHardeningRules,
  parseHardeningRules,
} from './rules';
export type {
  CompiledHardeningRule,
  HardeningRule,
  HardeningRuleSet,
  HardeningSeverity,
} from './rules';
