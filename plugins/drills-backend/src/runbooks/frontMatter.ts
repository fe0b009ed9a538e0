import {
  Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
} from 'yaml';
import { z } from 'zod';
import {
  BASE_DRILL_ROLES,
  RUNBOOK_PHASES,
  RUNBOOK_SEVERITIES,
  RunbookCheckpoint,
  RunbookKind,
  RunbookSeverity,
} from './types';

/** Lower-case words joined by single hyphens: runbook, role and checkpoint ids. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A catalog entity name (Backstage's rule, without the length limit's corner cases). */
const ENTITY_NAME = /^[a-z0-9A-Z]+(?:[-_.][a-z0-9A-Z]+)*$/;
/** `group:<name>` or `group:<namespace>/<name>`. */
const GROUP_REF =
  /^group:(?:[a-z0-9A-Z]+(?:[-_.][a-z0-9A-Z]+)*\/)?[a-z0-9A-Z]+(?:[-_.][a-z0-9A-Z]+)*$/;

const slug = (what: string) =>
  z
    .string()
    .regex(
      SLUG,
      `${what} must be lower-case words joined by hyphens, e.g. "rolled-back"`,
    );

const checkpointSchema = z
  .object({
    id: slug('a checkpoint id'),
    title: z.string().trim().min(1, 'a checkpoint needs a title'),
    targetMinutes: z
      .number()
      .int('targetMinutes must be a whole number of minutes')
      .positive('targetMinutes must be more than 0'),
    phase: z.enum(RUNBOOK_PHASES),
  })
  .strict();

const common = {
  id: slug('id'),
  title: z.string().trim().min(1, 'title must not be empty'),
  owner: z
    .string()
    .regex(
      GROUP_REF,
      'owner must be a group entity ref, e.g. "group:default/drill-leads"',
    ),
};
const serviceName = z
  .string()
  .regex(ENTITY_NAME, 'a service must be a catalog Component name');

const scenarioSchema = z
  .object({
    ...common,
    kind: z.literal('scenario'),
    services: z
      .array(serviceName)
      .min(1, 'a scenario names at least one service'),
    severity: z.enum(RUNBOOK_SEVERITIES),
    roles: z.array(slug('a role')).min(1, 'a scenario names its roles'),
    checkpoints: z
      .array(checkpointSchema)
      .min(1, 'a scenario has at least one checkpoint'),
  })
  .strict();

const procedureSchema = z
  .object({
    ...common,
    kind: z.literal('procedure'),
    services: z.array(serviceName).default([]),
    severity: z.enum(RUNBOOK_SEVERITIES).optional(),
    roles: z.array(slug('a role')).default([]),
    checkpoints: z.array(checkpointSchema).default([]),
  })
  .strict();

export const frontMatterSchema = z.discriminatedUnion('kind', [
  scenarioSchema,
  procedureSchema,
]);

export interface FrontMatter {
  id: string;
  kind: RunbookKind;
  title: string;
  services: string[];
  severity?: RunbookSeverity;
  owner: string;
  roles: string[];
  checkpoints: RunbookCheckpoint[];
}

export interface FrontMatterIssue {
  line: number;
  message: string;
  level: 'error' | 'warning';
}

export interface FrontMatterResult {
  frontMatter?: FrontMatter;
  issues: FrontMatterIssue[];
  /** The file line of a value in the front matter, by its path; for later checks. */
  lineOf(path: Array<string | number>): number;
}

type Path = Array<string | number>;

function describePath(path: Path): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text;
}

function issueMessage(issue: z.ZodIssue): string {
  const where = describePath(issue.path);
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return `${where} is required`;
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join('", "');
    return where
      ? `${where}: unknown field "${keys}"`
      : `unknown field "${keys}"`;
  }
  if (issue.code === 'invalid_union_discriminator') {
    return `${where} must be "scenario" or "procedure"`;
  }
  return where ? `${where}: ${issue.message}` : issue.message;
}

/**
 * Parses and validates the YAML between the `---` lines. `firstLine` is the
 * file line of the YAML's first line, so every issue carries a file line.
 */
