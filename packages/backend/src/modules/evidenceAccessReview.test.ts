import type { Entity } from '@backstage/catalog-model';
import { buildAccessReview } from '@internal/plugin-evidence-backend';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { decideWithOpsPolicy } from './evidenceAccessReview';
import { OPS_GRANTS } from './opsPermissionPolicy';

const ROOT = join(__dirname, '../../../..');
const demoOrg = (): Entity[] =>
  ['examples/org.yaml', 'examples/entities.yaml'].flatMap(file =>
    parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map(
      d => d.toJS() as Entity,
    ),
  );

describe('the evidence access review with the portal policy', () => {
  it('reviews the demo org as the real OpsPermissionPolicy decides', async () => {
    const review = await buildAccessReview({
      entities: demoOrg(),
      permissions: Object.values(OPS_GRANTS).flatMap(g => g.permissions),
      decide: decideWithOpsPolicy,
      includeAncestorGroups: false,
      now: new Date('2026-12-03T00:00:00Z'),
    });
    const user = (name: string) =>
      review.users.find(u => u.ref === `user:default/${name}`)!.access;
    const group = (name: string) =>
      review.groups.find(g => g.ref === `group:default/${name}`)!.access;

    // alice: privacy. Requests of her regions only (CONDITIONAL).
    expect(user('alice')['privacy.request.approve']).toBe('CONDITIONAL');
    expect(user('alice')['privacy.admin']).toBe('ALLOW');
    expect(user('alice')['evidence.item.create']).toBeUndefined();
    // carol: compliance. Reads every request, approves none; signs reviews off.
    expect(user('carol')['privacy.request.read']).toBe('ALLOW');
    expect(user('carol')['privacy.request.approve']).toBeUndefined();
    expect(user('carol')['evidence.review.sign-off']).toBe('ALLOW');
    // bob: engineering.
    expect(user('bob')['slo.objective.manage']).toBe('ALLOW');
    expect(user('bob')['evidence.review.sign-off']).toBeUndefined();
    expect(group('compliance')).toEqual(user('carol'));
    expect(group('engineering')).toEqual(user('bob'));
    expect(review.flags.usersWithoutGroup).toEqual([]);
    expect(review.flags.entitiesWithoutOwner).toEqual([]);
  });
});
