import { StatusError, StatusOK } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { usePermission } from '@backstage/plugin-permission-react';
import { privacyAdminPermission } from '@internal/plugin-privacy-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { privacyApiRef } from '../../api';
import { describeError } from '@internal/plugin-ops-react';

/**
 * Checks the hash chain of the whole audit log on demand; shown only to
 * those the policy lets verify it (privacy.admin).
 */
export function AuditChainStatus() {
  const privacyApi = useApi(privacyApiRef);
  const { allowed } = usePermission({ permission: privacyAdminPermission });
  const [{ value, loading, error }, verify] = useAsyncFn(
    () => privacyApi.verifyAudit(),
    [privacyApi],
  );
  let result = null;
  if (error) {
    result = (
      <StatusError>
        Could not verify: {describeError(error).message}
      </StatusError>
    );
  } else if (value?.ok) {
    result = <StatusOK>Chain intact: {value.count} events</StatusOK>;
  } else if (value && !value.ok) {
    result = (
      <StatusError>
        Chain broken at event {value.brokenAt.seq}: {value.brokenAt.reason}
      </StatusError>
    );
  }
  if (!allowed) return null;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      {result}
      <Button
        size="small"
        variant="outlined"
        onClick={verify}
        disabled={loading}
      >
        Verify audit chain
      </Button>
    </Box>
  );
}
