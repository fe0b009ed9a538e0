import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ANNOTATION_SOURCE_LOCATION,
  type Entity,
  parseLocationRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** A configured repository for an entity: a URL or an absolute path. */
export type RepositorySetting =
  | string
  | {
      /** A git URL (https, http, ssh, git, file, `user@host:path`) or an absolute path. */
      url: string;
      /** The branch or ref whose history counts; default `HEAD`. */
      ref?: string;
      /**
       * Clone into the cache even though the URL is local (`file://` or a
       * path); remote URLs are always cloned. Default false.
       */
      clone?: boolean;
    };

/** Where an entity's history is read from. */
export type RepositoryLocation =
  | { kind: 'local'; path: string; ref: string }
  | { kind: 'remote'; url: string; ref: string };

export const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

const REMOTE_SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:', 'file:']);
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;
/** Web paths after the repository part of a hosting site's URL. */
const WEB_PATH_MARKERS = ['/-/', '/tree/', '/blob/', '/src/', '/browse/'];

/**
 * The repository an entity's changes are read from: the configured map first
 * (keyed by full entity ref, e.g. `component:default/api`, or by name), then
 * the `backstage.io/source-location` annotation (`url:<...>`). Undefined when
 * neither says. Throws for a setting that is not a usable git location.
 */
export function repositoryLocationOf(
  entity: Entity,
  repositories: Record<string, RepositorySetting> = {},
): RepositoryLocation | undefined {
  const ref = stringifyEntityRef(entity);
  const setting = repositories[ref] ?? repositories[entity.metadata.name];
  if (setting !== undefined) {
    const {
      url,
      ref: gitRef,
      clone,
    } = typeof setting === 'string' ? { url: setting } : setting;
    return parseRepositoryUrl(url, { ref: gitRef, clone });
  }
  const annotation = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
  if (!annotation) return undefined;
  const location = parseLocationRef(annotation);
  if (location.type !== 'url') {
    throw new Error(
      `${ANNOTATION_SOURCE_LOCATION} of type '${location.type}' is not a git location`,
    );
  }
  return parseRepositoryUrl(location.target);
}

/**
 * A git location from a URL or path. `file://` URLs and absolute paths are
 * read in place unless `clone` is set; other URLs are cloned. Web URLs of
 * hosting sites (`.../tree/main/docs`) are cut back to the repository.
 */
export function parseRepositoryUrl(
  raw: string,
  options: { ref?: string; clone?: boolean } = {},
): RepositoryLocation {
  const ref = checkRef(options.ref ?? 'HEAD');
  const value = raw.trim();
  if (value.startsWith('-') || value.length === 0) {
    throw new Error(`'${raw}' is not a git location`);
  }
  if (isAbsolute(value)) {
    const path = resolve(value);
    return options.clone
      ? { kind: 'remote', url: `file://${path}`, ref }
      : { kind: 'local', path, ref };
  }
  if (SCP_LIKE.test(value)) return { kind: 'remote', url: value, ref };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`'${redactUrl(value)}' is not a git location`);
  }
  if (!REMOTE_SCHEMES.has(url.protocol)) {
    throw new Error(`git locations with ${url.protocol} are not read`);
  }
  if (url.protocol === 'file:') {
    const path = resolve(fileURLToPath(url));
    return options.clone
      ? { kind: 'remote', url: `file://${path}`, ref }
      : { kind: 'local', path, ref };
  }
  return { kind: 'remote', url: repositoryPartOf(url), ref };
}

function repositoryPartOf(url: URL): string {
  const copy = new URL(url.toString());
  copy.search = '';
  copy.hash = '';
  if (copy.protocol === 'https:' || copy.protocol === 'http:') {
    let path = copy.pathname;
    for (const marker of WEB_PATH_MARKERS) {
      const at = path.indexOf(marker);
      if (at > 0) path = path.slice(0, at);
    }
    if (copy.hostname === 'github.com') {
      path = `/${path.split('/').filter(Boolean).slice(0, 2).join('/')}`;
    }
    copy.pathname = path.replace(/\/+$/, '');
  }
  return copy.toString();
}

/** Refuses refs git would read as options or that git cannot name. */
export function checkRef(ref: string): string {
  const hasControl = [...ref].some(c => c.charCodeAt(0) < 0x20 || c === '\x7f');
  if (
    ref.length === 0 ||
    ref.startsWith('-') ||
    hasControl ||
    /[\s~^:?*[\\]|\.\.|@\{/.test(ref)
  ) {
    throw new Error(`'${ref}' is not a usable git ref`);
  }
  return ref;
}

/** A location as it may be shown in logs and evidence: no credentials. */
export function describeLocation(location: RepositoryLocation): string {
  const where =
    location.kind === 'local' ? location.path : redactUrl(location.url);
  return location.ref === 'HEAD' ? where : `${where}@${location.ref}`;
}

/** A URL without the user name and password it may carry. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.username && !url.password) return value;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return value.replace(/\/\/[^@/]*@/, '//');
  }
}

/** `owner` and `repo` from `github.com/project-slug`, when the entity has it. */
export function projectSlugOf(
  entity: Entity,
): { owner: string; repo: string } | undefined {
  const slug = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
  if (!slug) return undefined;
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(slug.trim());
  if (!match) {
    throw new Error(`${PROJECT_SLUG_ANNOTATION} '${slug}' is not owner/repo`);
  }
  return { owner: match[1], repo: match[2] };
}
