// Prints the environment Kubernetes gives a container of `deploy/base`: the
// ConfigMap's data (envFrom) and then the container's own `env` values, as
// NUL-separated KEY=VALUE pairs for rehearse-image.sh. The Secret is not in
// the repository; the rehearsal generates it.
//
//   node pod-env.mjs deploy/base/configmap.yaml deploy/base/worker.yaml
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [configMapFile, deploymentFile] = process.argv.slice(2);
if (!configMapFile || !deploymentFile) {
  process.stderr.write(
    'usage: pod-env.mjs <configmap.yaml> <deployment.yaml>\n',
  );
  process.exit(2);
}

const documents = file =>
  parseAllDocuments(readFileSync(file, 'utf8')).map(doc => doc.toJS());
const configMap = documents(configMapFile).find(
  doc => doc?.kind === 'ConfigMap',
);
const deployment = documents(deploymentFile).find(
  doc => doc?.kind === 'Deployment',
);
if (!configMap || !deployment) {
  process.stderr.write('pod-env: expected a ConfigMap and a Deployment\n');
  process.exit(1);
}

const env = new Map(Object.entries(configMap.data ?? {}));
for (const { name, value } of deployment.spec.template.spec.containers[0].env ??
  []) {
  // valueFrom (secrets, field refs) has no value to rehearse with.
  if (value !== undefined) env.set(name, String(value));
}
for (const [name, value] of env) process.stdout.write(`${name}=${value}\0`);
