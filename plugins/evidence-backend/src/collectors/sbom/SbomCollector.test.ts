import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import { createSbomCollector } from './SbomCollector';
import type { SpdxDocument } from './spdx';
import schema from './spdx-2.3.schema.json';

const FIXTURES = path.join(__dirname, '__fixtures__');
const REPO_ROOT = path.resolve(__dirname, '../../../../..');

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateSpdx = ajv.compile(schema);

function context(now = new Date('2026-12-03T10:00:00.123Z')) {
  const lines: string[] = [];
  const ctx: CollectorContext = {
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now,
    previous: async () => undefined,
  };
  return { ctx, lines };
}

async function writeJson(root: string, file: string, value: unknown) {
  const full = path.join(root, file);
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, JSON.stringify(value));
}

/** Lays the fixture lockfile out as an installed workspace. */
async function fixtureWorkspace(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sbom-fixture-'));
  await fs.copyFile(
    path.join(FIXTURES, 'fixture.yarn.lock'),
    path.join(root, 'yarn.lock'),
  );
  await writeJson(root, 'package.json', {
    name: 'fixture-app',
    version: '1.0.0',
    license: 'UNLICENSED',
    resolutions: { nowhere: '^3.0.0' },
  });
  await writeJson(root, 'packages/lib/package.json', {
    name: 'fixture-lib',
    version: '0.2.0',
    license: 'Apache-2.0',
  });
  await writeJson(root, 'packages/ui/package.json', {
    name: 'fixture-ui',
    version: '0.3.0',
  });
  // Installed where the linker state says, not hoisted.
  await writeJson(root, 'packages/lib/node_modules/@scope/lib/package.json', {
    name: '@scope/lib',
    version: '1.2.3',
    license: '(MIT OR Apache-2.0)',
  });
  await fs.mkdir(path.join(root, 'node_modules'), { recursive: true });
  await fs.writeFile(
    path.join(root, 'node_modules/.yarn-state.yml'),
    [
      '__metadata:',
      '  version: 1',
      '  nmMode: classic',
      '',
      '"@scope/lib@virtual:abc123#npm:1.2.3":',
      '  locations:',
      '    - "packages/lib/node_modules/@scope/lib"',
      '',
    ].join('\n'),
  );
  await writeJson(root, 'node_modules/left-pad/package.json', {
    name: 'left-pad',
    version: '1.3.0',
    license: 'WTFPL',
  });
  await writeJson(root, 'node_modules/strip/package.json', {
    name: 'strip',
    version: '2.1.0',
    licenses: [{ type: 'MIT', url: 'http://example.test/LICENSE' }],
  });
  await writeJson(root, 'node_modules/resolve/package.json', {
    name: 'resolve',
    version: '1.22.8',
    license: 'MIT',
  });
  await writeJson(root, 'node_modules/weird/package.json', {
    name: 'weird',
    version: '1.0.0',
    license: 'SEE LICENSE IN LICENSE.txt',
  });
  // A hoisted copy of another version is not the locked package.
  await writeJson(root, 'node_modules/nowhere/package.json', {
    name: 'nowhere',
    version: '2.0.0',
    license: 'MIT',
  });
  return root;
}

async function collect(workspaceRoot: string, now?: Date) {
  const { ctx, lines } = context(now);
  const [evidence, ...rest] = await createSbomCollector({
    workspaceRoot,
  }).collect(ctx);
  expect(rest).toEqual([]);
  const document = JSON.parse(String(evidence.content)) as SpdxDocument;
  return { evidence, document, lines };
}

