import path from 'path';
import { FrontMatter, parseFrontMatter } from './frontMatter';
import {
  RUNBOOK_PHASE_HEADINGS,
  RUNBOOK_PHASES,
  Runbook,
  RunbookParseOptions,
  RunbookPhaseId,
  RunbookProblem,
  RunbookStep,
} from './types';

const PHASE_BY_HEADING = new Map<string, RunbookPhaseId>(
  RUNBOOK_PHASES.map(phase => [RUNBOOK_PHASE_HEADINGS[phase], phase]),
);
const PHASE_LIST = RUNBOOK_PHASES.map(
  p => `## ${RUNBOOK_PHASE_HEADINGS[p]}`,
).join(', ');

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
/** Any task-list line; the step grammar is stricter and checked after. */
const TASK = /^([ \t]*)([-*+])[ \t]+\[([^\]]?)\](?:[ \t]+(.*))?$/;
const ROLE_SUFFIX = /[ \t]*\(role:[ \t]*([^()]*?)[ \t]*\)$/;
const CHECKPOINT_SUFFIX = /[ \t]*\[checkpoint:[ \t]*([^[\]]*?)[ \t]*\]$/;

interface PhaseBuilder {
  phase: RunbookPhaseId;
  line: number;
  steps: RunbookStep[];
}

/**
 * Parses one runbook: YAML front matter between `---` lines, then a markdown
 * body whose `## Detect`, `## Respond`, `## Recover` and `## Follow-up`
 * headings open the phases, each holding `- [ ] Step` lines with optional
 * `(role: <role>)` and `[checkpoint: <id>]` at the end.
 *
 * `file` is the file's name (or path): the runbook's id must equal its base
 * name without `.md`, and every problem names it. A runbook with any problem
 * of level `error` is not returned; warnings come with the runbook.
 */
export function parseRunbook(
  file: string,
  text: string,
  options: RunbookParseOptions = {},
): { runbook?: Runbook; problems: RunbookProblem[] } {
  const problems: RunbookProblem[] = [];
  const report = (
    line: number,
    message: string,
    level: RunbookProblem['level'] = 'error',
  ) => problems.push({ file, line, message, level });
  const done = (runbook?: Runbook) => ({
    runbook: problems.some(p => p.level === 'error') ? undefined : runbook,
    problems: problems.sort((a, b) => a.line - b.line),
  });

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (lines[0].trimEnd() !== '---') {
    report(
      1,
      'a runbook starts with YAML front matter: a "---" line, the fields, and another "---" line',
    );
    return done();
  }
  const closing = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (closing < 0) {
    report(1, 'the front matter is not closed: add a "---" line after it');
    return done();
  }

  const { frontMatter, issues, lineOf } = parseFrontMatter(
    lines.slice(1, closing).join('\n'),
    2,
    {
      fileId: path.basename(file).replace(/\.md$/i, ''),
      knownServices: options.knownServices
        ? new Set(options.knownServices)
        : undefined,
    },
  );
  for (const issue of issues) report(issue.line, issue.message, issue.level);
  if (!frontMatter) return done();

  const markdownLine = closing + 2;
  const bodyLines = lines.slice(closing + 1);
  const phases = parseBody(bodyLines, markdownLine, frontMatter, report);
  checkSteps(frontMatter, phases, lineOf, report, {
    markdownLine: Math.min(markdownLine, lines.length),
    lastLine: lines.length,
  });

  return done({
    id: frontMatter.id,
    kind: frontMatter.kind,
    title: frontMatter.title,
    services: frontMatter.services,
    ...(frontMatter.severity ? { severity: frontMatter.severity } : {}),
    owner: frontMatter.owner,
    roles: frontMatter.roles,
    checkpoints: frontMatter.checkpoints,
    phases: RUNBOOK_PHASES.filter(p => phases.has(p)).map(p => ({
      phase: p,
      steps: phases.get(p)!.steps,
    })),
    markdown: bodyLines.join('\n'),
    markdownLine,
    file,
  });
}

type Report = (
  line: number,
  message: string,
  level?: RunbookProblem['level'],
) => void;

