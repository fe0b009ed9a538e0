import type { Entity } from '@backstage/catalog-model';
import {
  Permission,
  createPermission,
} from '@backstage/plugin-permission-common';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import {
  AccessPrincipal,
  AccessReview,
  DecideFn,
  GROUP_PROBE_USER_REF,
  buildAccessReview,
  createAccessReviewCollector,
  diffAccessReviews,
} from '.';

const read = createPermission({
  name: 'ops.thing.read',
  attributes: { action: 'read' },
});
const write = createPermission({
  name: 'ops.thing.create',
  attributes: { action: 'create' },
});
const admin = createPermission({
  name: 'ops.admin',
  attributes: { action: 'update' },
});
const approve = createPermission({
  name: 'ops.thing.approve',
  attributes: { action: 'update' },
  resourceType: 'ops-thing',
});
const permissions: Permission[] = [write, read, approve, admin];

/** A simple group policy: read for all, write for engineering, admin for compliance, conditional approve under org. */
const calls: AccessPrincipal[] = [];
const decide: DecideFn = async (permission, principal) => {
  calls.push(principal);
  const has = (group: string) =>
    principal.ownershipEntityRefs.includes(`group:default/${group}`);
  switch (permission.name) {
    case read.name:
      return 'ALLOW';
    case write.name:
      return has('engineering') ? 'ALLOW' : 'DENY';
    case admin.name:
      return has('compliance') ? 'ALLOW' : 'DENY';
    case approve.name:
      return has('org') ? 'CONDITIONAL' : 'DENY';
    default:
      return 'DENY';
  }
};

const group = (name: string, spec: Record<string, unknown> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...spec },
});
const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec: { profile: { displayName: name.toUpperCase() }, memberOf },
});
const owned = (kind: string, name: string, owner?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', ...(owner ? { owner } : {}) },
});

/** The org now: carol joined compliance (named by the group), dan left it, frank left the company. */
const orgNow = (): Entity[] => [
  group('org'),
  group('engineering', { parent: 'org' }),
  group('platform', { parent: 'group:default/engineering' }),
  group('compliance', { members: ['carol'] }),
  user('alice', ['engineering']),
  user('bob', ['platform']),
  user('carol', []),
  user('dan', []),
  user('erin', ['ghosts']),
  owned('Component', 'api', 'engineering'),
  owned('Component', 'web', 'user:default/alice'),
  owned('Component', 'orphan'),
  owned('Resource', 'db', 'group:default/ghosts'),
  owned('System', 'shop', 'org'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Location',
    metadata: { name: 'somewhere' },
    spec: { targets: [] },
  },
];

/** The org at the last review. */
const orgBefore = (): Entity[] => [
  group('org'),
  group('engineering', { parent: 'org' }),
  group('platform', { parent: 'group:default/engineering' }),
  group('compliance'),
  user('alice', ['engineering']),
  user('bob', ['platform']),
  user('dan', ['compliance']),
  user('erin', ['ghosts']),
  user('frank', ['engineering']),
];

const NOW = new Date('2026-12-03T10:00:00Z');
const BEFORE = new Date('2026-09-01T10:00:00Z');