function byName(document: SpdxDocument, name: string) {
  const found = document.packages.filter(p => p.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

function expectConsistent(document: SpdxDocument) {
  const ids = document.packages.map(p => p.SPDXID);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
  const known = new Set([...ids, 'SPDXRef-DOCUMENT']);
  for (const r of document.relationships) {
    expect(known.has(r.spdxElementId)).toBe(true);
    expect(known.has(r.relatedSpdxElement)).toBe(true);
  }
}

describe('createSbomCollector', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await fixtureWorkspace();
  });
  afterAll(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('describes itself as the SBOM collector', () => {
    const collector = createSbomCollector({ workspaceRoot: workspace });
    expect(collector).toMatchObject({
      id: 'sbom',
      points: ['CC6.8', 'CC7.1'],
      cadence: 'weekly',
    });
  });

  it('builds an SPDX 2.3 document of the fixture that our SPDX 2.3 schema accepts', async () => {
    const { evidence, document } = await collect(workspace);
    const valid = validateSpdx(document);
    expect(validateSpdx.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expectConsistent(document);

    expect(evidence).toMatchObject({
      type: 'sbom',
      fileName: 'sbom.spdx.json',
      mediaType: 'application/spdx+json',
      period: {
        start: new Date('2026-12-03T10:00:00.123Z'),
        end: new Date('2026-12-03T10:00:00.123Z'),
      },
    });
    expect(document.spdxVersion).toBe('SPDX-2.3');
    expect(document.creationInfo.created).toBe('2026-12-03T10:00:00Z');
    expect(document.creationInfo.creators).toEqual([
      'Tool: ops-portal-evidence-sbom-collector',
    ]);
    // The link to a workspace is that workspace, not a package of its own.
    expect(document.packages.map(p => p.name).sort()).toEqual([
      '@scope/lib',
      'fixture-app',
      'fixture-lib',
      'fixture-ui',
      'left-pad',
      'nowhere',
      'resolve',
      'resolve',
      'strip',
      'weird',
    ]);
    expect(evidence.summary).toEqual({
      packages: 10,
      withLicense: 6,
      relationships: document.relationships.length,
    });
  });

  it('gives npm packages a purl and a declared license from the installed package', async () => {
    const { document } = await collect(workspace);
    const scoped = byName(document, '@scope/lib');
    expect(scoped).toMatchObject({
      versionInfo: '1.2.3',
      licenseDeclared: '(MIT OR Apache-2.0)',
      licenseConcluded: 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:npm/%40scope/lib@1.2.3',
        },
      ],
    });
    expect(byName(document, 'left-pad').licenseDeclared).toBe('WTFPL');
    // An alias is listed under the real package's name.
    expect(byName(document, 'strip')).toMatchObject({
      versionInfo: '2.1.0',
      licenseDeclared: 'MIT',
    });
    expect(byName(document, 'weird').licenseDeclared).toBe('NOASSERTION');
    expect(byName(document, 'nowhere').licenseDeclared).toBe('NOASSERTION');
    expect(byName(document, 'fixture-app').licenseDeclared).toBe('NOASSERTION');
    expect(byName(document, 'fixture-lib')).toMatchObject({
      versionInfo: '0.2.0',
      licenseDeclared: 'Apache-2.0',
    });
    expect(byName(document, 'fixture-lib').externalRefs).toBeUndefined();

    const patched = document.packages.filter(p => p.name === 'resolve');
    expect(patched.map(p => p.externalRefs?.[0].referenceLocator)).toEqual([
      'pkg:npm/resolve@1.22.8',
      'pkg:npm/resolve@1.22.8',
    ]);
    expect(patched.filter(p => p.comment?.includes('patches'))).toHaveLength(1);
  });

  it('leaves Yarn cache checksums out of package checksums and says why', async () => {
    const { document } = await collect(workspace);
    for (const p of document.packages) {
      expect(p).not.toHaveProperty('checksums');
    }
    expect(document.comment).toMatch(/not of the npm tarball/);
    expect(byName(document, 'left-pad').comment).toMatch(
      /^yarn\.lock checksum 10c0\/2{128,}$/,
    );
  });

  it('relates the packages as the lockfile does', async () => {
    const { document } = await collect(workspace);
    const id = (name: string, version?: string) =>
      document.packages.find(
        p => p.name === name && (!version || p.versionInfo === version),
      )!.SPDXID;
    const has = (a: string, type: string, b: string) =>
      document.relationships.some(
        r =>
          r.spdxElementId === a &&
          r.relationshipType === type &&
          r.relatedSpdxElement === b,
      );
    expect(document.relationships[0]).toEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: id('fixture-app'),
    });
    expect(has(id('fixture-app'), 'CONTAINS', id('fixture-lib'))).toBe(true);
    expect(has(id('fixture-app'), 'CONTAINS', id('fixture-ui'))).toBe(true);
    expect(has(id('fixture-app'), 'DEPENDS_ON', id('strip'))).toBe(true);
    expect(has(id('fixture-app'), 'DEPENDS_ON', id('fixture-lib'))).toBe(true);
    expect(has(id('fixture-lib'), 'DEPENDS_ON', id('fixture-ui'))).toBe(true);
    expect(has(id('@scope/lib'), 'DEPENDS_ON', id('left-pad'))).toBe(true);
    expect(has(id('@scope/lib'), 'DEPENDS_ON', id('nowhere'))).toBe(true);
    const patched = document.packages.find(p =>
      p.comment?.includes('patches'),
    )!.SPDXID;
    expect(has(id('fixture-app'), 'DEPENDS_ON', patched)).toBe(true);
    // @scope/lib is reached through two ranges but related once.
    expect(
      document.relationships.filter(
        r => r.relatedSpdxElement === id('@scope/lib'),
      ),
    ).toHaveLength(2);
    expect(document.relationships).toHaveLength(1 + 2 + 6 + 2 + 2);
  });

  it('derives the namespace from the content, not from the clock', async () => {
    const first = await collect(workspace, new Date('2026-12-01T00:00:00Z'));
    const second = await collect(workspace, new Date('2026-12-08T00:00:00Z'));
    expect(first.document.documentNamespace).toBe(
      second.document.documentNamespace,
    );
    expect(first.document.documentNamespace).toMatch(
      /^https:\/\/ops\.portal\/spdxdocs\/fixture-app-[0-9a-f]{64}$/,
    );
    await writeJson(workspace, 'node_modules/left-pad/package.json', {
      name: 'left-pad',
      version: '1.3.0',
      license: 'MIT',
    });
    try {
      const changed = await collect(workspace);
      expect(changed.document.documentNamespace).not.toBe(
        first.document.documentNamespace,
      );
    } finally {
      await writeJson(workspace, 'node_modules/left-pad/package.json', {
        name: 'left-pad',
        version: '1.3.0',
        license: 'WTFPL',
      });
    }
  });

  it('points at the npm tarball when the workspace names its registry', async () => {
    await fs.writeFile(
      path.join(workspace, '.yarnrc.yml'),
      'npmRegistryServer: "https://npm.example.test"\n',
    );
    try {
      const { document } = await collect(workspace);
      expect(byName(document, '@scope/lib').downloadLocation).toBe(
        'https://npm.example.test/@scope/lib/-/lib-1.2.3.tgz',
      );
      expect(byName(document, 'fixture-lib').downloadLocation).toBe(
        'NOASSERTION',
      );
      expect(validateSpdx(document)).toBe(true);
    } finally {
      await fs.rm(path.join(workspace, '.yarnrc.yml'));
    }
  });

  it('fails on a lockfile that is not a Yarn 2+ lockfile', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sbom-v1-'));
    try {
      await fs.writeFile(
        path.join(root, 'yarn.lock'),
        '# yarn lockfile v1\n\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n',
      );
      await expect(
        createSbomCollector({ workspaceRoot: root }).collect(context().ctx),
      ).rejects.toThrow(/lockfile/);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it("builds a valid SBOM of this repository's own yarn.lock", async () => {
    const { document, evidence, lines } = await collect(REPO_ROOT);
    expect(document.packages.length).toBeGreaterThan(1000);
    const valid = validateSpdx(document);
    expect(validateSpdx.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expectConsistent(document);
    expect(lines.filter(l => l.startsWith('Unresolved'))).toEqual([]);
    const summary = evidence.summary as Record<string, number>;
    // Most installed packages declare a license this reads.
    expect(summary.withLicense).toBeGreaterThan(summary.packages * 0.9);
    expect(byName(document, '@internal/plugin-evidence-backend')).toMatchObject(
      { versionInfo: '0.1.0' },
    );
  }, 120_000);
});
