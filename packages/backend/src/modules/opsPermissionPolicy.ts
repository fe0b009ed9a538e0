import {
  AuthService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
  ResourcePermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  drillsParticipatePermission,
  drillsPermissions,
} from '@internal/plugin-drills-common';
import { evidencePermissions } from '@internal/plugin-evidence-common';
import {
  createPrivacyRequestConditionalDecision,
  privacyRequestConditions,
} from '@internal/plugin-privacy-backend';
import {
  PRIVACY_REQUEST_RESOURCE_TYPE,
  privacyPermissions,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import { securityPermissions } from '@internal/plugin-security-common';
import { sloPermissions } from '@internal/plugin-slo-common';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  createScaffolderActionConditionalDecision,
  scaffolderActionConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import { actionExecutePermission } from '@backstage/plugin-scaffolder-common/alpha';
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
  /**
   * Permissions every signed-in user may use, whatever their groups: the
   * plugin itself decides per resource (e.g. only a drill's participants
   * check its steps).
   */
  signedIn?: Permission[];
}

/**
 * Who may do what in the ops plugins, by the prefix of a permission's name.
 * Groups are catalog Group refs; membership is read from the catalog when a
 * decision is made (see CatalogMemberships), not from the sign-in token.
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
    signedIn: [drillsParticipatePermission],
  },
  // Alerts carry client addresses and user refs: not for everyone.
  security: {
    permissions: securityPermissions,
    readers: [
      'group:default/platform',
      'group:default/oncall',
      'group:default/compliance',
    ],
    writers: ['group:default/platform', 'group:default/oncall'],
  },
};

/**
 * Who may change production from the Create page: the rollback actions run
 * only for these groups, and the templates labelled `RESTRICTED_LABEL` are
 * shown only to them.
 */
export interface RollbackGrant {
  groups: string[];
  /** Scaffolder actions only these groups may execute (rollbacks, announcements). */
  actionIds: string[];
}

export const ROLLBACK_GRANT: RollbackGrant = {
  groups: ['group:default/oncall', 'group:default/platform'],
  actionIds: [
    'ops:rollback:kubernetes',
    'ops:rollback:image',
    'ops:rollback:git-revert',
    // Posts to the incident channel and the public status page.
    'ops:notify',
  ],
};

/** A Template with this label is listed only for the rollback groups. */
export const RESTRICTED_LABEL = 'ops.portal/restricted';

/**
 * Who may use the permissions on privacy requests (`privacy-request`
 * resources: read, see the subject id, approve, download the export).
 */
export interface PrivacyRequestGrant {
  /** Groups that read every request, in every region, never a subject id nor a bundle. */
  auditors: string[];
  /**
   * Groups whose members use every privacy-request permission on the
   * requests of the regions their groups own (`privacy.regions.<R>.owner`,
   * by default group:default/privacy for all) and on those they filed.
   */
  operators: string[];
}

export const PRIVACY_REQUEST_GRANT: PrivacyRequestGrant = {
  auditors: ['group:default/compliance'],
  operators: ['group:default/privacy'],
};

/** The groups a user is a member of, as entity refs. */
export interface MembershipResolver {
  groupsOf(userEntityRef: string): Promise<string[]>;
}

/**
 * Group membership read from the catalog (Groups whose `hasMember` relation
 * names the user), cached per user for `ttlMs`. A token's ownership claims
 * are fixed for its lifetime (up to an hour): a user removed from a group
 * would keep its access, and one who signed in before the catalog had
 * loaded the org would have none. Here both settle within `ttlMs`.
 */
export class CatalogMemberships implements MembershipResolver {
  readonly #cache = new Map<
    string,
    { at: number; groups: Promise<string[]> }
  >();