describe('buildAccessReview', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it('lists users with direct and inherited groups, groups with members, and what each may do', async () => {
    const review = await buildAccessReview({
      entities: orgNow(),
      permissions,
      decide,
      now: NOW,
    });
    expect(review.users).toEqual([
      {
        ref: 'user:default/alice',
        displayName: 'ALICE',
        groups: {
          direct: ['group:default/engineering'],
          inherited: ['group:default/org'],
        },
        access: {
          'ops.thing.approve': 'CONDITIONAL',
          'ops.thing.create': 'ALLOW',
          'ops.thing.read': 'ALLOW',
        },
      },
      {
        ref: 'user:default/bob',
        displayName: 'BOB',
        groups: {
          direct: ['group:default/platform'],
          inherited: ['group:default/engineering', 'group:default/org'],
        },
        access: {
          'ops.thing.approve': 'CONDITIONAL',
          'ops.thing.create': 'ALLOW',
          'ops.thing.read': 'ALLOW',
        },
      },
      {
        ref: 'user:default/carol',
        displayName: 'CAROL',
        groups: { direct: ['group:default/compliance'], inherited: [] },
        access: { 'ops.admin': 'ALLOW', 'ops.thing.read': 'ALLOW' },
      },
      {
        ref: 'user:default/dan',
        displayName: 'DAN',
        groups: { direct: [], inherited: [] },
        access: { 'ops.thing.read': 'ALLOW' },
      },
      {
        ref: 'user:default/erin',
        displayName: 'ERIN',
        groups: { direct: [], inherited: [] },
        access: { 'ops.thing.read': 'ALLOW' },
      },
    ]);
    expect(
      review.groups.map(g => ({
        ref: g.ref,
        ancestors: g.ancestors,
        members: g.members,
        access: g.access,
      })),
    ).toEqual([
      {
        ref: 'group:default/compliance',
        ancestors: [],
        members: ['user:default/carol'],
        access: { 'ops.admin': 'ALLOW', 'ops.thing.read': 'ALLOW' },
      },
      {
        ref: 'group:default/engineering',
        ancestors: ['group:default/org'],
        members: ['user:default/alice'],
        access: {
          'ops.thing.approve': 'CONDITIONAL',
          'ops.thing.create': 'ALLOW',
          'ops.thing.read': 'ALLOW',
        },
      },
      {
        ref: 'group:default/org',
        ancestors: [],
        members: [],
        access: {
          'ops.thing.approve': 'CONDITIONAL',
          'ops.thing.read': 'ALLOW',
        },
      },
      {
        ref: 'group:default/platform',
        ancestors: ['group:default/engineering', 'group:default/org'],
        members: ['user:default/bob'],
        access: {
          'ops.thing.approve': 'CONDITIONAL',
          'ops.thing.create': 'ALLOW',
          'ops.thing.read': 'ALLOW',
        },
      },
    ]);
    // A group is asked about as a probe member owning the group and its ancestors.
    expect(calls).toContainEqual({
      userEntityRef: GROUP_PROBE_USER_REF,
      ownershipEntityRefs: [
        GROUP_PROBE_USER_REF,
        'group:default/platform',
        'group:default/engineering',
        'group:default/org',
      ],
    });
    expect(calls).toContainEqual({
      userEntityRef: 'user:default/bob',
      ownershipEntityRefs: [
        'user:default/bob',
        'group:default/platform',
        'group:default/engineering',
        'group:default/org',
      ],
    });
    expect(review.permissions.map(p => p.name)).toEqual([
      'ops.admin',
      'ops.thing.approve',
      'ops.thing.create',
      'ops.thing.read',
    ]);
    expect(review.permissions[1]).toEqual({
      name: 'ops.thing.approve',
      type: 'resource',
      resourceType: 'ops-thing',
      action: 'update',
    });
    expect(review.changes).toBeNull();
  });

  it('flags users in no group and entities whose owner is missing or not in the catalog', async () => {
    const review = await buildAccessReview({
      entities: orgNow(),
      permissions,
      decide,
      now: NOW,
    });
    expect(review.flags).toEqual({
      usersWithoutGroup: ['user:default/dan', 'user:default/erin'],
      entitiesWithoutOwner: [
        { ref: 'component:default/orphan', owner: null, reason: 'missing' },
        {
          ref: 'resource:default/db',
          owner: 'group:default/ghosts',
          reason: 'unresolved',
        },
      ],
      unresolvedMemberships: [
        { user: 'user:default/erin', group: 'group:default/ghosts' },
      ],
    });
    expect(review.entities).toEqual([
      { ref: 'component:default/api', owner: 'group:default/engineering' },
      { ref: 'component:default/orphan', owner: null },
      { ref: 'component:default/web', owner: 'user:default/alice' },
      { ref: 'resource:default/db', owner: 'group:default/ghosts' },
      { ref: 'system:default/shop', owner: 'group:default/org' },
    ]);
  });

  it('counts only direct groups when ancestors are not inherited', async () => {
    const review = await buildAccessReview({
      entities: orgNow(),
      permissions,
      decide,
      now: NOW,
      includeAncestorGroups: false,
    });
    const bob = review.users.find(u => u.ref === 'user:default/bob')!;
    expect(bob.access).toEqual({ 'ops.thing.read': 'ALLOW' });
    expect(review.includeAncestorGroups).toBe(false);
  });

  it('refuses a decision that is not ALLOW, DENY or CONDITIONAL', async () => {
    await expect(
      buildAccessReview({
        entities: orgNow(),
        permissions,
        decide: async () => 'MAYBE' as never,
        now: NOW,
      }),
    ).rejects.toThrow(/answered "MAYBE" for ops\./);
  });

  it('reads memberships from catalog relations and survives a parent cycle', async () => {
    const a = group('a', { parent: 'b' });
    const b = group('b', { parent: 'a' });
    const u: Entity = {
      ...user('zed', []),
      relations: [{ type: 'memberOf', targetRef: 'group:default/a' }],
    };
    const review = await buildAccessReview({
      entities: [a, b, u],
      permissions: [read],
      decide,
      now: NOW,
    });
    expect(review.users[0].groups).toEqual({
      direct: ['group:default/a'],
      inherited: ['group:default/b'],
    });
    expect(review.groups.map(g => g.ancestors)).toEqual([
      ['group:default/b'],
      ['group:default/a'],
    ]);
  });
});

