import {
  Entity,
  RELATION_CHILD_OF,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  RELATION_PARENT_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** A catalog User with the groups it belongs to. */
export interface OrgUser {
  ref: string;
  displayName?: string;
  /** Groups naming the user (its `spec.memberOf`, their `spec.members`, the relations). */
  directGroups: string[];
  /** Ancestors of the direct groups (through `spec.parent`), not direct themselves. */
  inheritedGroups: string[];
  /** Memberships naming a Group the catalog does not hold. */
  unresolvedGroups: string[];
}

/** A catalog Group with its place in the tree and its members. */
export interface OrgGroup {
  ref: string;
  displayName?: string;
  parents: string[];
  /** Every group above it, nearest first; a cycle is cut where it closes. */
  ancestors: string[];
  /** Users that are direct members. */
  members: string[];
  /** Members named by the group that are not Users in the catalog. */
  unresolvedMembers: string[];
}

/** An entity that should have an owner, and the owner it names. */
export interface OwnedEntity {
  ref: string;
  /** The owner ref as read (normalised), or null when none is named. */
  owner: string | null;
  /** Whether the owner is a Group or User in the catalog. */
  ownerResolved: boolean;
}

export interface Org {
  users: OrgUser[];
  groups: OrgGroup[];
  entities: OwnedEntity[];
}

/** Kinds that are not expected to name an owner. */
const OWNERLESS_KINDS = new Set(['user', 'group', 'location']);

/** Entity refs compare case-insensitively; this is the form kept everywhere. */
export function normalizeRef(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

function refOf(entity: Entity): string {
  return normalizeRef(stringifyEntityRef(entity));
}

/** Parses a (possibly short) ref as the catalog would; undefined when it cannot. */
function resolveRef(
  value: unknown,
  defaultKind: string,
  defaultNamespace: string,
): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return normalizeRef(
      stringifyEntityRef(
        parseEntityRef(value.trim(), { defaultKind, defaultNamespace }),
      ),
    );
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string');
}

function relationTargets(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type && typeof r.targetRef === 'string')
    .map(r => normalizeRef(r.targetRef));
}

function displayNameOf(entity: Entity): string | undefined {
  const profile = (entity.spec as { profile?: { displayName?: unknown } })
    ?.profile;
  return typeof profile?.displayName === 'string'
    ? profile.displayName
    : undefined;
}

const kindOf = (entity: Entity) => entity.kind.toLocaleLowerCase('en-US');
const namespaceOf = (entity: Entity) => entity.metadata.namespace ?? 'default';
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * Users, groups, memberships and owners as the catalog states them, from
 * the entities' specs and the relations the catalog derived: a membership
 * counts whether the user names the group (`spec.memberOf`) or the group
 * names the user (`spec.members`); parents come from `spec.parent`,
 * `spec.children` and the parent/child relations.
 */
