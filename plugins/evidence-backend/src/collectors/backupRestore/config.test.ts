import { ConfigReader } from '@backstage/config';
import { readBackupRestoreConfig } from './config';

function read(backupRestore: unknown) {
  return readBackupRestoreConfig(
    new ConfigReader({ evidence: { backupRestore } } as any),
  );
}

describe('readBackupRestoreConfig', () => {
  it('defaults to no targets and 30 minutes', () => {
    expect(readBackupRestoreConfig(new ConfigReader({}))).toEqual({
      targets: [],
      timeoutMs: 30 * 60_000,
    });
  });

  it('reads postgres and sqlite targets', () => {
    const config = read({
      timeoutMinutes: 90,
      targets: [
        {
          kind: 'postgres',
          name: 'orders-db',
          connection: {
            host: 'db.internal',
            port: '5433',
            user: 'backup',
            password: 'from-env',
            database: 'orders',
          },
          entityRef: 'resource:default/orders-db',
        },
        { kind: 'sqlite', name: 'portal', path: '.data/backstage.sqlite' },
      ],
    });
    expect(config.timeoutMs).toBe(90 * 60_000);
    expect(config.targets).toEqual([
      {
        kind: 'postgres',
        name: 'orders-db',
        connection: {
          host: 'db.internal',
          port: 5433,
          user: 'backup',
          password: 'from-env',
          database: 'orders',
        },
        entityRef: 'resource:default/orders-db',
      },
      { kind: 'sqlite', name: 'portal', path: '.data/backstage.sqlite' },
    ]);
  });

  it.each([
    [
      'duplicate names',
      [
        { kind: 'sqlite', name: 'a', path: 'a.db' },
        { kind: 'sqlite', name: 'a', path: 'b.db' },
      ],
      /targets: target names must be unique/,
    ],
    [
      'an in-memory database',
      [{ kind: 'sqlite', name: 'a', path: ':memory:' }],
      /targets\.0\.path: an in-memory database cannot be backed up/,
    ],
    [
      'a name that is no file name',
      [{ kind: 'sqlite', name: '../x', path: 'a.db' }],
      /targets\.0\.name: letters, digits/,
    ],
    ['an unknown kind', [{ kind: 'mysql', name: 'a' }], /targets\.0\.kind/],
    [
      'a postgres target without connection',
      [{ kind: 'postgres', name: 'a' }],
      /targets\.0\.connection/,
    ],
  ])('refuses %s', (_, targets, message) => {
    expect(() => read({ targets })).toThrow(message);
  });
});
