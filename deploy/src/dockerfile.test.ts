import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dockerStages, parseDockerfile } from './dockerfile';
import { DEPLOY_DIR } from './paths';

const instructions = parseDockerfile(
  readFileSync(path.join(DEPLOY_DIR, 'Dockerfile'), 'utf8'),
);
const stages = dockerStages(instructions);
const runtime = stages[stages.length - 1];

describe('deploy/Dockerfile', () => {
  it('builds every stage from node:22-bookworm-slim pinned by digest', () => {
    const arg = instructions.find(i => i.keyword === 'ARG');
    expect(arg?.args).toMatch(
      /^NODE_IMAGE=node:22-bookworm-slim@sha256:[0-9a-f]{64}$/,
    );
    expect(stages).toHaveLength(3);
    for (const stage of stages) {
      expect(stage[0].args).toMatch(/^\$\{NODE_IMAGE\}( AS \w+)?$/);
    }
  });

  it('builds the Backstage way: build:backend, skeleton install, bundle', () => {
    const text = instructions.map(i => `${i.keyword} ${i.args}`).join('\n');
    expect(text).toContain('yarn build:backend');
    expect(text).toContain('packages/backend/dist/skeleton.tar.gz');
    expect(text).toContain('yarn workspaces focus --all --production');
    expect(text).toContain(
      'COPY --from=build --chown=root:root /app/packages/backend/dist/bundle/ ./',
    );
    const rootPackage = JSON.parse(
      readFileSync(path.join(DEPLOY_DIR, '../package.json'), 'utf8'),
    );
    expect(rootPackage.scripts['build:backend']).toBeDefined();
  });

  it('runs as uid 1000 with the production config and writable volumes only', () => {
    const users = runtime.filter(i => i.keyword === 'USER');
    expect(users[users.length - 1].args).toBe('1000:1000');
    expect(runtime[runtime.length - 1]).toMatchObject({ keyword: 'CMD' });
    expect(JSON.parse(runtime[runtime.length - 1].args)).toEqual([
      'node',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ]);
    const volume = runtime.find(i => i.keyword === 'VOLUME');
    expect(JSON.parse(volume!.args)).toEqual(['/tmp', '/var/lib/ops-portal']);
  });

  it('joins continuation lines and skips comments', () => {
    expect(
      parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  # inner\n  && y\n'),
    ).toEqual([
      { keyword: 'FROM', args: 'a AS b', line: 2 },
      { keyword: 'RUN', args: 'x && y', line: 3 },
    ]);
  });
});
