import { parseRunbook } from './parseRunbook';
import { RunbookProblem } from './types';

/** Joins lines with \n, so a fixture's line numbers can be counted in the test. */
const lines = (...ls: string[]) => ls.join('\n');

const FRONT_MATTER = [
  /* 1 */ '---',
  /* 2 */ 'id: sample',
  /* 3 */ 'kind: scenario',
  /* 4 */ 'title: A sample scenario',
  /* 5 */ 'services: [checkout]',
  /* 6 */ 'severity: SEV2',
  /* 7 */ 'owner: group:default/drill-leads',
  /* 8 */ 'roles: [lead, coordinator, observer, scribe, responder]',
  /* 9 */ 'checkpoints:',
  /* 10 */ '  - { id: detected, title: Alert acknowledged, targetMinutes: 5, phase: detect }',
  /* 11 */ '  - { id: mitigated, title: Errors stopped, targetMinutes: 15, phase: respond }',
  /* 12 */ '  - { id: healthy, title: Burn rate normal, targetMinutes: 30, phase: recover }',
  /* 13 */ '---',
];

const BODY = [
  /* 14 */ '',
  /* 15 */ '# A sample scenario',
  /* 16 */ '',
  /* 17 */ 'What we prove.',
  /* 18 */ '',
  /* 19 */ '## Detect',
  /* 20 */ '',
  /* 21 */ '- [ ] Ship the fault and note the time. (role: lead)',
  /* 22 */ '- [ ] Acknowledge the page. (role: responder) [checkpoint: detected]',
  /* 23 */ '   - `kubectl rollout history deployment/checkout`',
  /* 24 */ '',
  /* 25 */ '## Respond',
  /* 26 */ '',
  /* 27 */ '### Sub-section',
  /* 28 */ '',
  /* 29 */ '```sh',
  /* 30 */ '## Not a heading',
  /* 31 */ '- [ ] Not a step',
  /* 32 */ '```',
  /* 33 */ '- [ ] Roll back. [checkpoint: mitigated] (role: responder)',
  /* 34 */ '',
  /* 35 */ '## Recover',
  /* 36 */ '',
  /* 37 */ '- [ ] Watch the burn rate fall. [checkpoint: healthy]',
  /* 38 */ '',
  /* 39 */ '## Follow-up',
  /* 40 */ '',
  /* 41 */ '- [ ] Write the report. (role: scribe)',
  /* 42 */ '',
];

const good = () => [...FRONT_MATTER, ...BODY];

/** A copy of `good()` with line `n` (1-based) replaced by `replacement` lines. */
function withLine(n: number, ...replacement: string[]): string {
  const copy = good();
  copy.splice(n - 1, 1, ...replacement);
  return lines(...copy);
}

function only(problems: RunbookProblem[]) {
  return problems.map(({ file, line, message, level }) => ({
    file,
    line,
    message,
    level,
  }));
}

