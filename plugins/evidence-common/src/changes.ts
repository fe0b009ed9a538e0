import { z } from 'zod';

/** How a rollback was done: the scaffolder's `ops:rollback:*` actions. */
export const CHANGE_STRATEGIES = ['kubernetes', 'image', 'git-revert'] as const;
export type ChangeStrategy = (typeof CHANGE_STRATEGIES)[number];

const plain = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const isoTime = z.string().datetime({ offset: true });

const webUrl = z
  .string()
  .max(2000)
  .url()
  .refine(u => /^https?:\/\//i.test(u), 'must be an http(s) URL');

/**
 * Plain facts about a state (revision, images, commit SHA, cluster): at most
 * 20 named values, each a short text, a number or a short list of texts.
 */
const facts = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z][\w.-]{0,63}$/, 'a fact name: letters, digits, _ . -'),
    z.union([
      plain(0, 500),
      z.number().finite(),
      z.array(plain(0, 500)).max(50),
    ]),
  )
  .refine(r => Object.keys(r).length <= 20, 'at most 20 facts');

/**
 * The body of `POST /api/evidence/changes`: one change (today a rollback run
 * from the portal) to keep as change-management evidence (CC8.1). `key` makes
 * delivery idempotent; `performedBy` is the person who ran it, while the
 * caller (a service delivering it later) is recorded apart.
 */
export const changeRecordRequestSchema = z
  .object({
    key: z
      .string()
      .regex(/^[\w.:-]{1,150}$/, '1 to 150 of letters, digits, _ . : -'),
    kind: z.literal('rollback'),
    strategy: z.enum(CHANGE_STRATEGIES),
    entityRef: z
      .string()
      .max(255)
      .regex(
        /^[A-Za-z][\w-]*:[\w.-]+\/[\w.-]+$/,
        'a full entity ref, kind:namespace/name',
      ),
    performedBy: z
      .string()
      .max(255)
      .regex(
        /^user:[\w.-]+\/[\w.@-]+$/,
        'a user entity ref, user:namespace/name',
      ),
    startedAt: isoTime,
    finishedAt: isoTime,
    reason: plain(1, 1000),
    incidentUrl: webUrl.optional(),
    before: facts.refine(r => Object.keys(r).length > 0, 'at least one fact'),
    after: facts.refine(r => Object.keys(r).length > 0, 'at least one fact'),
    details: facts.optional(),
    taskUrl: webUrl.optional(),
  })
  .strict()
  .refine(c => Date.parse(c.startedAt) <= Date.parse(c.finishedAt), {
    message: 'the change finishes before it starts',
    path: ['finishedAt'],
  });

export type ChangeRecordRequest = z.input<typeof changeRecordRequestSchema>;

/** The file a change is kept in, found again by it: `change-<key>.json`. */
export function changeEvidenceFileName(key: string): string {
  return `change-${key.replace(/[^\w.-]/g, '_')}.json`;
}
