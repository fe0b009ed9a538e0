export { createSbomCollector } from './SbomCollector';
export type { SbomCollectorOptions } from './SbomCollector';
export { buildSpdxDocument } from './spdx';
export type {
  BuildSpdxOptions,
  SpdxBuildResult,
  SpdxDocument,
  SpdxPackage,
  SpdxRelationship,
} from './spdx';
export { parseYarnLock } from './yarnLock';
export type { LockEntry, LockEntryKind, YarnLock } from './yarnLock';
export { createInstalledPackages } from './installedPackages';
export type { InstalledManifest, InstalledPackages } from './installedPackages';
export { declaredLicense, isValidLicenseExpression } from './licenses';
export { npmPurl, npmTarballUrl } from './purl';
