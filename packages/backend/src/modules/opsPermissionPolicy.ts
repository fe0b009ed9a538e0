import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/** Any signed-in user. */
export const EVERYONE = '*';

export interface OpsGrant {
  /** Groups that may use the plugin's read permissions (`action: read`). */
  readers: string[];
  /** Groups that may use every other permission of the plugin. */
  writers: string[];
}

/**
 * Who may do what in the ops plugins, by the prefix of a permission's name.
 * Groups are catalog Group refs; membership comes from the user's ownership
 * refs (the user and the groups it is a member of).
 */
export const OPS_GRANTS: Record<string, OpsGrant> = {
  privacy: {
    readers: ['group:default/privacy', 'group:default/compliance'],
    writers: ['group:default/privacy'],
  },
  slo: {
    readers: [EVERYONE],
    writers: ['group:default/platform', 'group:default/oncall', 'group:default/engineering'],
  },
  evidence: {
    readers: [EVERYONE],
    writers: ['group:default/compliance', 'group:default/platform'],
  },
  drills: {
    readers: [EVERYONE],
    writers: ['group:default/drill-leads', 'group:default/oncall'],
  },
};

/**
 * The portal's permission policy. Ops permissions (`privacy.*`, `slo.*`,
 * `evidence.*`, `drills.*`) are granted by group membership per OPS_GRANTS;
 * anything unknown under those prefixes is denied. Other Backstage
 * permissions (catalog, scaffolder) are allowed to signed-in users, as a
 * portal without its own rules for them would.
 */
export class OpsPermissionPolicy implements PermissionPolicy {
  constructor(private readonly grants: Record<string, OpsGrant> = OPS_GRANTS) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const prefix = request.permission.name.split('.')[0];
    const grant = this.grants[prefix];
    if (!grant) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const allowed =
      request.permission.attributes.action === 'read' ? grant.readers : grant.writers;
    const memberships = new Set(user.info.ownershipEntityRefs);
    const granted =
      allowed.includes(EVERYONE) || allowed.some(group => memberships.has(group));
    return { result: granted ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'ops-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new OpsPermissionPolicy());
      },
    });
  },
});
