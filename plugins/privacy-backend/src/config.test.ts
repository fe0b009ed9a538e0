import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { configuredConnections, readPrivacyConfig } from './config';

const key = () => randomBytes(32).toString('base64');
type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

const read = (connections: object, demo = false) =>
  readPrivacyConfig(
    new ConfigReader({
      privacy: {
        identifiers: { key: { id: 'ids-1', key: key() }, pepper: key() },
        regions: {
          EU: {
            masterKey: { id: 'eu-1', key: key() },
            storage: { directory: '/tmp/eu' },
          },
        },
        connections,
        demo: { enabled: demo },
      },
    } as ConfigData),
  );

const http = (url: string, extra: object = {}) => ({
  type: 'http',
  region: 'EU',
  url,
  secret: 'a-shared-secret-of-32-characters',
  ...extra,
});

describe('privacy.connections config', () => {
  it('refuses an http URL outside demo mode, naming the connection', () => {
    expect(() => read({ crm: http('http://crm.internal/dsar') })).toThrow(
      'Invalid configuration at privacy.connections.crm.url: must be an https URL outside demo mode',
    );
    expect(() =>
      read({ crm: http('https://crm.internal/dsar') }),
    ).not.toThrow();
    // In demo mode, or for a demo connection (never used outside demo mode).
    expect(() =>
      read({ crm: http('http://localhost:7007/dsar') }, true),
    ).not.toThrow();
    expect(() =>
      read({ crm: http('http://localhost:7007/dsar', { demo: true }) }),
    ).not.toThrow();
  });

  it('takes an exclusion only with a reason, and lists connections in force', () => {
    expect(() =>
      read({ crm: http('https://crm.internal/dsar', { excluded: true }) }),
    ).toThrow(
      /privacy\.connections\.crm\.excludedReason: an excluded connection needs a reason/,
    );
    expect(() =>
      read({
        crm: http('https://crm.internal/dsar', {
          excludedReason: 'no exclusion here',
        }),
      }),
    ).toThrow(/only an excluded connection/);

    const config = read({
      crm: http('https://crm.internal/dsar', {
        excluded: true,
        excludedReason: 'holds pseudonymous ids only',
      }),
      shop: http('https://shop.internal/dsar'),
      demoShop: http('http://localhost:7007/dsar', { demo: true }),
    });
    expect(
      configuredConnections(config).map(c => [
        c.name,
        c.region,
        c.excluded,
        c.excludedReason,
        Object.keys(c.settings).sort(),
      ]),
    ).toEqual([
      [
        'crm',
        'EU',
        true,
        'holds pseudonymous ids only',
        ['region', 'secret', 'type', 'url'],
      ],
      ['shop', 'EU', false, null, ['region', 'secret', 'type', 'url']],
    ]);
  });
});
