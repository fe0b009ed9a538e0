import type { Entity } from '@backstage/catalog-model';
import type { Permission } from '@backstage/plugin-permission-common';
import { readOrg } from './org';

/** What the permission policy answers for one permission and principal. */
export type AccessDecision = 'ALLOW' | 'DENY' | 'CONDITIONAL';

/** Who is asking: a user and the refs it owns through (itself, its groups). */
export interface AccessPrincipal {
  userEntityRef: string;
  ownershipEntityRefs: string[];
}

/** Asks the portal's permission policy for one decision. */
export type DecideFn = (
  permission: Permission,
  principal: AccessPrincipal,
) => Promise<AccessDecision>;

/** Access other than DENY, by permission name (DENY is everything not listed). */
export type AccessMap = Record<string, 'ALLOW' | 'CONDITIONAL'>;

/**
 * The user ref asked about when reviewing a group: a member of the group with
 * no other membership. Its namespace keeps it apart from real users.
 */
export const GROUP_PROBE_USER_REF = 'user:evidence-access-review/group-member';

export interface AccessChange {
  user: string;
  permission: string;
  /** DENY where the user had no access (or did not exist). */
  from: AccessDecision;
  to: AccessDecision;
}

export interface MembershipChange {
  user: string;
  group: string;
}

/** What changed since the previous review. */
export interface AccessReviewDiff {
  previousReviewedAt: string;
  /** Access that grew (DENY → CONDITIONAL → ALLOW) or shrank. */
  access: { added: AccessChange[]; removed: AccessChange[] };
  /** Direct group memberships. */
  memberships: { added: MembershipChange[]; removed: MembershipChange[] };
  users: { added: string[]; removed: string[] };
}

/** The review as filed (`access-review.json`). */
export interface AccessReview {
  schemaVersion: 1;
  reviewedAt: string;
  /** Whether a group's ancestors' access was counted for its members. */
  includeAncestorGroups: boolean;
  permissions: Array<{
    name: string;
    type: Permission['type'];
    resourceType?: string;
    action?: string;
  }>;
  users: Array<{
    ref: string;
    displayName?: string;
    groups: { direct: string[]; inherited: string[] };
    access: AccessMap;
  }>;
  groups: Array<{
    ref: string;
    displayName?: string;
    parents: string[];
    ancestors: string[];
    members: string[];
    /** What a member of this group (and of nothing else) may do. */
    access: AccessMap;
  }>;
  entities: Array<{ ref: string; owner: string | null }>;
  flags: {
    usersWithoutGroup: string[];
    entitiesWithoutOwner: Array<{
      ref: string;
      owner: string | null;
      reason: 'missing' | 'unresolved';
    }>;
    /** Memberships naming a group or user the catalog does not hold. */
    unresolvedMemberships: Array<{ user: string; group: string }>;
  };
  /** Changes since the previous review; null for the first review. */
  changes: AccessReviewDiff | null;
}

export interface BuildAccessReviewInput {
  entities: Entity[];
  permissions: Permission[];
  decide: DecideFn;
  now: Date;
  /** The previous review, to list what changed since. */
  previous?: AccessReview;
  /** Count a group's ancestors as the member's groups too (default true). */
  includeAncestorGroups?: boolean;
  /** Decisions asked at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
}

const DECISIONS = new Set<string>(['ALLOW', 'DENY', 'CONDITIONAL']);
const LEVEL: Record<AccessDecision, number> = {
  DENY: 0,
  CONDITIONAL: 1,
  ALLOW: 2,
};

/** Runs `task` over `items`, at most `limit` at once, results in order. */
async function mapLimited<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker),
  );
  return results;
}

/**
 * The access review, from catalog entities and the permission policy: users
 * with their groups, groups with members, entities with owners, what each
 * group and each user may do with every given permission, the flags (users in
 * no group, entities without a resolvable owner) and what changed since
 * `previous`. Deterministic for the same inputs and decisions.
 */
