import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  createAccessReviewCollector,
  type DecideFn,
} from '@internal/plugin-evidence-backend';
import { evidenceCollectorsExtensionPoint } from '@internal/plugin-evidence-node';
import { OPS_GRANTS, OpsPermissionPolicy } from './opsPermissionPolicy';

/**
 * Asks the portal's own policy what a principal may do, with its groups
 * taken as given rather than read from the catalog: so a group's access is
 * that of a member of only that group, and a user's that of its groups.
 */
export const decideWithOpsPolicy: DecideFn = async (permission, principal) => {
  const groups = principal.ownershipEntityRefs.filter(ref =>
    ref.startsWith('group:'),
  );
  const policy = new OpsPermissionPolicy({ groupsOf: async () => groups });
  const { result } = await policy.handle(
    { permission },
    {
      info: {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: principal.ownershipEntityRefs,
      },
      credentials: {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: principal.userEntityRef },
      },
    } as Parameters<OpsPermissionPolicy['handle']>[1] & object,
  );
  if (result === AuthorizeResult.ALLOW) return 'ALLOW';
  return result === AuthorizeResult.CONDITIONAL ? 'CONDITIONAL' : 'DENY';
};

/**
 * The evidence plugin's access review (CC6.1 to CC6.3), with the portal's
 * real permission policy deciding what each group and user may do.
 */
export default createBackendModule({
  pluginId: 'evidence',
  moduleId: 'access-review',
  register(reg) {
    reg.registerInit({
      deps: {
        collectors: evidenceCollectorsExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      async init({ collectors, catalog, auth }) {
        collectors.addCollector(
          createAccessReviewCollector({
            loadEntities: async () => {
              const { items } = await catalog.getEntities(
                { filter: [{ kind: 'User' }, { kind: 'Group' }, { kind: 'Component' }, { kind: 'Resource' }, { kind: 'System' }] },
                { credentials: await auth.getOwnServiceCredentials() },
              );
              return items;
            },
            permissions: Object.values(OPS_GRANTS).flatMap(g => g.permissions),
            decide: decideWithOpsPolicy,
            // The policy grants by direct membership only.
            includeAncestorGroups: false,
          }),
        );
      },
    });
  },
});
