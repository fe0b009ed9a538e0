import { pageQuerySchema } from '@internal/plugin-ops-node';
import { z } from 'zod';
import {
  MIN_REASON_LENGTH,
  OVERRIDE_KINDS,
  PARTICIPANT_ROLES,
  RUN_STATES,
} from './types';

const ENTITY_REF =
  // eslint-disable-next-line no-control-regex
  /^([a-z0-9][a-z0-9_.-]*):(?:([^/:\s\u0000-\u001f]+)\/)?([^/:\s\u0000-\u001f]+)$/i;

/**
 * An entity ref in its full, lower-case form: `kind:namespace/name`, the
 * namespace `default` when left out. Participation is compared on this
 * form, so `User:Jane` and `user:default/jane` are one person.
 */
export function normalizeEntityRef(ref: string): string {
  const match = ENTITY_REF.exec(ref.trim());
  if (!match) throw new TypeError(`Not an entity ref: ${ref}`);
  const [, kind, namespace, name] = match;
  return `${kind}:${namespace ?? 'default'}/${name}`.toLocaleLowerCase('en-US');
}

export const entityRefSchema = z
  .string()
  .max(255)
  .regex(ENTITY_REF, 'an entity ref such as user:default/jane')
  .transform(normalizeEntityRef);

const id = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, dot, dash, underscore',
  );

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Text people write: no control characters but tab and line breaks (PostgreSQL refuses NUL). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(value => !CONTROL_CHARACTERS.test(value), 'control characters');

const phase = z.string().trim().min(1).max(64);

export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine(value => {
    const date = new Date(`${value}T00:00:00Z`);
    return (
      !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
    );
  }, 'not a date on the calendar');

const reasonSchema = z
  .string()
  .trim()
  .min(MIN_REASON_LENGTH, `at least ${MIN_REASON_LENGTH} characters`)
  .max(2000)
  .refine(value => !CONTROL_CHARACTERS.test(value), 'control characters');

export const participantSchema = z.object({
  entityRef: entityRefSchema,
  role: z.enum(PARTICIPANT_ROLES),
});

/** The scenario a run copies in: unique step and checkpoint ids, at least one step. */
export const scenarioSnapshotSchema = z
  .object({
    id,
    title: text(500),
    checkpoints: z
      .array(
        z.object({
          id,
          title: text(500),
          targetMinutes: z.number().int().positive().max(100_000),
          phase,
        }),
      )
      .max(100),
    phases: z
      .array(
        z.object({
          phase,
          steps: z.array(z.object({ id, text: text(10_000) })),
        }),
      )
      .max(20),
  })
  .superRefine((scenario, ctx) => {
    const steps = scenario.phases.flatMap(p => p.steps.map(s => s.id));
    if (steps.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['phases'], message: 'no steps' });
    }
    if (steps.length > 500) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        message: 'more than 500 steps',
      });
    }
    const duplicate = (ids: string[]) =>
      ids.find((value, i) => ids.indexOf(value) !== i);
    const step = duplicate(steps);
    if (step) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        message: `step id ${step} appears twice`,
      });
    }
    const checkpoint = duplicate(scenario.checkpoints.map(c => c.id));
    if (checkpoint) {
      ctx.addIssue({
        code: 'custom',
        path: ['checkpoints'],
        message: `checkpoint id ${checkpoint} appears twice`,
      });
    }
  });

export const startRunInputSchema = z.object({
  scenario: scenarioSnapshotSchema,
  lead: entityRefSchema,
  participants: z.array(participantSchema).max(100).default([]),
  calendarMonth: monthSchema.nullish(),
  startedBy: entityRefSchema,
});

/** `PUT /runs/:id/steps/:stepId` */
export const setStepBodySchema = z
  .object({
    checked: z.boolean(),
    /** The version the caller last saw. */
    expectedVersion: z.number().int().min(0).max(2_147_483_647),
  })
  .strict();

export const noteBodySchema = z.object({ text: text(10_000) }).strict();

export const actionItemBodySchema = z
  .object({
    title: text(500),
    owner: entityRefSchema,
    dueDate: dateSchema.nullish(),
  })
  .strict();

export const attachmentMetadataSchema = z.object({
  blobKey: z.string().min(1).max(255),
  fileName: z.string().trim().min(1).max(255),
  mediaType: z.string().min(1).max(255),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case SHA-256 in hex'),
});

export const abortBodySchema = z.object({ reason: reasonSchema }).strict();

export const overrideBodySchema = z
  .object({
    month: monthSchema,
    kind: z.enum(OVERRIDE_KINDS),
    scenarioId: id.nullish(),
    date: dateSchema.nullish(),
    reason: reasonSchema,
  })
  .strict()
  .superRefine((override, ctx) => {
    if (override.kind === 'swap' && !override.scenarioId) {
      ctx.addIssue({
        code: 'custom',
        path: ['scenarioId'],
        message: 'a swap names the scenario run instead',
      });
    }
    if (override.kind !== 'swap' && override.scenarioId) {
      ctx.addIssue({
        code: 'custom',
        path: ['scenarioId'],
        message: `a ${override.kind} names no scenario`,
      });
    }
    if (override.kind === 'reschedule') {
      if (!override.date) {
        ctx.addIssue({
          code: 'custom',
          path: ['date'],
          message: 'a reschedule names the new date',
        });
      } else if (!override.date.startsWith(`${override.month}-`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['date'],
          message: `the new date must be in ${override.month}`,
        });
      }
    } else if (override.date) {
      ctx.addIssue({
        code: 'custom',
        path: ['date'],
        message: `a ${override.kind} names no date`,
      });
    }
  });

const isoTime = z
  .string()
  .datetime({ offset: true })
  .transform(value => new Date(value));

/** `GET /runs` query: the filters and the page. */
export const runListQuerySchema = pageQuerySchema.extend({
  state: z.enum(RUN_STATES).optional(),
  scenarioId: id.optional(),
  finishedAfter: isoTime.optional(),
  finishedBefore: isoTime.optional(),
});

/** `GET /calendar/overrides` query. */
export const overrideListQuerySchema = z.object({
  fromMonth: monthSchema.optional(),
  toMonth: monthSchema.optional(),
});
