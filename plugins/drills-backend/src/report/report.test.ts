import MarkdownIt from 'markdown-it';
import type { RunView } from '../runs/types';
import {
  escapeMarkdown,
  renderReportHtml,
  renderReportMarkdown,
} from './index';

const HOSTILE_NOTE =
  '<script>alert(1)</script>\n# Owned\n[click](javascript:alert(1)) ![x](http://evil.example/x.png) | cell';

/** A finished run, as RunStore.getView returns it. */
function fixtureRun(overrides: Partial<RunView> = {}): RunView {
  const startedAt = '2026-12-01T09:00:00.000Z';
  return {
    id: 'run-1',
    scenarioId: 'database-failover',
    title: 'Fail over the checkout database',
    calendarMonth: '2026-12',
    state: 'finished',
    lead: 'user:default/lead',
    startedAt,
    finishedAt: '2026-12-01T10:30:00.000Z',
    abortedAt: null,
    abortReason: null,
    endedBy: 'user:default/lead',
    createdBy: 'user:default/lead',
    hasReport: false,
    reportMarkdown: null,
    evidence: null,
    participants: [
      { entityRef: 'user:default/bob', role: 'observer', addedAt: startedAt },
      { entityRef: 'user:default/lead', role: 'lead', addedAt: startedAt },
      {
        entityRef: 'user:default/alice',
        role: 'coordinator',
        addedAt: startedAt,
      },
    ],
    checkpoints: [
      {
        id: 'paged',
        title: 'Alert paged',
        phase: 'detect',
        targetMinutes: 5,
        position: 0,
        reachedAt: '2026-12-01T09:04:30.000Z',
        reachedBy: 'user:default/alice',
        elapsedMinutes: 4.5,
        passed: true,
      },
      {
        id: 'failover',
        title: 'Replica promoted',
        phase: 'respond',
        targetMinutes: 15,
        position: 1,
        reachedAt: '2026-12-01T09:20:00.000Z',
        reachedBy: 'user:default/alice',
        elapsedMinutes: 20,
        passed: false,
      },
      {
        id: 'recovered',
        title: 'Redundancy restored',
        phase: 'recover',
        targetMinutes: 60,
        position: 2,
        reachedAt: null,
        reachedBy: null,
        elapsedMinutes: null,
        passed: false,
      },
    ],
    actionItems: [
      {
        id: 'a1',
        runId: 'run-1',
        title: 'Automate | the <b>promotion</b>\nnext line',
        owner: 'group:default/dba',
        dueDate: '2027-01-15',
        createdBy: 'user:default/lead',
        createdAt: '2026-12-01T10:00:00.000Z',
      },
    ],
    progress: { steps: 3, checked: 2 },
    phases: [
      {
        phase: 'detect',
        steps: [
          {
            id: 'detect-1',
            phase: 'detect',
            position: 0,
            text: 'Acknowledge the page',
            checked: true,
            version: 1,
            updatedBy: 'user:default/alice',
            updatedAt: '2026-12-01T09:03:00.000Z',
          },
        ],
      },
      {
        phase: 'respond',
        steps: [
          {
            id: 'respond-1',
            phase: 'respond',
            position: 1,
            text: 'Promote the replica',
            checked: true,
            version: 3,
            updatedBy: 'user:default/bob',
            updatedAt: '2026-12-01T09:19:00.000Z',
          },
          {
            id: 'respond-2',
            phase: 'respond',
            position: 2,
            text: 'Tell the status page',
            checked: false,
            version: 0,
            updatedBy: null,
            updatedAt: null,
          },
        ],
      },
    ],
    notes: [
      {
        id: 'n1',
        runId: 'run-1',
        stepId: 'respond-1',
        author: 'user:default/bob',
        text: HOSTILE_NOTE,
        createdAt: '2026-12-01T09:18:00.000Z',
      },
    ],
    attachments: [
      {
        id: 'f1',
        runId: 'run-1',
        stepId: 'respond-1',
        blobKey: 'drills/f1',
        fileName: 'replica-lag.png',
        mediaType: 'image/png',
        sizeBytes: 2048,
        sha256: 'ab'.repeat(32),
        uploadedBy: 'user:default/bob',
        createdAt: '2026-12-01T09:19:30.000Z',
      },
    ],
    ...overrides,
  };
}

const options = {
  timezone: 'Europe/Berlin',
  now: new Date('2026-12-01T10:31:00.000Z'),
};