describe('diffAccessReviews', () => {
  it('lists access and memberships added and removed since the previous review', async () => {
    const prev = await buildAccessReview({
      entities: orgBefore(),
      permissions,
      decide,
      now: BEFORE,
    });
    const next = await buildAccessReview({
      entities: orgNow(),
      permissions,
      decide,
      now: NOW,
    });
    expect(diffAccessReviews(prev, next)).toEqual({
      previousReviewedAt: BEFORE.toISOString(),
      access: {
        added: [
          {
            user: 'user:default/carol',
            permission: 'ops.admin',
            from: 'DENY',
            to: 'ALLOW',
          },
          {
            user: 'user:default/carol',
            permission: 'ops.thing.read',
            from: 'DENY',
            to: 'ALLOW',
          },
        ],
        removed: [
          {
            user: 'user:default/dan',
            permission: 'ops.admin',
            from: 'ALLOW',
            to: 'DENY',
          },
          {
            user: 'user:default/frank',
            permission: 'ops.thing.approve',
            from: 'CONDITIONAL',
            to: 'DENY',
          },
          {
            user: 'user:default/frank',
            permission: 'ops.thing.create',
            from: 'ALLOW',
            to: 'DENY',
          },
          {
            user: 'user:default/frank',
            permission: 'ops.thing.read',
            from: 'ALLOW',
            to: 'DENY',
          },
        ],
      },
      memberships: {
        added: [
          { user: 'user:default/carol', group: 'group:default/compliance' },
        ],
        removed: [
          { user: 'user:default/dan', group: 'group:default/compliance' },
          { user: 'user:default/frank', group: 'group:default/engineering' },
        ],
      },
      users: { added: ['user:default/carol'], removed: ['user:default/frank'] },
    });
  });

  it('counts CONDITIONAL to ALLOW as added and ALLOW to CONDITIONAL as removed', () => {
    const review = (access: AccessReview['users'][0]['access']) => ({
      reviewedAt: BEFORE.toISOString(),
      users: [
        {
          ref: 'user:default/x',
          groups: { direct: ['group:default/g'], inherited: [] },
          access,
        },
      ],
    });
    const diff = diffAccessReviews(
      review({ p: 'CONDITIONAL', q: 'ALLOW' }),
      review({ p: 'ALLOW', q: 'CONDITIONAL' }),
    );
    expect(diff.access).toEqual({
      added: [
        {
          user: 'user:default/x',
          permission: 'p',
          from: 'CONDITIONAL',
          to: 'ALLOW',
        },
      ],
      removed: [
        {
          user: 'user:default/x',
          permission: 'q',
          from: 'ALLOW',
          to: 'CONDITIONAL',
        },
      ],
    });
    expect(diff.memberships).toEqual({ added: [], removed: [] });
    expect(diff.users).toEqual({ added: [], removed: [] });
  });
});

function context(previous?: {
  collectedAt: Date;
  content: Buffer;
}): CollectorContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now: NOW,
    previous: async type => (type === 'access-review' ? previous : undefined),
  };
}

describe('createAccessReviewCollector', () => {
  it('files one access-review.json with the summary and the changes since the last review', async () => {
    const prev = await buildAccessReview({
      entities: orgBefore(),
      permissions,
      decide,
      now: BEFORE,
    });
    const collector = createAccessReviewCollector({
      loadEntities: async () => orgNow(),
      permissions,
      decide,
    });
    expect(collector).toMatchObject({
      id: 'access-review',
      cadence: 'quarterly',
      points: ['CC6.1', 'CC6.2', 'CC6.3'],
    });
    const ctx = context({
      collectedAt: BEFORE,
      content: Buffer.from(JSON.stringify(prev)),
    });
    const [item, ...rest] = await collector.collect(ctx);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      type: 'access-review',
      fileName: 'access-review.json',
      mediaType: 'application/json',
      period: { start: BEFORE, end: NOW },
      summary: {
        users: 5,
        groups: 4,
        usersWithoutGroup: 2,
        entitiesWithoutOwner: 2,
        added: 3,
        removed: 6,
      },
    });
    const filed: AccessReview = JSON.parse(String(item.content));
    expect(filed.changes?.previousReviewedAt).toBe(BEFORE.toISOString());
    expect(filed.changes?.users).toEqual({
      added: ['user:default/carol'],
      removed: ['user:default/frank'],
    });
    // The log gives counts, never who.
    expect(ctx.lines.join('\n')).not.toMatch(/alice|carol|frank/);
  });

  it('treats an unreadable previous review as none, and says so', async () => {
    const collector = createAccessReviewCollector({
      loadEntities: async () => orgNow(),
      permissions,
      decide,
    });
    const ctx = context({ collectedAt: BEFORE, content: Buffer.from('{oops') });
    const [item] = await collector.collect(ctx);
    expect(item.summary).toMatchObject({ added: 0, removed: 0 });
    expect(JSON.parse(String(item.content)).changes).toBeNull();
    expect(ctx.lines).toContainEqual(
      expect.stringContaining('could not be read'),
    );
  });

  it('reviews the first time over the last quarter, with no changes listed', async () => {
    const collector = createAccessReviewCollector({
      loadEntities: async () => orgNow(),
      permissions,
      decide,
    });
    const [item] = await collector.collect(context());
    expect(item.period).toEqual({
      start: new Date(NOW.getTime() - 92 * 24 * 3600 * 1000),
      end: NOW,
    });
    expect(JSON.parse(String(item.content)).changes).toBeNull();
  });
});