function parseBody(
  bodyLines: string[],
  firstLine: number,
  frontMatter: FrontMatter,
  report: Report,
): Map<RunbookPhaseId, PhaseBuilder> {
  const scenario = frontMatter.kind === 'scenario';
  const phases = new Map<RunbookPhaseId, PhaseBuilder>();
  let current: PhaseBuilder | undefined;
  let lastPhase: PhaseBuilder | undefined;
  /** Under a `##` that is not a phase (already reported in a scenario). */
  let otherSection = false;
  let fence: { char: string; length: number } | undefined;

  bodyLines.forEach((raw, index) => {
    const line = firstLine + index;

    if (fence) {
      const close = FENCE.exec(raw);
      if (
        close &&
        close[1][0] === fence.char &&
        close[1].length >= fence.length &&
        raw.trim() === close[1]
      ) {
        fence = undefined;
      }
      return;
    }
    const open = FENCE.exec(raw);
    if (open) {
      fence = { char: open[1][0], length: open[1].length };
      return;
    }

    const heading = HEADING.exec(raw);
    if (heading) {
      if (heading[1].length !== 2) return; // titles and sub-sections are prose
      const title = (heading[2] ?? '').replace(/[ \t]+#+$/, '').trim();
      const phase = PHASE_BY_HEADING.get(title);
      if (!phase) {
        current = undefined;
        otherSection = true;
        if (scenario) {
          report(
            line,
            `unknown phase heading "## ${title}": a scenario's sections are ${PHASE_LIST}, in this order (use ### for sub-sections)`,
          );
        }
        return;
      }
      otherSection = false;
      const existing = phases.get(phase);
      if (existing) {
        report(
          line,
          `"## ${title}" appears twice (first on line ${existing.line})`,
        );
        current = existing;
        return;
      }
      if (
        lastPhase &&
        RUNBOOK_PHASES.indexOf(phase) < RUNBOOK_PHASES.indexOf(lastPhase.phase)
      ) {
        report(
          line,
          `"## ${title}" comes after "## ${
            RUNBOOK_PHASE_HEADINGS[lastPhase.phase]
          }": phases go in the order ${PHASE_LIST}`,
        );
      }
      current = { phase, line, steps: [] };
      phases.set(phase, current);
      lastPhase = current;
      return;
    }

    const task = TASK.exec(raw);
    if (!task) return;
    const [, indent, marker, box, rest = ''] = task;
    if (!current) {
      // A procedure may keep checklists outside its phases: prose.
      if (scenario && !otherSection) {
        report(line, `a step must be under a phase heading (${PHASE_LIST})`);
      }
      return;
    }
    if (indent.length > 0) {
      report(
        line,
        'steps are top-level "- [ ] " lines: remove the indent (details go in prose under the step)',
      );
      return;
    }
    if (marker !== '-' || box !== ' ') {
      report(
        line,
        `write a step as "- [ ] Step text" (unchecked, with "-"); runs record the checks`,
      );
      return;
    }
    const step = parseStepText(rest, line, report);
    if (!step) return;
    current.steps.push({
      id: `${current.phase}-${current.steps.length + 1}`,
      ...step,
    });
  });

  if (fence) {
    report(
      firstLine + bodyLines.length - 1,
      `a code block opened with ${fence.char.repeat(
        fence.length,
      )} is never closed`,
    );
  }
  return phases;
}

function parseStepText(
  rest: string,
  line: number,
  report: Report,
): Omit<RunbookStep, 'id'> | undefined {
  let text = rest.trimEnd();
  let role: string | undefined;
  let checkpoint: string | undefined;
  let ok = true;
  for (;;) {
    const roleMatch = ROLE_SUFFIX.exec(text);
    if (roleMatch) {
      if (role !== undefined) {
        report(line, 'a step names one role: "(role: <name>)" appears twice');
        ok = false;
      }
      role = roleMatch[1];
      text = text.slice(0, roleMatch.index);
      continue;
    }
    const checkpointMatch = CHECKPOINT_SUFFIX.exec(text);
    if (checkpointMatch) {
      if (checkpoint !== undefined) {
        report(
          line,
          'a step reaches one checkpoint: "[checkpoint: <id>]" appears twice',
        );
        ok = false;
      }
      checkpoint = checkpointMatch[1];
      text = text.slice(0, checkpointMatch.index);
      continue;
    }
    break;
  }
  if (/\(role:|\[checkpoint:/.test(text)) {
    report(
      line,
      'put "(role: <name>)" and "[checkpoint: <id>]" at the end of the step line',
    );
    ok = false;
  }
  if (role === '') {
    report(line, '"(role: )" names no role');
    ok = false;
  }
  if (checkpoint === '') {
    report(line, '"[checkpoint: ]" names no checkpoint');
    ok = false;
  }
  text = text.trim();
  if (!text) {
    report(line, 'a step needs text after "- [ ] "');
    ok = false;
  }
  if (!ok) return undefined;
  return {
    text,
    ...(role !== undefined ? { role } : {}),
    ...(checkpoint !== undefined ? { checkpoint } : {}),
    line,
  };
}

function checkSteps(
  frontMatter: FrontMatter,
  phases: Map<RunbookPhaseId, PhaseBuilder>,
  lineOf: (path: Array<string | number>) => number,
  report: Report,
  at: { markdownLine: number; lastLine: number },
) {
  const scenario = frontMatter.kind === 'scenario';
  const ordered = RUNBOOK_PHASES.filter(p => phases.has(p)).map(
    p => phases.get(p)!,
  );
  // In document order (phases out of order are reported already).
  const steps = [...phases.values()]
    .flatMap(p => p.steps.map(step => ({ step, phase: p.phase })))
    .sort((a, b) => a.step.line - b.step.line);

  if (scenario) {
    RUNBOOK_PHASES.forEach((phase, i) => {
      if (phases.has(phase)) return;
      const next = RUNBOOK_PHASES.slice(i + 1).find(p => phases.has(p));
      report(
        next ? phases.get(next)!.line : at.lastLine,
        `the "## ${RUNBOOK_PHASE_HEADINGS[phase]}" phase is missing: a scenario has ${PHASE_LIST}`,
      );
    });
    if (steps.length === 0) {
      report(
        at.markdownLine,
        'the scenario has no steps: add "- [ ] Step text" lines under its phase headings',
      );
    } else {
      for (const phase of ordered) {
        if (phase.steps.length === 0) {
          report(
            phase.line,
            `the "## ${
              RUNBOOK_PHASE_HEADINGS[phase.phase]
            }" phase has no steps`,
          );
        }
      }
    }
  }

  const roles = new Set(frontMatter.roles);
  const checkpointIndex = new Map(
    frontMatter.checkpoints.map((c, i) => [c.id, i]),
  );
  const reachedAt = new Map<string, number>();
  let lastReached: { index: number; id: string } | undefined;

  for (const { step, phase } of steps) {
    if (step.role !== undefined && !roles.has(step.role)) {
      report(
        step.line,
        `role "${step.role}" is not in the front matter's roles (${
          frontMatter.roles.join(', ') || 'none'
        })`,
      );
    }
    if (step.checkpoint === undefined) continue;
    const index = checkpointIndex.get(step.checkpoint);
    if (index === undefined) {
      report(
        step.line,
        `the step reaches unknown checkpoint "${
          step.checkpoint
        }" (checkpoints: ${
          frontMatter.checkpoints.map(c => c.id).join(', ') || 'none'
        })`,
      );
      continue;
    }
    const earlier = reachedAt.get(step.checkpoint);
    if (earlier !== undefined) {
      report(
        step.line,
        `checkpoint "${step.checkpoint}" is used twice: the step on line ${earlier} reaches it already`,
      );
      continue;
    }
    reachedAt.set(step.checkpoint, step.line);
    const declared = frontMatter.checkpoints[index];
    if (declared.phase !== phase) {
      report(
        step.line,
        `checkpoint "${declared.id}" belongs to phase ${declared.phase} but is reached in phase ${phase}`,
      );
    }
    if (lastReached && index < lastReached.index) {
      report(
        step.line,
        `checkpoint "${declared.id}" is reached after "${lastReached.id}" but listed before it in the front matter`,
        'warning',
      );
    }
    lastReached = { index, id: declared.id };
  }

  frontMatter.checkpoints.forEach((checkpoint, i) => {
    if (!reachedAt.has(checkpoint.id)) {
      report(
        lineOf(['checkpoints', i]),
        `no step reaches checkpoint "${checkpoint.id}": end the step that reaches it with "[checkpoint: ${checkpoint.id}]"`,
        'warning',
      );
    }
  });
}