export function parseFrontMatter(
  yamlText: string,
  firstLine: number,
  options: { fileId: string; knownServices?: Set<string> },
): FrontMatterResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const toFileLine = (offset: number) =>
    lineCounter.linePos(offset).line + firstLine - 1;

  const lineOf = (path: Path): number =>
    nodeLine(doc, path, toFileLine, firstLine);
  const issues: FrontMatterIssue[] = [];

  for (const error of doc.errors) {
    issues.push({
      line: toFileLine(error.pos[0]),
      message: `front matter is not valid YAML: ${error.message}`,
      level: 'error',
    });
  }
  for (const warning of doc.warnings) {
    issues.push({
      line: toFileLine(warning.pos[0]),
      message: `front matter: ${warning.message}`,
      level: 'warning',
    });
  }
  if (doc.errors.length > 0) return { issues, lineOf };

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    issues.push({
      line: firstLine,
      message: `front matter is not valid YAML: ${(error as Error).message}`,
      level: 'error',
    });
    return { issues, lineOf };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    issues.push({
      line: firstLine,
      message:
        'front matter must be a YAML mapping of fields (id, kind, title, ...)',
      level: 'error',
    });
    return { issues, lineOf };
  }

  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path =
        issue.code === 'unrecognized_keys'
          ? [...issue.path, issue.keys[0]]
          : issue.path;
      issues.push({
        line: lineOf(path),
        message: issueMessage(issue),
        level: 'error',
      });
    }
    return { issues, lineOf };
  }
  const frontMatter: FrontMatter = parsed.data;

  const error = (path: Path, message: string) =>
    issues.push({ line: lineOf(path), message, level: 'error' });

  if (frontMatter.id !== options.fileId) {
    error(
      ['id'],
      `id "${frontMatter.id}" must equal the file name without .md ("${options.fileId}")`,
    );
  }

  reportDuplicates(
    frontMatter.services,
    i => ['services', i],
    'service',
    error,
  );
  if (options.knownServices) {
    frontMatter.services.forEach((service, i) => {
      if (!options.knownServices!.has(service)) {
        error(
          ['services', i],
          `service "${service}" is not a catalog Component (known: ${[
            ...options.knownServices!,
          ].join(', ')})`,
        );
      }
    });
  }

  reportDuplicates(frontMatter.roles, i => ['roles', i], 'role', error);
  if (frontMatter.kind === 'scenario') {
    const missing = BASE_DRILL_ROLES.filter(
      role => !frontMatter.roles.includes(role),
    );
    if (missing.length > 0) {
      error(
        ['roles'],
        `a scenario's roles include ${BASE_DRILL_ROLES.join(
          ', ',
        )}; missing: ${missing.join(', ')}`,
      );
    }
  }

  reportDuplicates(
    frontMatter.checkpoints.map(c => c.id),
    i => ['checkpoints', i, 'id'],
    'checkpoint id',
    error,
  );
  frontMatter.checkpoints.forEach((checkpoint, i) => {
    if (i === 0) return;
    const before = frontMatter.checkpoints[i - 1];
    if (checkpoint.targetMinutes < before.targetMinutes) {
      error(
        ['checkpoints', i, 'targetMinutes'],
        `checkpoint "${checkpoint.id}" targets ${checkpoint.targetMinutes} min, before "${before.id}" (${before.targetMinutes} min): list checkpoints in order of their targets`,
      );
    }
    if (
      RUNBOOK_PHASES.indexOf(checkpoint.phase) <
      RUNBOOK_PHASES.indexOf(before.phase)
    ) {
      error(
        ['checkpoints', i, 'phase'],
        `checkpoint "${checkpoint.id}" is in phase ${checkpoint.phase}, before "${before.id}" in ${before.phase}: list checkpoints in phase order`,
      );
    }
  });

  return { frontMatter, issues, lineOf };
}

function reportDuplicates(
  values: string[],
  pathOf: (index: number) => Path,
  what: string,
  error: (path: Path, message: string) => void,
) {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (seen.has(value)) {
      error(pathOf(i), `${what} "${value}" is used twice`);
    } else {
      seen.set(value, i);
    }
  });
}

/**
 * The line of the node at `path`; of a key when the path ends at one that
 * the map holds but whose value is missing; else of the nearest ancestor
 * that exists; the first line of the front matter at worst.
 */
function nodeLine(
  doc: Document,
  path: Path,
  toFileLine: (offset: number) => number,
  firstLine: number,
): number {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const node = length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (isNode(node) && node.range) {
      return toFileLine(node.range[0]);
    }
    // A key with a null value (`severity:`): the key's own line.
    if (length > 0) {
      const parent =
        length === 1
          ? doc.contents
          : doc.getIn(path.slice(0, length - 1), true);
      if (isMap(parent)) {
        const key = path[length - 1];
        const pair = parent.items.find(
          item => isPair(item) && isScalar(item.key) && item.key.value === key,
        );
        if (pair && isScalar(pair.key) && pair.key.range) {
          return toFileLine(pair.key.range[0]);
        }
      }
    }
  }
  return firstLine;
}
