/**
 * The package URL (purl) of an npm package, as the purl specification's npm
 * type writes it: the scope is the namespace, `@` percent-encoded,
 * e.g. `pkg:npm/%40babel/core@7.28.0`.
 */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const path =
    slash > 0
      ? `${encodeURIComponent(name.slice(0, slash))}/${encodeURIComponent(
          name.slice(slash + 1),
        )}`
      : encodeURIComponent(name);
  return `pkg:npm/${path}@${encodeURIComponent(version)}`;
}

/**
 * Where npm serves a package's tarball in a registry that follows npm's
 * layout (`<registry>/<name>/-/<basename>-<version>.tgz`).
 */
export function npmTarballUrl(
  registry: string,
  name: string,
  version: string,
): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry.replace(/\/+$/, '')}/${name}/-/${base}-${version}.tgz`;
}
