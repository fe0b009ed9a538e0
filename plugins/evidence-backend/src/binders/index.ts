/**
 * Binders: deterministic, streaming, signed .tar.gz archives of evidence that
 * an auditor verifies offline (with `verifyBinder`, `bin/evidence-verify`, or
 * `sha256sum -c` and `openssl pkeyutl -verify` alone).
 */
export { buildBinder, BINDER_MTIME } from './buildBinder';
export { verifyBinder } from './verifyBinder';
export type { VerifyBinderOptions } from './verifyBinder';
export { formatVerification } from './formatVerification';
export { runVerifyCli } from './verifyCli';
export type {
  BinderFile,
  BinderInput,
  BinderManifest,
  BinderProgress,
  BuiltBinder,
  ManifestFile,
} from './types';
export { BINDER_PATHS, BINDER_ROOT, MANIFEST_FORMAT } from './types';
