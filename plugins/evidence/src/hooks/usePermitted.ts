import type { evidencePermissions } from '@internal/plugin-evidence-common';
import { usePermission } from '@backstage/plugin-permission-react';

export type EvidencePermission = (typeof evidencePermissions)[number];

/**
 * Whether the signed-in user may do what `permission` guards, to hide or
 * disable its button. The backend checks every call whatever this says.
 */
export function usePermitted(permission: EvidencePermission): {
  loading: boolean;
  allowed: boolean;
} {
  return usePermission({ permission });
}