/** The markdown parsed as the HTML report parses it (tokens, not text). */
const parse = (text: string) =>
  new MarkdownIt({ html: false, linkify: false }).parse(text, {});

/** All inline tokens, flattened. */
const inlineTokens = (text: string) =>
  parse(text).flatMap(t => (t.type === 'inline' ? t.children ?? [] : [t]));

describe('escapeMarkdown', () => {
  it.each([
    ['<script>alert(1)</script>'],
    ['[click](javascript:alert(1))'],
    ['![img](http://evil.example/x.png)'],
    ['# heading'],
    ['> quote'],
    ['- item'],
    ['1. item'],
    ['**bold** _em_ `code`'],
    ['&lt;script&gt;'],
    ['<http://evil.example>'],
    ['a\\'],
  ])('shows %p as typed, as one plain text node', input => {
    const escaped = escapeMarkdown(input);
    const tokens = parse(escaped);
    expect(tokens.map(t => t.type)).toEqual([
      'paragraph_open',
      'inline',
      'paragraph_close',
    ]);
    const children = tokens[1].children!;
    expect(children.map(t => t.type)).toEqual(children.map(() => 'text'));
    expect(children.map(t => t.content).join('')).toBe(input);
  });

  it('keeps a value on its line and in its table cell', () => {
    const cell = escapeMarkdown('left | right\n| --- |\nnext\r\nrow');
    expect(cell).not.toMatch(/\n|\r/);
    const table = `| a | b |\n| --- | --- |\n| ${cell} | x |\n`;
    const tokens = parse(table);
    const cells = tokens
      .filter(t => t.type === 'inline')
      .map(t => t.children!.map(c => c.content).join(''));
    expect(cells).toEqual(['a', 'b', 'left | right | --- | next row', 'x']);
    expect(tokens.filter(t => t.type === 'tr_open')).toHaveLength(2);
  });

  it('drops control characters and trims', () => {
    expect(escapeMarkdown('  a\u0000b\u001b[31m \t c  ')).toBe('ab\\[31m c');
  });
});

