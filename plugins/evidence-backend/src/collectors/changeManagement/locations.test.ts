import type { Entity } from '@backstage/catalog-model';
import {
  describeLocation,
  parseRepositoryUrl,
  projectSlugOf,
  redactUrl,
  repositoryLocationOf,
} from './locations';

function entity(annotations: Record<string, string>, name = 'api'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {},
  };
}

describe('repository locations', () => {
  it('reads local paths in place and clones remote URLs', () => {
    expect(parseRepositoryUrl('file:///work/main/')).toEqual({
      kind: 'local',
      path: '/work/main',
      ref: 'HEAD',
    });
    expect(parseRepositoryUrl('/srv/repos/api.git', { ref: 'main' })).toEqual({
      kind: 'local',
      path: '/srv/repos/api.git',
      ref: 'main',
    });
    expect(parseRepositoryUrl('file:///srv/api.git', { clone: true })).toEqual({
      kind: 'remote',
      url: 'file:///srv/api.git',
      ref: 'HEAD',
    });
    expect(parseRepositoryUrl('git@github.com:acme/api.git')).toEqual({
      kind: 'remote',
      url: 'git@github.com:acme/api.git',
      ref: 'HEAD',
    });
  });

  it('cuts web URLs of hosting sites back to the repository', () => {
    expect(
      parseRepositoryUrl('https://github.com/acme/api/tree/main/docs/'),
    ).toMatchObject({ url: 'https://github.com/acme/api' });
    expect(
      parseRepositoryUrl(
        'https://gitlab.example.com/group/sub/api/-/tree/main',
      ),
    ).toMatchObject({ url: 'https://gitlab.example.com/group/sub/api' });
    expect(
      parseRepositoryUrl('https://git.example.com/api.git?x=1'),
    ).toMatchObject({ url: 'https://git.example.com/api.git' });
  });

  it('refuses what git would run or read as an option', () => {
    expect(() => parseRepositoryUrl('ext::sh -c id')).toThrow(
      'git locations with ext: are not read',
    );
    expect(() => parseRepositoryUrl('--upload-pack=touch /tmp/x')).toThrow(
      'is not a git location',
    );
    expect(() => parseRepositoryUrl('relative/path')).toThrow(
      'is not a git location',
    );
    expect(() => parseRepositoryUrl('/srv/api', { ref: '-x' })).toThrow(
      'not a usable git ref',
    );
  });

  it('prefers the configured repository, by entity ref or name, over the annotation', () => {
    const api = entity({
      'backstage.io/source-location':
        'url:https://github.com/acme/api/tree/main/',
    });
    expect(repositoryLocationOf(api)).toEqual({
      kind: 'remote',
      url: 'https://github.com/acme/api',
      ref: 'HEAD',
    });
    expect(
      repositoryLocationOf(api, {
        'component:default/api': { url: '/work/main', ref: 'main' },
      }),
    ).toEqual({ kind: 'local', path: '/work/main', ref: 'main' });
    expect(repositoryLocationOf(api, { api: 'file:///work/main' })).toEqual({
      kind: 'local',
      path: '/work/main',
      ref: 'HEAD',
    });
    expect(repositoryLocationOf(entity({}))).toBeUndefined();
  });

  it('keeps credentials out of what it shows', () => {
    expect(redactUrl('https://user:secret@git.example.com/api.git')).toBe(
      'https://git.example.com/api.git',
    );
    expect(
      describeLocation({
        kind: 'remote',
        url: 'https://x-access-token:ghs_abc@github.com/acme/api',
        ref: 'main',
      }),
    ).toBe('https://github.com/acme/api@main');
  });

  it('reads github.com/project-slug', () => {
    expect(
      projectSlugOf(entity({ 'github.com/project-slug': 'acme/api' })),
    ).toEqual({ owner: 'acme', repo: 'api' });
    expect(projectSlugOf(entity({}))).toBeUndefined();
    expect(() =>
      projectSlugOf(entity({ 'github.com/project-slug': 'acme/api/x' })),
    ).toThrow('is not owner/repo');
  });
});
