import { DateTime } from 'luxon';
import { minutesBetween, phaseTimings } from '../runs/timing';
import type {
  ParticipantRole,
  RunCheckpoint,
  RunView,
  StepAttachment,
  StepNote,
} from '../runs/types';
import {
  escapeMarkdown as esc,
  escapeMarkdownLines,
  runbookInline,
} from './escape';

export interface ReportOptions {
  /** IANA time zone the times are shown in, beside UTC. */
  timezone: string;
  /** When the report is written. Default: now. */
  now?: Date;
}

const ROLE_ORDER: ParticipantRole[] = [
  'lead',
  'coordinator',
  'scribe',
  'observer',
];

/** The measures the history reports, from the last checkpoint of each phase. */
const PHASE_MEASURES = [
  { phase: 'detect', label: 'Time to detect' },
  { phase: 'respond', label: 'Time to respond' },
  { phase: 'recover', label: 'Time to recover' },
];

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const formatMinutes = (minutes: number) => `${minutes} min`;

function checkpointResult(checkpoint: RunCheckpoint): string {
  if (checkpoint.elapsedMinutes === null) return '—';
  return checkpoint.passed ? 'PASS' : 'FAIL';
}

const tableRow = (cells: string[]) => `| ${cells.join(' | ')} |`;

/**
 * The report of a drill run as markdown, for the lead to publish and an
 * auditor to read: summary, checkpoint timings against targets, the
 * checklist with who changed each step and when, notes, attachments,
 * participants and action items. Every value a person wrote is escaped, so
 * it shows as typed and adds no structure, link or HTML to the document;
 * step texts keep the runbook's own inline markdown.
 */
