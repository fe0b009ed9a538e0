import type { Entity } from '@backstage/catalog-model';
import type { Permission } from '@backstage/plugin-permission-common';
import { CADENCE_DAYS, EVIDENCE_TYPES } from '@internal/plugin-evidence-common';
import type {
  CollectorContext,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import { z } from 'zod';
import { AccessReview, DecideFn, buildAccessReview } from './review';

export const ACCESS_REVIEW_TYPE = 'access-review';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AccessReviewCollectorOptions {
  /** Catalog Users, Groups and the entities that should have owners. */
  loadEntities(): Promise<Entity[]>;
  /** Every ops permission to review. */
  permissions: Permission[];
  /** The portal's permission policy, asked for one permission and principal. */
  decide: DecideFn;
  /**
   * Count a group's ancestors (`spec.parent`, transitively) as the groups of
   * its members when asking `decide` (default true). Set false when the
   * policy grants by direct membership only.
   */
  includeAncestorGroups?: boolean;
  /** Decisions asked at once (default 8). */
  concurrency?: number;
}

/** The parts of a previous review the comparison reads. */
const previousReviewSchema = z.object({
  schemaVersion: z.literal(1),
  reviewedAt: z.string(),
  users: z.array(
    z.object({
      ref: z.string(),
      groups: z.object({ direct: z.array(z.string()) }),
      access: z.record(z.enum(['ALLOW', 'CONDITIONAL'])),
    }),
  ),
});

async function readPrevious(
  ctx: CollectorContext,
): Promise<{ collectedAt: Date; review?: AccessReview } | undefined> {
  const previous = await ctx.previous(ACCESS_REVIEW_TYPE);
  if (!previous) return undefined;
  let parsed: z.SafeParseReturnType<unknown, unknown>;
  try {
    parsed = previousReviewSchema.safeParse(
      JSON.parse(previous.content.toString('utf8')),
    );
  } catch {
    parsed = { success: false } as z.SafeParseReturnType<unknown, unknown>;
  }
  if (!parsed.success) {
    ctx.log(
      `The previous access review (${previous.collectedAt.toISOString()}) could not be read; no changes are listed against it`,
    );
    return { collectedAt: previous.collectedAt };
  }
  return {
    collectedAt: previous.collectedAt,
    review: parsed.data as unknown as AccessReview,
  };
}

/**
 * Access review (CC6.1–CC6.3): users, groups, memberships and owners from the
 * catalog; what each group and each user may do, asked of the permission
 * policy for every ops permission; flags for users in no group and entities
 * without an owner the catalog holds; access added or removed since the last
 * review. Files one `access-review.json`.
 */
export function createAccessReviewCollector(
  options: AccessReviewCollectorOptions,
): EvidenceCollector {
  const { points, cadence } = EVIDENCE_TYPES[ACCESS_REVIEW_TYPE];
  return {
    id: 'access-review',
    title: 'Access review',
    description:
      'Users, groups, memberships and owners from the catalog, with what each group and user may do under the permission policy, and the changes since the last review.',
    points,
    cadence,
    async collect(ctx) {
      const entities = await options.loadEntities();
      ctx.log(`Read ${entities.length} catalog entities`);
      const previous = await readPrevious(ctx);
      ctx.log(
        previous?.review
          ? `Comparing with the review of ${previous.review.reviewedAt}`
          : 'No previous review to compare with',
      );
      const review = await buildAccessReview({
        entities,
        permissions: options.permissions,
        decide: options.decide,
        now: ctx.now,
        previous: previous?.review,
        includeAncestorGroups: options.includeAncestorGroups,
        concurrency: options.concurrency,
        signal: ctx.signal,
      });
      const summary = {
        users: review.users.length,
        groups: review.groups.length,
        usersWithoutGroup: review.flags.usersWithoutGroup.length,
        entitiesWithoutOwner: review.flags.entitiesWithoutOwner.length,
        added: review.changes
          ? review.changes.access.added.length +
            review.changes.memberships.added.length
          : 0,
        removed: review.changes
          ? review.changes.access.removed.length +
            review.changes.memberships.removed.length
          : 0,
      };
      ctx.log(
        `Reviewed ${summary.users} users and ${summary.groups} groups against ${review.permissions.length} permissions: ` +
          `${summary.usersWithoutGroup} users in no group, ${summary.entitiesWithoutOwner} entities without a resolvable owner, ` +
          `${summary.added} grants added and ${summary.removed} removed since the last review`,
      );
      const start =
        previous?.collectedAt ??
        new Date(ctx.now.getTime() - CADENCE_DAYS[cadence] * DAY_MS);
      return [
        {
          type: ACCESS_REVIEW_TYPE,
          title: `Access review of ${ctx.now.toISOString().slice(0, 10)}`,
          points,
          period: { start, end: ctx.now },
          fileName: 'access-review.json',
          mediaType: 'application/json',
          content: `${JSON.stringify(review, null, 2)}\n`,
          summary,
        },
      ];
    },
  };
}