export function readOrg(entities: Entity[]): Org {
  const users = entities.filter(e => kindOf(e) === 'user');
  const groups = entities.filter(e => kindOf(e) === 'group');
  const userRefs = new Set(users.map(refOf));
  const groupRefs = new Set(groups.map(refOf));

  // user -> groups named, whether they exist or not
  const memberships = new Map<string, Set<string>>();
  const unresolvedMembers = new Map<string, Set<string>>();
  const addMembership = (user: string, group: string) => {
    if (!memberships.has(user)) memberships.set(user, new Set());
    memberships.get(user)!.add(group);
  };
  const parents = new Map<string, Set<string>>();
  const addParent = (child: string, parent: string) => {
    if (child === parent) return;
    if (!parents.has(child)) parents.set(child, new Set());
    parents.get(child)!.add(parent);
  };

  for (const user of users) {
    const ref = refOf(user);
    const named = [
      ...strings((user.spec as { memberOf?: unknown })?.memberOf).map(v =>
        resolveRef(v, 'group', namespaceOf(user)),
      ),
      ...relationTargets(user, RELATION_MEMBER_OF),
    ];
    for (const group of named) if (group) addMembership(ref, group);
  }
  for (const group of groups) {
    const ref = refOf(group);
    const spec = (group.spec ?? {}) as {
      members?: unknown;
      parent?: unknown;
      children?: unknown;
    };
    const members = [
      ...strings(spec.members).map(v =>
        resolveRef(v, 'user', namespaceOf(group)),
      ),
      ...relationTargets(group, RELATION_HAS_MEMBER),
    ];
    for (const member of members) {
      if (!member) continue;
      if (userRefs.has(member)) addMembership(member, ref);
      else {
        if (!unresolvedMembers.has(ref)) unresolvedMembers.set(ref, new Set());
        unresolvedMembers.get(ref)!.add(member);
      }
    }
    const parent = resolveRef(spec.parent, 'group', namespaceOf(group));
    if (parent) addParent(ref, parent);
    for (const p of relationTargets(group, RELATION_CHILD_OF))
      addParent(ref, p);
    const children = [
      ...strings(spec.children).map(v =>
        resolveRef(v, 'group', namespaceOf(group)),
      ),
      ...relationTargets(group, RELATION_PARENT_OF),
    ];
    for (const child of children) if (child) addParent(child, ref);
  }

  const ancestorsOf = (group: string): string[] => {
    const seen = new Set<string>([group]);
    const order: string[] = [];
    let frontier = [group];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const g of frontier) {
        for (const p of sorted(parents.get(g) ?? [])) {
          if (seen.has(p) || !groupRefs.has(p)) continue;
          seen.add(p);
          order.push(p);
          next.push(p);
        }
      }
      frontier = next;
    }
    return order;
  };

  const orgGroups: OrgGroup[] = groups
    .map(group => {
      const ref = refOf(group);
      return {
        ref,
        displayName: displayNameOf(group),
        parents: sorted(
          [...(parents.get(ref) ?? [])].filter(p => groupRefs.has(p)),
        ),
        ancestors: ancestorsOf(ref),
        members: sorted(
          [...memberships]
            .filter(([, named]) => named.has(ref))
            .map(([user]) => user),
        ),
        unresolvedMembers: sorted(unresolvedMembers.get(ref) ?? []),
      };
    })
    .sort((a, b) => a.ref.localeCompare(b.ref));
  const groupsByRef = new Map(orgGroups.map(g => [g.ref, g]));

  const orgUsers: OrgUser[] = users
    .map(user => {
      const ref = refOf(user);
      const named = [...(memberships.get(ref) ?? [])];
      const direct = sorted(named.filter(g => groupRefs.has(g)));
      const inherited = sorted(
        direct.flatMap(g => groupsByRef.get(g)?.ancestors ?? []),
      ).filter(g => !direct.includes(g));
      return {
        ref,
        displayName: displayNameOf(user),
        directGroups: direct,
        inheritedGroups: inherited,
        unresolvedGroups: sorted(named.filter(g => !groupRefs.has(g))),
      };
    })
    .sort((a, b) => a.ref.localeCompare(b.ref));

  const orgEntities: OwnedEntity[] = entities
    .filter(e => !OWNERLESS_KINDS.has(kindOf(e)))
    .map(entity => {
      const stated = (entity.spec as { owner?: unknown } | undefined)?.owner;
      // A stated owner that does not parse is kept as written: unresolved.
      const owner =
        resolveRef(stated, 'group', namespaceOf(entity)) ??
        (typeof stated === 'string' && stated.trim() !== ''
          ? stated.trim()
          : relationTargets(entity, RELATION_OWNED_BY)[0] ?? null);
      return {
        ref: refOf(entity),
        owner,
        ownerResolved:
          owner !== null && (groupRefs.has(owner) || userRefs.has(owner)),
      };
    })
    .sort((a, b) => a.ref.localeCompare(b.ref));

  return { users: orgUsers, groups: orgGroups, entities: orgEntities };
}
