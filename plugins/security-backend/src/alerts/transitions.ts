import type { SecurityAlertStatus } from '@internal/plugin-security-common';

/**
 * open → acknowledged → closed; open → closed; reopen (acknowledged or
 * closed → open). A closed alert is reopened before it is acknowledged.
 */
const ALLOWED: Record<SecurityAlertStatus, SecurityAlertStatus[]> = {
  open: ['acknowledged', 'closed'],
  acknowledged: ['closed', 'open'],
  closed: ['open'],
};

export function canChangeStatus(
  from: SecurityAlertStatus,
  to: SecurityAlertStatus,
): boolean {
  return ALLOWED[from].includes(to);
}

/** The audit type of a status change. */
export function statusAuditType(to: SecurityAlertStatus): string {
  if (to === 'open') return 'alert.reopened';
  return to === 'acknowledged' ? 'alert.acknowledged' : 'alert.closed';
}
