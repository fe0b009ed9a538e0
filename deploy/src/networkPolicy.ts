/** The label that marks a namespace as production. */
export const PRODUCTION_LABEL = 'ops.portal/environment';

/**
 * The production namespaces (Namespace objects labelled
 * `ops.portal/environment: production`) with no NetworkPolicy selecting every
 * pod in them (`podSelector: {}`) for both Ingress and Egress.
 *
 * Not a CEL rule: an admission rule sees one object at a time and cannot tell
 * whether another object (the policy) exists.
 */
export function namespacesWithoutNetworkPolicy(
  objects: readonly Record<string, any>[],
): string[] {
  const production = objects
    .filter(
      o =>
        o.kind === 'Namespace' &&
        o.metadata?.labels?.[PRODUCTION_LABEL] === 'production',
    )
    .map(o => String(o.metadata.name));
  const covered = new Set(
    objects
      .filter(
        o =>
          o.kind === 'NetworkPolicy' &&
          Object.keys(o.spec?.podSelector ?? {}).length === 0 &&
          ['Ingress', 'Egress'].every(t =>
            (o.spec?.policyTypes ?? []).includes(t),
          ),
      )
      .map(o => String(o.metadata?.namespace ?? '')),
  );
  return production.filter(name => !covered.has(name));
}
