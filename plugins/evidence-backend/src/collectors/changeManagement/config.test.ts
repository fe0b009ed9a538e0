import { ConfigReader } from '@backstage/config';
import {
  changeManagementOptionsFromConfig,
  githubOptionsFromConfig,
  readChangeManagementConfig,
} from './config';

describe('githubOptionsFromConfig', () => {
  it('reads the first GitHub integration', () => {
    expect(
      githubOptionsFromConfig(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com', token: 't1' }] },
        }),
      ),
    ).toEqual({ baseUrl: 'https://api.github.com', token: 't1' });
    expect(
      githubOptionsFromConfig(
        new ConfigReader({
          integrations: {
            github: [
              { host: 'ghe.example.com', token: 't2' },
              { host: 'github.com', token: 't3' },
            ],
          },
        }),
      ),
    ).toEqual({ baseUrl: 'https://ghe.example.com/api/v3', token: 't2' });
    expect(
      githubOptionsFromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: 'ghe.example.com',
                apiBaseUrl: 'https://api.ghe.example.com/',
                token: 't4',
              },
            ],
          },
        }),
      ),
    ).toEqual({ baseUrl: 'https://api.ghe.example.com', token: 't4' });
  });

  it('gives nothing without an integration or a token', () => {
    expect(githubOptionsFromConfig(new ConfigReader({}))).toBeUndefined();
    expect(
      githubOptionsFromConfig(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com' }] },
        }),
      ),
    ).toBeUndefined();
  });
});

describe('evidence.changeManagement', () => {
  it('reads the section into collector options', () => {
    const config = new ConfigReader({
      integrations: { github: [{ host: 'github.com', token: 'tok' }] },
      evidence: {
        changeManagement: {
          periodDays: 14,
          cacheDir: '/var/cache/evidence-git',
          signatures: { gnupgHome: '/etc/gnupg' },
          repositories: [
            { entity: 'component:default/portal', url: 'file:///work/main' },
            { entity: 'api', url: 'https://github.com/acme/api', ref: 'main' },
          ],
        },
      },
    });
    expect(changeManagementOptionsFromConfig(config)).toEqual({
      periodDays: 14,
      cacheDir: '/var/cache/evidence-git',
      signatures: { gnupgHome: '/etc/gnupg', sshAllowedSignersFile: undefined },
      repositories: {
        'component:default/portal': {
          url: 'file:///work/main',
          ref: undefined,
          clone: undefined,
        },
        api: {
          url: 'https://github.com/acme/api',
          ref: 'main',
          clone: undefined,
        },
      },
      github: { baseUrl: 'https://api.github.com', token: 'tok' },
    });
  });

  it('turns GitHub off when asked and refuses a period that is not positive', () => {
    const config = new ConfigReader({
      integrations: { github: [{ host: 'github.com', token: 'tok' }] },
      evidence: { changeManagement: { github: false } },
    });
    expect(changeManagementOptionsFromConfig(config).github).toBeUndefined();
    expect(() =>
      readChangeManagementConfig(
        new ConfigReader({ evidence: { changeManagement: { periodDays: 0 } } }),
      ),
    ).toThrow('periodDays must be positive');
  });
});
