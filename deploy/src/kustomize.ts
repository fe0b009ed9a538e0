import { execFileSync } from 'node:child_process';
// eslint-disable-next-line @backstage/no-undeclared-imports -- deploy/ is never built or shipped: these run only in its checks
import { parseAllDocuments } from 'yaml';

/** Thrown when kubectl is not installed: the checks cannot run without it. */
export class KubectlMissingError extends Error {
  constructor() {
    super(
      'kubectl is not on PATH: deploy/ checks render the manifests with `kubectl kustomize`. ' +
        'Install kubectl (v1.27 or newer) on this machine.',
    );
    this.name = 'KubectlMissingError';
  }
}

/** Parses multi-document YAML into objects, skipping empty documents. */
export function parseYamlDocuments(text: string): Record<string, any>[] {
  return parseAllDocuments(text)
    .map(document => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS();
    })
    .filter(value => value !== null && value !== undefined);
}

/** Renders a kustomize folder with `kubectl kustomize`, offline. */
export function renderKustomize(
  dir: string,
  kubectl: string = 'kubectl',
): Record<string, any>[] {
  let output: string;
  try {
    output = execFileSync(kubectl, ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KubectlMissingError();
    }
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr.trim()}`);
  }
  return parseYamlDocuments(output);
}