describe('renderReportMarkdown', () => {
  const report = renderReportMarkdown(fixtureRun(), options);
  const lines = report.split('\n');

  it('opens with the title and a summary in the given time zone and UTC', () => {
    expect(lines[0]).toBe('# Drill report: Fail over the checkout database');
    expect(lines).toEqual(
      expect.arrayContaining([
        '- Scenario: database-failover',
        '- State: finished',
        '- Lead: user:default/lead',
        '- Started: 2026-12-01 10:00:00 +01:00 (Europe/Berlin); 2026-12-01 09:00:00 UTC',
        '- Finished: 2026-12-01 11:30:00 +01:00 (Europe/Berlin); 2026-12-01 10:30:00 UTC',
        '- Duration: 90 min',
        '- Calendar month: 2026-12',
        '- Steps checked: 2 of 3',
        '- Checkpoints passed: 1 of 3',
      ]),
    );
  });

  it('times every checkpoint against its target', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        '| Checkpoint | Phase | Target (min) | Reached at (min) | Result |',
        '| Alert paged | detect | 5 | 4.5 | PASS |',
        '| Replica promoted | respond | 15 | 20 | FAIL |',
        '| Redundancy restored | recover | 60 | not reached | — |',
        '- Time to detect: 4.5 min (target 5 min, PASS)',
        '- Time to respond: 20 min (target 15 min, FAIL)',
        '- Time to recover: not reached (target 60 min)',
      ]),
    );
  });

  it('lists the steps by phase with who changed them and when, with notes and attachments', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        '### detect',
        '- [x] Acknowledge the page (checked by user:default/alice at 2026-12-01 10:03:00 +01:00)',
        '- [ ] Tell the status page (never changed)',
        `  - Attachment replica-lag.png (2.0 KiB, sha256 ${'ab'.repeat(
          32,
        )}), by user:default/bob at 2026-12-01 10:19:30 +01:00`,
      ]),
    );
    expect(report).toContain(
      '  - Note by user:default/bob at 2026-12-01 10:18:00 +01:00:\\\n    \\<script\\>alert(1)\\</script\\>\\\n    \\# Owned\\\n',
    );
  });

  it('lists the participants by role and the action items', () => {
    const participants = report.slice(
      report.indexOf('## Participants'),
      report.indexOf('## Action items'),
    );
    expect(participants.trim().split('\n').slice(2)).toEqual([
      '- user:default/lead: lead',
      '- user:default/alice: coordinator',
      '- user:default/bob: observer',
    ]);
    expect(lines).toContain(
      '| Automate \\| the \\<b\\>promotion\\</b\\> next line | group:default/dba | 2027-01-15 |',
    );
    const none = renderReportMarkdown(fixtureRun({ actionItems: [] }), options);
    expect(none).toContain('## Action items\n\nNone.\n');
  });

  it('adds no structure, link, image or HTML from what users wrote', () => {
    const tokens = inlineTokens(report);
    const types = new Set(tokens.map(t => t.type));
    for (const type of [
      'link_open',
      'image',
      'html_inline',
      'html_block',
      'code_inline',
      'em_open',
      'strong_open',
    ]) {
      expect(types).not.toContain(type);
    }
    // Headings: the title, the four sections and one per phase; no "# Owned".
    const headings = parse(report).filter(t => t.type === 'heading_open');
    expect(headings).toHaveLength(1 + 4 + 2);
    // The action item is one row of three cells.
    const rows = parse(report).filter(t => t.type === 'tr_open');
    expect(rows).toHaveLength(1 + 3 + 1 + 1);
  });

  it("keeps a runbook step's own markdown (code, emphasis) on its line", () => {
    const run = fixtureRun();
    run.phases[0].steps[0].text =
      'Run `kubectl rollout undo deploy/checkout`\n**now**';
    const markdown = renderReportMarkdown(run, options);
    expect(markdown).toContain(
      '- [x] Run `kubectl rollout undo deploy/checkout` **now** (checked by',
    );
    const html = renderReportHtml(markdown, 'report');
    expect(html).toContain('<code>kubectl rollout undo deploy/checkout</code>');
    expect(html).toContain('<strong>now</strong>');
  });

  it('names the abort reason and the abort time of an aborted run', () => {
    const aborted = renderReportMarkdown(
      fixtureRun({
        state: 'aborted',
        finishedAt: null,
        abortedAt: '2026-12-01T09:30:00.000Z',
        abortReason: 'Real incident [started](x)',
        calendarMonth: null,
      }),
      options,
    );
    expect(aborted).toContain(
      '- State: aborted: Real incident \\[started\\](x)',
    );
    expect(aborted).toContain(
      '- Aborted: 2026-12-01 10:30:00 +01:00 (Europe/Berlin); 2026-12-01 09:30:00 UTC',
    );
    expect(aborted).toContain('- Duration: 30 min');
    expect(aborted).toContain('- Calendar month: ad hoc');
  });

  it('refuses an unknown time zone', () => {
    expect(() =>
      renderReportMarkdown(fixtureRun(), { timezone: 'Mars/Olympus' }),
    ).toThrow('Unknown time zone "Mars/Olympus"');
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(
    renderReportMarkdown(fixtureRun(), options),
    'Drill report: <script>x</script>',
  );

  it('is a whole HTML5 document with an escaped title', () => {
    expect(html.startsWith('<!doctype html>\n')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(
      '<title>Drill report: &lt;script&gt;x&lt;/script&gt;</title>',
    );
    expect(html).toContain('<style>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('renders the timings table and shows hostile text as text', () => {
    expect(html).toContain('<td>Replica promoted</td>');
    expect(html).toContain('FAIL</td>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[click](javascript:alert(1))');
    expect(html).toContain(
      '<td>Automate | the &lt;b&gt;promotion&lt;/b&gt; next line</td>',
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<a[\s>]/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('<h1>Owned');
  });

  it('shows raw HTML in the markdown as text', () => {
    const raw = renderReportHtml(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))',
      't',
    );
    expect(raw).not.toMatch(/<script|<img|<a /i);
    expect(raw).toContain('&lt;script&gt;');
  });
});

describe('escapeMarkdown at the start of a line', () => {
  it('escapes what would start a list, heading or rule there, and leaves plain punctuation alone', () => {
    expect(escapeMarkdown('- not an item')).toBe('\\- not an item');
    expect(escapeMarkdown('+ not an item')).toBe('\\+ not an item');
    expect(escapeMarkdown('12. not an item')).toBe('12\\. not an item');
    expect(escapeMarkdown('3) not an item')).toBe('3\\) not an item');
    expect(escapeMarkdown('## not a heading')).toBe('\\## not a heading');
    expect(escapeMarkdown('===')).toBe('\\===');
    expect(escapeMarkdown('2026-12 rollout: done! (v1.2)')).toBe(
      '2026-12 rollout: done! (v1.2)',
    );
  });
});
