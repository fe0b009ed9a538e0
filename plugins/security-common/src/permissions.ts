import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read alerts, their triggering events (client addresses, user refs, user
 * agents) and the pipeline's rules and counters. Not for everyone: the
 * events hold personal data.
 */
export const securityAlertReadPermission = createPermission({
  name: 'security.alert.read',
  attributes: { action: 'read' },
});

/** Acknowledge, close or reopen an alert, with a note. */
export const securityAlertManagePermission = createPermission({
  name: 'security.alert.manage',
  attributes: { action: 'update' },
});

export const securityPermissions = [
  securityAlertReadPermission,
  securityAlertManagePermission,
];
