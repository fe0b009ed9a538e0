import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/** The repository of a catalog entity. */
export interface EntityRepository {
  /** URL git clones. */
  cloneUrl: string;
  /** Web URL of the repository (used to find the integration). */
  webUrl: string;
  host?: string;
  owner?: string;
  repo?: string;
  /** Branch named in the source location (`/tree/<branch>/`), if any. */
  branch?: string;
}

function fromHttpUrl(raw: string): EntityRepository {
  const url = new URL(raw);
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts.length < 2) {
    throw new InputError(
      `The source location ${raw} does not name an owner and a repository`,
    );
  }
  const owner = parts[0];
  const repo = parts[1].replace(/\.git$/, '');
  // GitHub-style /tree/<branch>/path or /blob/<branch>/path
  const branch =
    (parts[2] === 'tree' || parts[2] === 'blob') && parts[3]
      ? decodeURIComponent(parts[3])
      : undefined;
  const base = `${url.protocol}//${url.host}/${owner}/${repo}`;
  return {
    cloneUrl: `${base}.git`,
    webUrl: base,
    host: url.host,
    owner,
    repo,
    branch,
  };
}

/**
 * Finds the repository of an entity from `backstage.io/source-location`
 * (`url:https://github.com/o/r/tree/main/`) or `github.com/project-slug`.
 */
export function repositoryFromEntity(entity: Entity): EntityRepository {
  const annotations = entity.metadata.annotations ?? {};
  const location = annotations[SOURCE_LOCATION_ANNOTATION];
  if (location) {
    const target = location.replace(/^url:/, '');
    if (/^https?:\/\//.test(target)) {
      return fromHttpUrl(target);
    }
    if (/^file:\/\//.test(target)) {
      return { cloneUrl: target, webUrl: target };
    }
    throw new InputError(
      `The ${SOURCE_LOCATION_ANNOTATION} annotation of ${stringifyEntityRef(
        entity,
      )} is "${location}"; expected url:https://<host>/<owner>/<repo>`,
    );
  }
  const slug = annotations[GITHUB_PROJECT_SLUG_ANNOTATION];
  if (slug) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(slug)) {
      throw new InputError(
        `The ${GITHUB_PROJECT_SLUG_ANNOTATION} annotation of ${stringifyEntityRef(
          entity,
        )} is "${slug}"; expected <owner>/<repo>`,
      );
    }
    return fromHttpUrl(`https://github.com/${slug}`);
  }
  throw new InputError(
    `${stringifyEntityRef(
      entity,
    )} has neither a ${SOURCE_LOCATION_ANNOTATION} nor a ${GITHUB_PROJECT_SLUG_ANNOTATION} annotation, so its repository is unknown`,
  );
}