  constructor(
    private readonly catalog: Pick<CatalogService, 'getEntities'>,
    private readonly auth: Pick<AuthService, 'getOwnServiceCredentials'>,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  groupsOf(userEntityRef: string): Promise<string[]> {
    const ref = userEntityRef.toLocaleLowerCase('en-US');
    const cached = this.#cache.get(ref);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.groups;
    const groups = this.#read(ref);
    this.#cache.set(ref, { at: this.now(), groups });
    // A failed read is not remembered: the next decision asks again.
    groups.catch(() => this.#cache.delete(ref));
    return groups;
  }

  async #read(userEntityRef: string): Promise<string[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Group', 'relations.hasMember': userEntityRef },
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items.map(entity => stringifyEntityRef(entity));
  }
}

/**
 * The portal's permission policy. Ops permissions (`privacy.*`, `slo.*`,
 * `evidence.*`, `drills.*`, `security.*`) are granted by group membership per OPS_GRANTS;
 * anything unknown under those prefixes is denied. Other Backstage
 * permissions (catalog, scaffolder) are allowed to signed-in users, as a
 * portal without its own rules for them would.
 */
export class OpsPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly memberships: MembershipResolver,
    private readonly grants: Record<string, OpsGrant> = OPS_GRANTS,
    private readonly privacyRequests: PrivacyRequestGrant = PRIVACY_REQUEST_GRANT,
    private readonly rollbacks: RollbackGrant = ROLLBACK_GRANT,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isResourcePermission(request.permission, 'scaffolder-action') ||
      isResourcePermission(request.permission, 'catalog-entity')
    ) {
      return this.#rollbackGuard(request.permission, user);
    }
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
    if (grant.signedIn?.some(p => p.name === request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    const groups = await this.memberships.groupsOf(user.info.userEntityRef);
    if (
      isResourcePermission(request.permission, PRIVACY_REQUEST_RESOURCE_TYPE)
    ) {
      return this.#privacyRequest(request.permission, user, groups);
    }
    const allowed =
      request.permission.attributes.action === 'read'
        ? grant.readers
        : grant.writers;
    const memberships = new Set(groups);
    const granted =
      allowed.includes(EVERYONE) ||
      allowed.some(group => memberships.has(group));
    return { result: granted ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }

  /**
   * The rollback actions, and reading the templates labelled
   * RESTRICTED_LABEL, only for members of the rollback groups; for everyone
   * else the scaffolder and the catalog apply the conditions (every other
   * action and entity stays allowed). Other scaffolder-action and
   * catalog-entity permissions are allowed.
   */
  async #rollbackGuard(
    permission: ResourcePermission<'scaffolder-action' | 'catalog-entity'>,
    user: PolicyQueryUser | undefined,
  ): Promise<PolicyDecision> {
    const guarded =
      permission.name === actionExecutePermission.name ||
      permission.name === catalogEntityReadPermission.name;
    if (!guarded) return { result: AuthorizeResult.ALLOW };
    if (user) {
      const groups = await this.memberships.groupsOf(user.info.userEntityRef);
      if (groups.some(group => this.rollbacks.groups.includes(group))) {
        return { result: AuthorizeResult.ALLOW };
      }
    }
    if (isResourcePermission(permission, 'scaffolder-action')) {
      const [first, ...rest] = this.rollbacks.actionIds.map(actionId =>
        scaffolderActionConditions.hasActionId({ actionId }),
      );
      return createScaffolderActionConditionalDecision(permission, {
        not: { anyOf: [first, ...rest] },
      });
    }
    return createCatalogConditionalDecision(
      permission as ResourcePermission<'catalog-entity'>,
      {
        not: {
          allOf: [
            catalogConditions.isEntityKind({ kinds: ['template'] }),
            catalogConditions.hasLabel({ label: RESTRICTED_LABEL }),
          ],
        },
      },
    );
  }

  /**
   * Auditors read every request (ALLOW); operators get each privacy-request
   * permission on the requests their groups own or they filed (CONDITIONAL,
   * applied by the privacy backend); anyone else is denied.
   */
  #privacyRequest(
    permission: ResourcePermission<typeof PRIVACY_REQUEST_RESOURCE_TYPE>,
    user: PolicyQueryUser,
    groups: string[],
  ): PolicyDecision {
    const { auditors, operators } = this.privacyRequests;
    if (
      permission.name === privacyRequestReadPermission.name &&
      groups.some(group => auditors.includes(group))
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!groups.some(group => operators.includes(group))) {
      return { result: AuthorizeResult.DENY };
    }
    return createPrivacyRequestConditionalDecision(permission, {
      anyOf: [
        privacyRequestConditions.isRegionOwnedBy({ groups }),
        privacyRequestConditions.isRequester({
          userEntityRef: user.info.userEntityRef,
        }),
      ],
    });
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'ops-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      async init({ policy, catalog, auth }) {
        policy.setPolicy(
          new OpsPermissionPolicy(new CatalogMemberships(catalog, auth)),
        );
      },
    });
  },
});
