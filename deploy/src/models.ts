import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEPLOY_DIR } from './paths';

const SCRIPT_DIR = path.join(DEPLOY_DIR, 'src');

/** An object that failed schema validation. */
export interface ModelFailure {
  /** Position in the objects handed in. */
  index: number;
  error: string;
}

/**
 * Validates Kubernetes objects against their schemas with kubernetes-models:
 * for each object, the model class of its apiVersion and kind (e.g.
 * `models.apps.v1.Deployment`, `models.networkingK8sIo.v1.NetworkPolicy`) and
 * its `.validate()`. Runs in a child Node process (validateModels.mjs) since
 * the library is ESM-only. An unknown kind is a failure.
 */
export function validateKubernetesObjects(
  objects: readonly unknown[],
): ModelFailure[] {
  const output = execFileSync(
    process.execPath,
    [path.join(SCRIPT_DIR, 'validateModels.mjs')],
    { input: JSON.stringify(objects), encoding: 'utf8', cwd: SCRIPT_DIR },
  );
  return JSON.parse(output);
}
