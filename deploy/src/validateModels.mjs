// Validates Kubernetes objects (a JSON array on stdin) with kubernetes-models;
// prints a JSON array of { index, error } for the ones that fail. Run by
// models.ts in its own Node process because kubernetes-models is ESM-only
// (its package exports have no `require` condition Jest could resolve).
import * as models from 'kubernetes-models';

function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  const groupKey = group
    .split('.')
    .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
    .join('');
  const versions = group ? models[groupKey] : models;
  return versions?.[version]?.[kind];
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const failures = [];
JSON.parse(input).forEach((object, index) => {
  const Model = modelClass(String(object.apiVersion), String(object.kind));
  if (typeof Model !== 'function') {
    failures.push({
      index,
      error: `kubernetes-models has no ${object.apiVersion} ${object.kind}`,
    });
    return;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    failures.push({ index, error: error.message });
  }
});
process.stdout.write(JSON.stringify(failures));
