import path from 'node:path';
import { KubectlMissingError, renderKustomize } from './kustomize';
import { DEPLOY_DIR } from './paths';

describe('renderKustomize', () => {
  it('fails with a clear message when kubectl is not installed', () => {
    expect(() =>
      renderKustomize(path.join(DEPLOY_DIR, 'base'), 'kubectl-not-installed'),
    ).toThrow(KubectlMissingError);
    expect(() =>
      renderKustomize(path.join(DEPLOY_DIR, 'base'), 'kubectl-not-installed'),
    ).toThrow(/kubectl is not on PATH/);
  });

  it('reports a kustomization that does not render', () => {
    expect(() => renderKustomize(path.join(DEPLOY_DIR, 'testdata'))).toThrow(
      /kubectl kustomize .* failed/,
    );
  });
});
