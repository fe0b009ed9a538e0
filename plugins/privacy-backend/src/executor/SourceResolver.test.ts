import type { Entity } from '@backstage/catalog-model';
import { createTestLogger, resourceEntity } from '../testing/harness';
import { SourceResolver } from './SourceResolver';

const connection = (
  name: string,
  region: 'EU' | 'US',
  excludedReason: string | null = null,
) => ({
  name,
  region,
  type: 'sql',
  excluded: excludedReason !== null,
  excludedReason,
});

const CONNECTIONS = [
  connection('checkout-eu', 'EU'),
  connection('payments-eu', 'EU'),
  connection('archive-eu', 'EU', 'read-only tape archive, purged by retention'),
  connection('accounts-us', 'US'),
];

function resolverWith(resources: Entity[]) {
  const catalog = { resources };
  const lines: string[] = [];
  const resolver = new SourceResolver(async () => catalog.resources, {
    connections: CONNECTIONS,
    logger: createTestLogger(lines),
  });
  return { resolver, catalog, lines };
}

const ALL_DECLARED = [
  resourceEntity('checkout-db', 'EU', 'checkout-eu'),
  resourceEntity('payments-db', 'EU', 'payments-eu'),
  resourceEntity('accounts-db', 'US', 'accounts-us'),
];

describe('SourceResolver', () => {
  it('gives a region every configured connection but excluded ones, named by the Resources that declare them', async () => {
    const { resolver } = resolverWith(ALL_DECLARED);
    expect(await resolver.sourcesIn('EU')).toEqual([
      { entityRef: 'resource:default/checkout-db', connection: 'checkout-eu' },
      { entityRef: 'resource:default/payments-db', connection: 'payments-eu' },
    ]);
    expect(await resolver.sourcesIn('US')).toEqual([
      { entityRef: 'resource:default/accounts-db', connection: 'accounts-us' },
    ]);
    expect(await resolver.sourcesIn('UK')).toEqual([]);
    expect((await resolver.report()).flags).toEqual([]);
  });

  it('still erases a store whose Resource was deleted from the catalog, and flags it', async () => {
    const { resolver, catalog, lines } = resolverWith(ALL_DECLARED);
    catalog.resources = ALL_DECLARED.filter(
      r => r.metadata.name !== 'payments-db',
    );
    expect(await resolver.sourcesIn('EU')).toEqual([
      { entityRef: 'connection:payments-eu', connection: 'payments-eu' },
      { entityRef: 'resource:default/checkout-db', connection: 'checkout-eu' },
    ]);
    const report = await resolver.report();
    expect(report.flags).toEqual([
      {
        kind: 'undeclared',
        connection: 'payments-eu',
        entityRef: null,
        region: 'EU',
        message: expect.stringContaining('still exported and erased'),
      },
    ]);
    expect(
      report.sources.find(s => s.name === 'payments-eu')?.declaredBy,
    ).toEqual([]);
    // Logged once, however often it is read.
    expect(lines.filter(line => line.includes('payments-eu'))).toHaveLength(1);
  });

  it('ignores and flags a Resource naming an unknown connection, a wrong region or an excluded store', async () => {
    const { resolver, catalog, lines } = resolverWith([
      ...ALL_DECLARED,
      resourceEntity('shadow-db', 'EU', 'not-configured'),
      resourceEntity('moved-db', 'US', 'checkout-eu'),
      resourceEntity('archive-db', 'EU', 'archive-eu'),
    ]);
    expect(await resolver.sourcesIn('EU')).toEqual([
      { entityRef: 'resource:default/checkout-db', connection: 'checkout-eu' },
      { entityRef: 'resource:default/payments-db', connection: 'payments-eu' },
    ]);
    // The EU connection named by a US Resource serves the EU only.
    expect((await resolver.sourcesIn('US')).map(s => s.connection)).toEqual([
      'accounts-us',
    ]);
    const report = await resolver.report();
    expect(
      report.flags.map(f => [f.kind, f.connection, f.entityRef, f.region]),
    ).toEqual([
      ['excluded-declared', 'archive-eu', 'resource:default/archive-db', 'EU'],
      ['region-mismatch', 'checkout-eu', 'resource:default/moved-db', 'US'],
      [
        'unknown-connection',
        'not-configured',
        'resource:default/shadow-db',
        'EU',
      ],
    ]);
    expect(report.sources.find(s => s.name === 'archive-eu')).toEqual({
      name: 'archive-eu',
      region: 'EU',
      type: 'sql',
      excluded: true,
      excludedReason: 'read-only tape archive, purged by retention',
      declaredBy: ['resource:default/archive-db'],
    });
    expect(lines.filter(line => line.startsWith('warn'))).toHaveLength(3);

    // Fixed in the catalog: the flag clears, and is logged as resolved.
    catalog.resources = ALL_DECLARED;
    expect((await resolver.report()).flags).toEqual([]);
    expect(lines.filter(line => line.includes('resolved'))).toHaveLength(3);
  });
});
