import { createMockDirectory } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { loadRunbooks } from './loadRunbooks';
import { RUNBOOK_PHASES, Runbook } from './types';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const RUNBOOKS = path.join(REPO_ROOT, 'runbooks');

/** The Component names of the demo catalog, read from examples/entities.yaml. */
function catalogComponents(): string[] {
  const text = fs.readFileSync(
    path.join(REPO_ROOT, 'examples/entities.yaml'),
    'utf8',
  );
  return parseAllDocuments(text)
    .map(doc => doc.toJS())
    .filter(entity => entity?.kind === 'Component')
    .map(entity => entity.metadata.name);
}

const SCENARIOS = [
  'database-failure-restore',
  'bad-deploy-rollback',
  'security-incident-response',
  'regional-failover',
  'key-rotation',
  'full-disaster-recovery',
];

describe('the runbooks of this repository', () => {
  let runbooks: Runbook[];
  let problems: unknown[];

  beforeAll(async () => {
    const result = await loadRunbooks(RUNBOOKS, {
      knownServices: catalogComponents(),
    });
    problems = result.problems;
    runbooks = result.runbooks;
  });

  it('parse with no problems, not even warnings', () => {
    expect(problems).toEqual([]);
  });

  const byId = (id: string) => runbooks.find(r => r.id === id);

  it('all load, one per markdown file except the README', () => {
    const files = fs
      .readdirSync(RUNBOOKS)
      .filter(f => f.endsWith('.md') && f !== 'README.md')
      .sort();
    expect(runbooks.map(r => r.file)).toEqual(files);
  });

  it('are the six rotating scenarios and the procedures, nothing else', () => {
    expect(
      runbooks
        .filter(r => r.kind === 'scenario')
        .map(r => r.id)
        .sort(),
    ).toEqual([...SCENARIOS].sort());
    expect(
      runbooks
        .filter(r => r.kind === 'procedure')
        .map(r => r.id)
        .sort(),
    ).toEqual([
      'monthly-drill',
      'portal-deployment',
      'portal-disaster-recovery',
    ]);
  });

  it.each(SCENARIOS)(
    '%s has the four phases with 3 to 8 steps each and 3 to 5 checkpoints',
    id => {
      const runbook = byId(id)!;
      expect(runbook.phases.map(p => p.phase)).toEqual([...RUNBOOK_PHASES]);
      for (const phase of runbook.phases) {
        expect(phase.steps.length).toBeGreaterThanOrEqual(3);
        expect(phase.steps.length).toBeLessThanOrEqual(8);
      }
      expect(runbook.checkpoints.length).toBeGreaterThanOrEqual(3);
      expect(runbook.checkpoints.length).toBeLessThanOrEqual(5);
      expect(runbook.severity).toMatch(/^SEV[123]$/);
      expect(runbook.roles).toEqual(
        expect.arrayContaining(['lead', 'coordinator', 'observer', 'scribe']),
      );
    },
  );

  it('bad-deploy-rollback reaches rolled-back within 5 minutes, and covers the portal and every catalog service', () => {
    const runbook = byId('bad-deploy-rollback')!;
    expect(runbook.checkpoints).toContainEqual({
      id: 'rolled-back',
      title: expect.any(String),
      targetMinutes: 5,
      phase: 'respond',
    });
    const reaching = runbook.phases
      .flatMap(p => p.steps)
      .filter(s => s.checkpoint === 'rolled-back');
    expect(reaching).toHaveLength(1);
    expect(runbook.services.sort()).toEqual(catalogComponents().sort());

    const md = runbook.markdown;
    expect(md).toContain('### Decision tree');
    expect(md).toMatch(
      /kubectl .*rollout undo deployment\/\S+ --to-revision=N/,
    );
    expect(md).toMatch(/kubectl .*rollout status deployment\//);
    expect(md).toMatch(/kubectl [^\n]*set image deployment\/[^\n]*@sha256:/);
    expect(md).toContain('git revert');
    expect(md).toMatch(/pull request|gh pr create/);
    // A row of the per-service notes for each one.
    for (const service of catalogComponents()) {
      expect(md).toMatch(new RegExp(`^\\| \`${service}\` +\\|`, 'm'));
    }
    // Slack and Statuspage templates as fenced blocks.
    expect(md.match(/```text\n:/g)?.length).toBeGreaterThanOrEqual(3);
    expect(md).toMatch(/```text\nInvestigating:/);
    expect(md).toMatch(/```text\nResolved:/);
  });

  it('the procedures the issue asks for exist', () => {
    expect(byId('monthly-drill')!.markdown).toContain('## Report template');
    expect(byId('portal-deployment')!.services).toEqual(['ops-portal']);
    expect(byId('portal-disaster-recovery')!.phases.map(p => p.phase)).toEqual([
      ...RUNBOOK_PHASES,
    ]);
  });
});

describe('loadRunbooks', () => {
  const mockDir = createMockDirectory();

  const scenario = (id: string, extra = '') =>
    [
      '---',
      `id: ${id}`,
      'kind: scenario',
      `title: Scenario ${id}`,
      'services: [checkout]',
      'severity: SEV2',
      'owner: group:default/drill-leads',
      'roles: [lead, coordinator, observer, scribe]',
      'checkpoints:',
      '  - { id: done, title: Done, targetMinutes: 5, phase: respond }',
      '---',
      `# Scenario ${id}`,
      '## Detect',
      '- [ ] Notice.',
      '## Respond',
      `- [ ] Act. [checkpoint: done]${extra}`,
      '## Recover',
      '- [ ] Check.',
      '## Follow-up',
      '- [ ] Report.',
      '',
    ].join('\n');

  it('loads the good runbooks and reports the broken one with its file and line', async () => {
    mockDir.setContent({
      'alpha.md': scenario('alpha'),
      'broken.md': scenario('broken', ' (role: ghost)'),
      'gamma.md': scenario('gamma'),
      'README.md': '# Not a runbook\n',
      'notes.txt': 'ignored',
      'drafts/delta.md': scenario('delta'),
    });
    const { runbooks, problems } = await loadRunbooks(mockDir.path);
    expect(runbooks.map(r => r.id)).toEqual(['alpha', 'gamma']);
    expect(runbooks.map(r => r.file)).toEqual(['alpha.md', 'gamma.md']);
    expect(problems).toEqual([
      {
        file: 'broken.md',
        line: 16,
        message:
          'role "ghost" is not in the front matter\'s roles (lead, coordinator, observer, scribe)',
        level: 'error',
      },
    ]);
  });

  it('reports a file without front matter and loads the rest', async () => {
    mockDir.setContent({
      'alpha.md': scenario('alpha'),
      'plain.md': '# Just notes\n',
    });
    const { runbooks, problems } = await loadRunbooks(mockDir.path);
    expect(runbooks.map(r => r.id)).toEqual(['alpha']);
    expect(problems).toEqual([
      expect.objectContaining({ file: 'plain.md', line: 1, level: 'error' }),
    ]);
  });

  it('rejects when the folder does not exist', async () => {
    await expect(
      loadRunbooks(path.join(mockDir.path, 'missing')),
    ).rejects.toThrow(/ENOENT/);
  });
});
