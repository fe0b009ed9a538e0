import { usePermission } from '@backstage/plugin-permission-react';
import {
  DsarRequest,
  privacyAdminPermission,
  privacyRequestApprovePermission,
} from '@internal/plugin-privacy-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import { useRequestAction } from '../../hooks/useRequestAction';
import { allowedActions, RequestAction } from '../../lib/actions';
import { ExtendDeadlineDialog } from './ExtendDeadlineDialog';

const labels: Record<RequestAction, string> = {
  approve: 'Approve',
  cancel: 'Cancel request',
  retry: 'Retry',
  extend: 'Extend deadline',
};

/**
 * Approve / Cancel / Retry / Extend deadline, shown only to users whose
 * permissions allow them (approve, cancel and retry need
 * privacy.request.approve, extending needs privacy.admin) and enabled when the
 * state machine allows them. The server checks both again.
 */
export function RequestActions(props: {
  request: DsarRequest;
  onChanged: () => void;
}) {
  const { request, onChanged } = props;
  const { run, pending } = useRequestAction(request.id, onChanged);
  const [extendOpen, setExtendOpen] = useState(false);
  const allowed = allowedActions(request.state);
  const approver = usePermission({
    permission: privacyRequestApprovePermission,
    resourceRef: request.id,
  });
  const admin = usePermission({ permission: privacyAdminPermission });
  const permitted: Record<RequestAction, boolean> = {
    approve: approver.allowed,
    cancel: approver.allowed,
    retry: approver.allowed,
    extend: admin.allowed,
  };
  const button = (action: RequestAction, onClick: () => void) =>
    permitted[action] && (
      <Button
        key={action}
        variant={action === 'approve' ? 'contained' : 'outlined'}
        color={action === 'approve' ? 'primary' : 'default'}
        disabled={!allowed[action] || pending !== undefined}
        onClick={onClick}
      >
        {labels[action]}
      </Button>
    );
  return (
    <Box display="flex" style={{ gap: 8 }}>
      {button('approve', () => run('approve'))}
      {button('retry', () => run('retry'))}
      {button('extend', () => setExtendOpen(true))}
      {button('cancel', () => run('cancel'))}
      <ExtendDeadlineDialog
        open={extendOpen}
        submitting={pending === 'extend'}
        onClose={() => setExtendOpen(false)}
        onSubmit={async reason => {
          if (await run('extend', reason)) setExtendOpen(false);
        }}
      />
    </Box>
  );
}
