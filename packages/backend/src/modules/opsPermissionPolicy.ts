import {
  UserInfoService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { drillsPermissions } from '@internal/plugin-drills-common';
import { evidencePermissions } from '@internal/plugin-evidence-common';
import { privacyPermissions } from '@internal/plugin-privacy-common';
import { sloPermissions } from '@internal/plugin-slo-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/** Any signed-in user. */
export const EVERYONE = '*';

export interface OpsGrant {
  /** The plugin's permissions; any other name under its prefix is denied. */
  permissions: Permission[];
  /** Groups that may use the plugin's read permissions (`action: read`). */
  readers: string[];
  /** Groups that may use every other permission of the plugin. */
  writers: string[];
}

/**
 * Who may do what in the ops plugins, by the prefix of a permission's name.
 * Groups are catalog Group refs; membership comes from the user's ownership
 * refs (the user and the groups it is a member of), read from its token.
 */
export const OPS_GRANTS: Record<string, OpsGrant> = {
  privacy: {
    permissions: privacyPermissions,
    readers: ['group:default/privacy', 'group:default/compliance'],
    writers: ['group:default/privacy'],
  },
  slo: {
    permissions: sloPermissions,
    readers: [EVERYONE],
    writers: [
      'group:default/platform',
      'group:default/oncall',
      'group:default/engineering',
    ],
  },
  evidence: {
    permissions: evidencePermissions,
    readers: [EVERYONE],
    writers: ['group:default/compliance', 'group:default/platform'],
  },
  drills: {
    permissions: drillsPermissions,
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
  constructor(
    private readonly userInfo: UserInfoService,
    private readonly grants: Record<string, OpsGrant> = OPS_GRANTS,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const prefix = request.permission.name.split('.')[0];
    const grant = this.grants[prefix];
    if (!grant) {
      return { result: AuthorizeResult.ALLOW };
    }
    const known = grant.permissions.some(
      p => p.name === request.permission.name,
    );
    if (!user || !known) {
      return { result: AuthorizeResult.DENY };
    }
    const allowed =
      request.permission.attributes.action === 'read'
        ? grant.readers
        : grant.writers;
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    const memberships = new Set(ownershipEntityRefs);
    const granted =
      allowed.includes(EVERYONE) ||
      allowed.some(group => memberships.has(group));
    return { result: granted ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'ops-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new OpsPermissionPolicy(userInfo));
      },
    });
  },
});
