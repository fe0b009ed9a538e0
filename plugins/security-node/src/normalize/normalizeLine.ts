import { backstageAuditor } from './mappers/backstageAuditor';
import { backstageLog } from './mappers/backstageLog';
import { ecs } from './mappers/ecs';
import { kubernetesAudit } from './mappers/kubernetesAudit';
import { kubernetesEvent } from './mappers/kubernetesEvent';
import { opsAudit, opsAuditLog } from './mappers/opsAudit';
import { pino } from './mappers/pino';
import { markPrivacyIntake } from './privacyIntake';
import {
  JsonObject,
  Mapper,
  MappingProblem,
  NormalizeOptions,
  NormalizeResult,
  ProblemKind,
} from './types';

/** In detection order: the most specific shapes first. */
export const MAPPERS: readonly Mapper[] = [
  kubernetesAudit,
  kubernetesEvent,
  opsAudit,
  backstageAuditor,
  opsAuditLog,
  ecs,
  backstageLog,
  pino,
];

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** U+FFFD: what a UTF-8 decoder puts in place of bytes that are not UTF-8. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Whether JSON.parse failed only because the text stopped too soon. */
function endsEarly(text: string, error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/.test(message)) return true;
  const position = /at position (\d+)/.exec(message);
  return position !== null && Number(position[1]) >= text.length;
}

function parse(text: string): { line: JsonObject } | { problem: ProblemKind } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: endsEarly(text, error) ? 'truncated' : 'malformed_json' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: 'not_an_object' };
  }
  return { line: value as JsonObject };
}

/**
 * One log line → one ECS document, or the kind of problem that kept it from
 * being one. Never throws. Blank lines give `{}`.
 *
 * A line decoded with replacement characters (its bytes were not UTF-8) is
 * an `invalid_utf8` problem, so a genuine U+FFFD in a line is refused too.
 */
export function normalizeLine(
  text: string,
  options: NormalizeOptions = {},
): NormalizeResult {
  const maxLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (text.length > maxLength) return { problem: 'too_long' };
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.includes(REPLACEMENT_CHARACTER)) {
    return { problem: 'invalid_utf8' };
  }
  const parsed = parse(trimmed);
  if ('problem' in parsed) return parsed;
  return normalizeRecord(parsed.line, options);
}

/**
 * One parsed log record (an object the live pipeline already holds) → one
 * ECS document, or the kind of problem that kept it from being one. Never
 * throws; does not change `record`. A DSAR intake access line is marked
 * (`markPrivacyIntake`). `normalizeLine` parses, then calls it.
 */
export function normalizeRecord(
  record: JsonObject,
  options: NormalizeOptions = {},
): NormalizeResult {
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    return { problem: 'not_an_object' };
  }
  const mapper = MAPPERS.find(m => m.matches(record));
  if (!mapper) return { problem: 'unrecognized' };
  try {
    const event = mapper.map(record, options);
    markPrivacyIntake(event);
    return { event };
  } catch (error) {
    return {
      problem: error instanceof MappingProblem ? error.kind : 'mapping_failed',
    };
  }
}