export function renderReportMarkdown(
  run: RunView,
  options: ReportOptions,
): string {
  const zone = options.timezone;
  if (!DateTime.now().setZone(zone).isValid) {
    throw new TypeError(`Unknown time zone ${JSON.stringify(zone)}`);
  }
  const inZone = (iso: string) =>
    DateTime.fromISO(iso, { zone: 'utc' })
      .setZone(zone)
      .toFormat('yyyy-MM-dd HH:mm:ss ZZ');
  const both = (iso: string) =>
    `${inZone(iso)} (${esc(zone)}); ${DateTime.fromISO(iso, {
      zone: 'utc',
    }).toFormat("yyyy-MM-dd HH:mm:ss 'UTC'")}`;

  const endedAt = run.finishedAt ?? run.abortedAt;
  const steps = run.phases.flatMap(p => p.steps);
  const checked = steps.filter(s => s.checked).length;
  const passed = run.checkpoints.filter(c => c.passed).length;
  const out: string[] = [];

  out.push(`# Drill report: ${esc(run.title)}`, '');

  let state: string = run.state;
  if (run.state === 'aborted') {
    state = `aborted: ${esc(run.abortReason ?? 'no reason recorded')}`;
  }
  out.push(
    `- Scenario: ${esc(run.scenarioId)}`,
    `- State: ${state}`,
    `- Lead: ${esc(run.lead)}`,
    `- Started: ${both(run.startedAt)}`,
    `- ${run.state === 'aborted' ? 'Aborted' : 'Finished'}: ${
      endedAt ? both(endedAt) : 'not yet'
    }`,
    `- Duration: ${
      endedAt ? formatMinutes(minutesBetween(run.startedAt, endedAt)) : '—'
    }`,
    `- Calendar month: ${
      run.calendarMonth ? esc(run.calendarMonth) : 'ad hoc'
    }`,
    `- Steps checked: ${checked} of ${steps.length}`,
    `- Checkpoints passed: ${passed} of ${run.checkpoints.length}`,
    `- Report written: ${both((options.now ?? new Date()).toISOString())}`,
    '',
  );

  out.push('## Timings against targets', '');
  if (run.checkpoints.length === 0) {
    out.push('This scenario has no checkpoints.', '');
  } else {
    out.push(
      tableRow([
        'Checkpoint',
        'Phase',
        'Target (min)',
        'Reached at (min)',
        'Result',
      ]),
      tableRow(['---', '---', '---:', '---:', ':---:']),
    );
    for (const checkpoint of [...run.checkpoints].sort(
      (a, b) => a.position - b.position,
    )) {
      out.push(
        tableRow([
          esc(checkpoint.title),
          esc(checkpoint.phase),
          String(checkpoint.targetMinutes),
          checkpoint.elapsedMinutes === null
            ? 'not reached'
            : String(checkpoint.elapsedMinutes),
          checkpointResult(checkpoint),
        ]),
      );
    }
    out.push('');
  }
  const timings = phaseTimings(run.checkpoints);
  for (const { phase, label } of PHASE_MEASURES) {
    const timing = timings.find(t => t.phase === phase);
    let text = 'no checkpoint in this phase';
    if (timing && timing.minutes === null) {
      text = `not reached (target ${formatMinutes(timing.targetMinutes)})`;
    } else if (timing && timing.minutes !== null) {
      text = `${formatMinutes(timing.minutes)} (target ${formatMinutes(
        timing.targetMinutes,
      )}, ${timing.passed ? 'PASS' : 'FAIL'})`;
    }
    out.push(`- ${label}: ${text}`);
  }
  out.push('');

  out.push('## Steps', '');
  const notesOf = new Map<string, StepNote[]>();
  for (const note of run.notes) {
    notesOf.set(note.stepId, [...(notesOf.get(note.stepId) ?? []), note]);
  }
  const attachmentsOf = new Map<string, StepAttachment[]>();
  for (const attachment of run.attachments) {
    attachmentsOf.set(attachment.stepId, [
      ...(attachmentsOf.get(attachment.stepId) ?? []),
      attachment,
    ]);
  }
  if (run.phases.length === 0) out.push('This scenario has no steps.', '');
  for (const phase of run.phases) {
    out.push(`### ${esc(phase.phase)}`, '');
    for (const step of phase.steps) {
      const changed =
        step.updatedBy && step.updatedAt
          ? `${step.checked ? 'checked' : 'unchecked'} by ${esc(
              step.updatedBy,
            )} at ${inZone(step.updatedAt)}`
          : 'never changed';
      out.push(
        `- [${step.checked ? 'x' : ' '}] ${runbookInline(step.text)} (${changed})`,
      );
      for (const note of notesOf.get(step.id) ?? []) {
        out.push(
          `  - Note by ${esc(note.author)} at ${inZone(
            note.createdAt,
          )}:\\\n    ${escapeMarkdownLines(note.text, '    ')}`,
        );
      }
      for (const attachment of attachmentsOf.get(step.id) ?? []) {
        out.push(
          `  - Attachment ${esc(attachment.fileName)} (${formatBytes(
            attachment.sizeBytes,
          )}, sha256 ${esc(attachment.sha256)}), by ${esc(
            attachment.uploadedBy,
          )} at ${inZone(attachment.createdAt)}`,
        );
      }
    }
    out.push('');
  }

  out.push('## Participants', '');
  const participants = [...run.participants].sort(
    (a, b) =>
      ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) ||
      a.entityRef.localeCompare(b.entityRef, 'en'),
  );
  for (const participant of participants) {
    out.push(`- ${esc(participant.entityRef)}: ${esc(participant.role)}`);
  }
  if (participants.length === 0) out.push('None.');
  out.push('');

  out.push('## Action items', '');
  if (run.actionItems.length === 0) {
    out.push('None.');
  } else {
    out.push(
      tableRow(['Action item', 'Owner', 'Due']),
      tableRow(['---', '---', '---']),
    );
    for (const item of run.actionItems) {
      out.push(
        tableRow([
          esc(item.title),
          esc(item.owner),
          item.dueDate ? esc(item.dueDate) : 'no due date',
        ]),
      );
    }
  }
  out.push('');

  return out.join('\n');
}