describe('parseRunbook', () => {
  it('reads front matter, phases, steps with roles and checkpoints, and line numbers', () => {
    const { runbook, problems } = parseRunbook(
      'runbooks/sample.md',
      lines(...good()),
    );
    expect(problems).toEqual([]);
    expect(runbook).toMatchObject({
      id: 'sample',
      kind: 'scenario',
      title: 'A sample scenario',
      services: ['checkout'],
      severity: 'SEV2',
      owner: 'group:default/drill-leads',
      roles: ['lead', 'coordinator', 'observer', 'scribe', 'responder'],
      checkpoints: [
        {
          id: 'detected',
          title: 'Alert acknowledged',
          targetMinutes: 5,
          phase: 'detect',
        },
        {
          id: 'mitigated',
          title: 'Errors stopped',
          targetMinutes: 15,
          phase: 'respond',
        },
        {
          id: 'healthy',
          title: 'Burn rate normal',
          targetMinutes: 30,
          phase: 'recover',
        },
      ],
      file: 'runbooks/sample.md',
      markdownLine: 14,
    });
    expect(runbook!.phases).toEqual([
      {
        phase: 'detect',
        steps: [
          {
            id: 'detect-1',
            text: 'Ship the fault and note the time.',
            role: 'lead',
            line: 21,
          },
          {
            id: 'detect-2',
            text: 'Acknowledge the page.',
            role: 'responder',
            checkpoint: 'detected',
            line: 22,
          },
        ],
      },
      {
        phase: 'respond',
        steps: [
          {
            id: 'respond-1',
            text: 'Roll back.',
            role: 'responder',
            checkpoint: 'mitigated',
            line: 33,
          },
        ],
      },
      {
        phase: 'recover',
        steps: [
          {
            id: 'recover-1',
            text: 'Watch the burn rate fall.',
            checkpoint: 'healthy',
            line: 37,
          },
        ],
      },
      {
        phase: 'follow-up',
        steps: [
          {
            id: 'follow-up-1',
            text: 'Write the report.',
            role: 'scribe',
            line: 41,
          },
        ],
      },
    ]);
    expect(runbook!.markdown.split('\n')[15 - 14]).toBe('# A sample scenario');
    expect(runbook!.markdown).toContain('## Not a heading');
  });

  it('reads CRLF files with the same lines', () => {
    const { runbook, problems } = parseRunbook(
      'sample.md',
      good().join('\r\n'),
    );
    expect(problems).toEqual([]);
    expect(runbook!.phases[2].steps[0].line).toBe(37);
  });

  describe('front matter', () => {
    it('reports a file without front matter at line 1', () => {
      const result = parseRunbook(
        'sample.md',
        lines('# Just markdown', '- [ ] a'),
      );
      expect(result.runbook).toBeUndefined();
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 1,
          message: expect.stringContaining('starts with YAML front matter'),
          level: 'error',
        },
      ]);
    });

    it('reports front matter that is never closed', () => {
      const result = parseRunbook(
        'sample.md',
        lines('---', 'id: sample', '# Title'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 1,
          message: expect.stringContaining('not closed'),
          level: 'error',
        },
      ]);
    });

    it('reports a YAML syntax error at its line', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(5, 'services: [checkout'),
      );
      expect(result.runbook).toBeUndefined();
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({
        file: 'sample.md',
        line: 6,
        level: 'error',
      });
      expect(result.problems[0].message).toMatch(
        /^front matter is not valid YAML: /,
      );
    });

    it('reports a duplicated key at its second line', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(6, 'severity: SEV2', 'title: Again'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 7,
          message: 'front matter is not valid YAML: Map keys must be unique',
          level: 'error',
        },
      ]);
    });

    it('reports front matter that is not a mapping', () => {
      const result = parseRunbook(
        'sample.md',
        lines('---', '- a', '- b', '---', '## Detect'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 2,
          message: expect.stringContaining('must be a YAML mapping'),
          level: 'error',
        },
      ]);
    });

    it('reports a missing field at the first line of the front matter', () => {
      const copy = good();
      copy.splice(5, 1); // drop line 6, severity
      const result = parseRunbook('sample.md', lines(...copy));
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 2,
          message: 'severity is required',
          level: 'error',
        },
      ]);
    });

    it('reports an empty field at its own line', () => {
      const result = parseRunbook('sample.md', withLine(6, 'severity:'));
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 6,
          message: expect.stringMatching(/^severity: /),
          level: 'error',
        },
      ]);
    });

    it('reports an invalid value at its line, with the path of the field', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(
          11,
          '  - { id: mitigated, title: Errors stopped, targetMinutes: soon, phase: respond }',
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 11,
          message:
            'checkpoints[1].targetMinutes: Expected number, received string',
          level: 'error',
        },
      ]);
    });

    it('reports a missing field of a checkpoint at the checkpoint line', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(
          12,
          '  - { id: healthy, title: Burn rate normal, targetMinutes: 30 }',
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 12,
          message: 'checkpoints[2].phase is required',
          level: 'error',
        },
      ]);
    });

    it('reports an unknown field at its line', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(6, 'severity: SEV2', 'sevrity: SEV1'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 7,
          message: 'unknown field "sevrity"',
          level: 'error',
        },
      ]);
    });

    it('reports an unknown kind, severity and owner form', () => {
      const result = parseRunbook(
        'sample.md',
        lines(
          ...good()
            .join('\n')
            .replace('kind: scenario', 'kind: drill')
            .split('\n'),
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 3,
          message: 'kind must be "scenario" or "procedure"',
          level: 'error',
        },
      ]);
      const owner = parseRunbook(
        'sample.md',
        withLine(7, 'owner: drill-leads'),
      );
      expect(only(owner.problems)).toEqual([
        {
          file: 'sample.md',
          line: 7,
          message: expect.stringContaining('owner must be a group entity ref'),
          level: 'error',
        },
      ]);
      const severity = parseRunbook('sample.md', withLine(6, 'severity: SEV4'));
      expect(severity.problems.map(p => p.line)).toEqual([6]);
    });

    it('reports an id that is not the file name', () => {
      const result = parseRunbook('runbooks/other.md', lines(...good()));
      expect(result.runbook).toBeUndefined();
      expect(only(result.problems)).toEqual([
        {
          file: 'runbooks/other.md',
          line: 2,
          message: 'id "sample" must equal the file name without .md ("other")',
          level: 'error',
        },
      ]);
    });

    it('reports a checkpoint id used twice at the second one', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(
          12,
          '  - { id: mitigated, title: Burn rate normal, targetMinutes: 30, phase: recover }',
        ),
      );
      expect(result.runbook).toBeUndefined();
      expect(only(result.problems)).toEqual(
        expect.arrayContaining([
          {
            file: 'sample.md',
            line: 12,
            message: 'checkpoint id "mitigated" is used twice',
            level: 'error',
          },
        ]),
      );
    });

    it('reports checkpoints out of order of their targets', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(
          11,
          '  - { id: mitigated, title: Errors stopped, targetMinutes: 4, phase: respond }',
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 11,
          message: expect.stringContaining(
            'list checkpoints in order of their targets',
          ),
          level: 'error',
        },
      ]);
    });

    it('reports a scenario without the four base roles', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(8, 'roles: [lead, scribe, responder]'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 8,
          message: expect.stringContaining('missing: coordinator, observer'),
          level: 'error',
        },
      ]);
    });

    it('reports services that are not catalog Components when they are known', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(5, 'services: [checkout, shop]'),
        {
          knownServices: ['checkout', 'payments'],
        },
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 5,
          message: expect.stringContaining(
            'service "shop" is not a catalog Component',
          ),
          level: 'error',
        },
      ]);
    });
  });

  describe('body', () => {
    it('reports an unknown phase heading in a scenario', () => {
      const result = parseRunbook('sample.md', withLine(25, '## Mitigate'));
      expect(result.runbook).toBeUndefined();
      expect(only(result.problems)).toEqual([
        // Steps under an unknown heading belong to no phase.
        {
          file: 'sample.md',
          line: 11,
          message: expect.stringContaining(
            'no step reaches checkpoint "mitigated"',
          ),
          level: 'warning',
        },
        {
          file: 'sample.md',
          line: 25,
          message: expect.stringContaining(
            'unknown phase heading "## Mitigate"',
          ),
          level: 'error',
        },
        // The Respond phase is then missing, reported where it was due.
        {
          file: 'sample.md',
          line: 35,
          message: expect.stringContaining('"## Respond" phase is missing'),
          level: 'error',
        },
      ]);
    });

    it('reports phases out of order', () => {
      const copy = good();
      // Swap "## Respond" (25) and "## Recover" (35).
      copy[24] = '## Recover';
      copy[34] = '## Respond';
      const result = parseRunbook('sample.md', lines(...copy));
      expect(only(result.problems)).toEqual(
        expect.arrayContaining([
          {
            file: 'sample.md',
            line: 35,
            message: expect.stringContaining(
              '"## Respond" comes after "## Recover"',
            ),
            level: 'error',
          },
        ]),
      );
      expect(result.runbook).toBeUndefined();
    });

    it('reports a phase heading used twice', () => {
      const result = parseRunbook('sample.md', withLine(39, '## Recover'));
      expect(only(result.problems)).toEqual(
        expect.arrayContaining([
          {
            file: 'sample.md',
            line: 39,
            message: '"## Recover" appears twice (first on line 35)',
            level: 'error',
          },
        ]),
      );
    });

    it('reports a step referencing an unknown checkpoint', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(37, '- [ ] Watch the burn rate fall. [checkpoint: recovered]'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 12,
          message: expect.stringContaining(
            'no step reaches checkpoint "healthy"',
          ),
          level: 'warning',
        },
        {
          file: 'sample.md',
          line: 37,
          message:
            'the step reaches unknown checkpoint "recovered" (checkpoints: detected, mitigated, healthy)',
          level: 'error',
        },
      ]);
    });

    it('reports a checkpoint reached by two steps', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(21, '- [ ] Ship the fault. [checkpoint: detected]'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 22,
          message:
            'checkpoint "detected" is used twice: the step on line 21 reaches it already',
          level: 'error',
        },
      ]);
    });

    it('warns about a checkpoint no step reaches, and still returns the runbook', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(37, '- [ ] Watch the burn rate fall.'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 12,
          message:
            'no step reaches checkpoint "healthy": end the step that reaches it with "[checkpoint: healthy]"',
          level: 'warning',
        },
      ]);
      expect(result.runbook?.id).toBe('sample');
    });

    it('reports a checkpoint reached in another phase than declared', () => {
      const copy = good();
      copy[21] = '- [ ] Acknowledge the page. (role: responder)'; // line 22
      copy[32] = '- [ ] Roll back. [checkpoint: detected]'; // line 33
      copy.splice(33, 0, '- [ ] Confirm. [checkpoint: mitigated]'); // line 34
      const result = parseRunbook('sample.md', lines(...copy));
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 33,
          message:
            'checkpoint "detected" belongs to phase detect but is reached in phase respond',
          level: 'error',
        },
      ]);
    });

    it('reports a step role that is not in the roles', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(41, '- [ ] Write the report. (role: historian)'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 41,
          message:
            'role "historian" is not in the front matter\'s roles (lead, coordinator, observer, scribe, responder)',
          level: 'error',
        },
      ]);
    });

    it('reports malformed step lines at their line', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(
          41,
          '- [x] Already checked.',
          '  - [ ] Indented.',
          '* [ ] Star marker.',
          '- [ ] (role: scribe)',
          '- [ ] Role (role: scribe) in the middle.',
        ),
      );
      expect(only(result.problems).map(p => [p.line, p.level])).toEqual([
        [39, 'error'], // the phase is left with no steps
        [41, 'error'],
        [42, 'error'],
        [43, 'error'],
        [44, 'error'],
        [45, 'error'],
      ]);
      expect(result.problems[0].message).toBe(
        'the "## Follow-up" phase has no steps',
      );
      expect(result.problems[1].message).toContain('unchecked');
      expect(result.problems[2].message).toContain('remove the indent');
      expect(result.problems[4].message).toContain('needs text');
      expect(result.problems[5].message).toContain(
        'at the end of the step line',
      );
    });

    it('reports a step before the first phase', () => {
      const result = parseRunbook(
        'sample.md',
        withLine(17, '- [ ] Too early.'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 17,
          message: expect.stringContaining('must be under a phase heading'),
          level: 'error',
        },
      ]);
    });

    it('reports a scenario with no steps', () => {
      const result = parseRunbook(
        'sample.md',
        lines(
          ...FRONT_MATTER,
          '', // 14
          '## Detect', // 15
          '## Respond', // 16
          '## Recover', // 17
          '## Follow-up', // 18
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 10,
          message: expect.stringContaining(
            'no step reaches checkpoint "detected"',
          ),
          level: 'warning',
        },
        {
          file: 'sample.md',
          line: 11,
          message: expect.stringContaining(
            'no step reaches checkpoint "mitigated"',
          ),
          level: 'warning',
        },
        {
          file: 'sample.md',
          line: 12,
          message: expect.stringContaining(
            'no step reaches checkpoint "healthy"',
          ),
          level: 'warning',
        },
        {
          file: 'sample.md',
          line: 14,
          message: expect.stringContaining('the scenario has no steps'),
          level: 'error',
        },
      ]);
      expect(result.runbook).toBeUndefined();
    });

    it('reports a phase without steps and a missing phase', () => {
      const result = parseRunbook(
        'sample.md',
        lines(
          ...FRONT_MATTER,
          '## Detect', // 14
          '- [ ] Acknowledge. [checkpoint: detected]', // 15
          '## Respond', // 16
          '- [ ] Roll back. [checkpoint: mitigated]', // 17
          '## Recover', // 18
          '', // 19
          '## Follow-up', // 20
          '- [ ] Report.', // 21
        )
          .replace('phase: recover }', 'phase: follow-up }')
          .replace('- [ ] Report.', '- [ ] Report. [checkpoint: healthy]'),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 18,
          message: 'the "## Recover" phase has no steps',
          level: 'error',
        },
      ]);
      const missing = parseRunbook(
        'sample.md',
        lines(
          ...FRONT_MATTER,
          '## Detect', // 14
          '- [ ] Acknowledge. [checkpoint: detected]', // 15
          '## Respond', // 16
          '- [ ] Roll back. [checkpoint: mitigated]', // 17
          '## Recover', // 18
          '- [ ] Watch. [checkpoint: healthy]', // 19
        ),
      );
      expect(only(missing.problems)).toEqual([
        {
          file: 'sample.md',
          line: 19,
          message: expect.stringContaining('"## Follow-up" phase is missing'),
          level: 'error',
        },
      ]);
    });

    it('reports a code block that is never closed', () => {
      const result = parseRunbook('sample.md', withLine(42, '```'));
      expect(only(result.problems)).toEqual([
        {
          file: 'sample.md',
          line: 42,
          message: 'a code block opened with ``` is never closed',
          level: 'error',
        },
      ]);
    });
  });

  describe('procedures', () => {
    it('need no phases, checkpoints, roles or severity, and keep other sections as prose', () => {
      const result = parseRunbook(
        'deploy.md',
        lines(
          '---',
          'id: deploy',
          'kind: procedure',
          'title: Deploy the portal',
          'owner: group:default/platform',
          '---',
          '# Deploy',
          '## Before you start',
          '- [ ] A checklist item that is prose here.',
          '## Detect',
          '- [ ] A step. (role: lead)',
        ),
      );
      expect(only(result.problems)).toEqual([
        {
          file: 'deploy.md',
          line: 11,
          message: 'role "lead" is not in the front matter\'s roles (none)',
          level: 'error',
        },
      ]);
      const ok = parseRunbook(
        'deploy.md',
        lines(
          '---',
          'id: deploy',
          'kind: procedure',
          'title: Deploy the portal',
          'owner: group:default/platform',
          '---',
          '## Before you start',
          '- [ ] A checklist item that is prose here.',
          '## Recover',
          '- [ ] A step.',
        ),
      );
      expect(ok.problems).toEqual([]);
      expect(ok.runbook).toMatchObject({
        kind: 'procedure',
        services: [],
        roles: [],
        checkpoints: [],
        phases: [
          {
            phase: 'recover',
            steps: [{ id: 'recover-1', text: 'A step.', line: 10 }],
          },
        ],
      });
      expect(ok.runbook).not.toHaveProperty('severity');
    });
  });
});
