import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import { slaCountdown } from '../../lib/sla';

/** "due in 5 h", "overdue by 2 h" or "done in 3.2 h", against the current time. */
export function SlaCountdown(props: {
  request: Pick<
    DsarRequest,
    'state' | 'createdAt' | 'completedAt' | 'slaDueAt'
  >;
  now?: number;
}) {
  const { text, tone } = slaCountdown(props.request, props.now ?? Date.now());
  switch (tone) {
    case 'overdue':
      return <StatusError>{text}</StatusError>;
    case 'due-soon':
    case 'done-late':
      return <StatusWarning>{text}</StatusWarning>;
    case 'done':
      return <StatusOK>{text}</StatusOK>;
    case 'canceled':
      return <StatusAborted>{text}</StatusAborted>;
    default:
      return <StatusPending>{text}</StatusPending>;
  }
}
