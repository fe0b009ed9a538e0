import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogServiceTargets, serviceTargetOf } from './serviceTargets';

const component = (name: string, lifecycle = 'production') => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', lifecycle, owner: 'group:default/platform' },
});

function lookup(entities = [component('checkout')], maxEntries?: number) {
  let now = 0;
  const catalog = catalogServiceMock({ entities });
  const asked: string[][] = [];
  const getEntitiesByRefs = catalog.getEntitiesByRefs.bind(catalog);
  catalog.getEntitiesByRefs = async (request, options) => {
    asked.push(request.entityRefs);
    return getEntitiesByRefs(request, options);
  };
  const targets = new CatalogServiceTargets(
    { catalog, auth: mockServices.auth() },
    { ttlMs: 1000, maxEntries, now: () => now },
  );
  return { targets, asked, advance: (ms: number) => (now += ms) };
}

describe('serviceTargetOf', () => {
  it('names service-like entities only', () => {
    expect(serviceTargetOf('component:default/checkout')).toEqual({
      name: 'checkout',
      id: 'component:default/checkout',
    });
    expect(serviceTargetOf('Resource:Default/checkout-db')?.id).toBe(
      'resource:default/checkout-db',
    );
    expect(serviceTargetOf('checkout')?.id).toBe('component:default/checkout');
    expect(serviceTargetOf('user:default/alice')).toBeUndefined();
    expect(serviceTargetOf('group:default/platform')).toBeUndefined();
    expect(serviceTargetOf('component:')).toBeUndefined();
  });
});

describe('CatalogServiceTargets', () => {
  it('reads unknown refs in one call and keeps the answers, found or not, for the TTL', async () => {
    const { targets, asked, advance } = lookup();
    const refs = [
      'component:default/checkout',
      'checkout',
      'component:default/gone',
      'user:default/alice',
    ];
    const facts = await targets.describe(refs);
    expect(Object.fromEntries(facts)).toEqual({
      'component:default/checkout': {
        type: 'service',
        environment: 'production',
        owner: 'group:default/platform',
      },
      checkout: {
        type: 'service',
        environment: 'production',
        owner: 'group:default/platform',
      },
    });
    expect(asked).toEqual([
      ['component:default/checkout', 'component:default/gone'],
    ]);

    advance(999);
    await targets.describe(refs);
    expect(asked).toHaveLength(1);
    advance(1);
    await targets.describe(['checkout']);
    expect(asked).toEqual([
      ['component:default/checkout', 'component:default/gone'],
      ['component:default/checkout'],
    ]);
  });

  it('keeps at most maxEntries refs, forgetting the oldest', async () => {
    const { targets, asked } = lookup(
      [component('a'), component('b'), component('c')],
      2,
    );
    await targets.describe(['a']);
    await targets.describe(['b']);
    await targets.describe(['c']);
    await targets.describe(['b', 'c']);
    expect(asked).toHaveLength(3);
    await targets.describe(['a']);
    expect(asked).toHaveLength(4);
  });
});