export async function buildAccessReview(
  input: BuildAccessReviewInput,
): Promise<AccessReview> {
  const includeAncestors = input.includeAncestorGroups ?? true;
  const permissions = [...input.permissions].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const org = readOrg(input.entities);

  const accessOf = async (principal: AccessPrincipal): Promise<AccessMap> => {
    const decisions = await mapLimited(
      permissions,
      input.concurrency ?? 8,
      async permission => {
        input.signal?.throwIfAborted();
        const decision = await input.decide(permission, principal);
        if (!DECISIONS.has(decision)) {
          throw new Error(
            `The permission policy answered ${JSON.stringify(decision)} for ${
              permission.name
            }; expected ALLOW, DENY or CONDITIONAL`,
          );
        }
        return decision;
      },
    );
    const access: AccessMap = {};
    permissions.forEach((permission, i) => {
      const decision = decisions[i];
      if (decision !== 'DENY') access[permission.name] = decision;
    });
    return access;
  };

  const groups: AccessReview['groups'] = [];
  for (const group of org.groups) {
    const ownership = [
      GROUP_PROBE_USER_REF,
      group.ref,
      ...(includeAncestors ? group.ancestors : []),
    ];
    groups.push({
      ref: group.ref,
      ...(group.displayName ? { displayName: group.displayName } : {}),
      parents: group.parents,
      ancestors: group.ancestors,
      members: group.members,
      access: await accessOf({
        userEntityRef: GROUP_PROBE_USER_REF,
        ownershipEntityRefs: ownership,
      }),
    });
  }

  const users: AccessReview['users'] = [];
  for (const user of org.users) {
    const ownership = [
      user.ref,
      ...user.directGroups,
      ...(includeAncestors ? user.inheritedGroups : []),
    ];
    users.push({
      ref: user.ref,
      ...(user.displayName ? { displayName: user.displayName } : {}),
      groups: { direct: user.directGroups, inherited: user.inheritedGroups },
      access: await accessOf({
        userEntityRef: user.ref,
        ownershipEntityRefs: ownership,
      }),
    });
  }

  const review: AccessReview = {
    schemaVersion: 1,
    reviewedAt: input.now.toISOString(),
    includeAncestorGroups: includeAncestors,
    permissions: permissions.map(p => ({
      name: p.name,
      type: p.type,
      ...(p.type === 'resource' ? { resourceType: p.resourceType } : {}),
      ...(p.attributes.action ? { action: p.attributes.action } : {}),
    })),
    users,
    groups,
    entities: org.entities.map(e => ({ ref: e.ref, owner: e.owner })),
    flags: {
      usersWithoutGroup: org.users
        .filter(u => u.directGroups.length === 0)
        .map(u => u.ref),
      entitiesWithoutOwner: org.entities
        .filter(e => !e.ownerResolved)
        .map(e => ({
          ref: e.ref,
          owner: e.owner,
          reason:
            e.owner === null ? ('missing' as const) : ('unresolved' as const),
        })),
      unresolvedMemberships: [
        ...org.users.flatMap(u =>
          u.unresolvedGroups.map(group => ({ user: u.ref, group })),
        ),
        ...org.groups.flatMap(g =>
          g.unresolvedMembers.map(user => ({ user, group: g.ref })),
        ),
      ].sort(
        (a, b) =>
          a.user.localeCompare(b.user) || a.group.localeCompare(b.group),
      ),
    },
    changes: null,
  };
  if (input.previous) {
    review.changes = diffAccessReviews(input.previous, review);
  }
  return review;
}

const byUserThen =
  <T extends { user: string }>(
    key: keyof T & string,
  ): ((a: T, b: T) => number) =>
  (a, b) =>
    a.user.localeCompare(b.user) ||
    String(a[key]).localeCompare(String(b[key]));

/**
 * What changed from `prev` to `next`: per user and permission, access that
 * grew or shrank; direct memberships added or removed; users added or
 * removed. A user that appears or disappears counts from or to DENY.
 */
export function diffAccessReviews(
  prev: Pick<AccessReview, 'reviewedAt' | 'users'>,
  next: Pick<AccessReview, 'users'>,
): AccessReviewDiff {
  const before = new Map(prev.users.map(u => [u.ref, u]));
  const after = new Map(next.users.map(u => [u.ref, u]));
  const refs = [...new Set([...before.keys(), ...after.keys()])].sort();

  const added: AccessChange[] = [];
  const removed: AccessChange[] = [];
  const membershipsAdded: MembershipChange[] = [];
  const membershipsRemoved: MembershipChange[] = [];
  for (const user of refs) {
    const was = before.get(user);
    const is = after.get(user);
    const permissions = new Set([
      ...Object.keys(was?.access ?? {}),
      ...Object.keys(is?.access ?? {}),
    ]);
    for (const permission of [...permissions].sort()) {
      const from: AccessDecision = was?.access[permission] ?? 'DENY';
      const to: AccessDecision = is?.access[permission] ?? 'DENY';
      if (LEVEL[to] > LEVEL[from]) added.push({ user, permission, from, to });
      if (LEVEL[to] < LEVEL[from]) removed.push({ user, permission, from, to });
    }
    const groupsBefore = new Set(was?.groups.direct ?? []);
    const groupsAfter = new Set(is?.groups.direct ?? []);
    for (const group of groupsAfter) {
      if (!groupsBefore.has(group)) membershipsAdded.push({ user, group });
    }
    for (const group of groupsBefore) {
      if (!groupsAfter.has(group)) membershipsRemoved.push({ user, group });
    }
  }
  return {
    previousReviewedAt: prev.reviewedAt,
    access: { added, removed },
    memberships: {
      added: membershipsAdded.sort(byUserThen('group')),
      removed: membershipsRemoved.sort(byUserThen('group')),
    },
    users: {
      added: refs.filter(r => !before.has(r) && after.has(r)),
      removed: refs.filter(r => before.has(r) && !after.has(r)),
    },
  };
}
