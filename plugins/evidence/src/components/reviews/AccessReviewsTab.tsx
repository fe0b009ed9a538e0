import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  evidenceSignOffPermission,
  type EvidenceItem,
} from '@internal/plugin-evidence-common';
import { PagedTable } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useCallback, useMemo, useState } from 'react';
import { evidenceApiRef, type AccessReviewEntry } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { formatDateTime, formatFact } from '../../lib/format';
import { itemRouteRef } from '../../routes';
import { ToneChip } from '../common/StateChip';
import { SignOffDialog } from './SignOffDialog';
import { unsorted } from '../common/columns';

/** A count from a review's summary: a number as is, a list by its length. */
function countOf(summary: Record<string, unknown>, key: string): number | null {
  const value = summary[key];
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.length;
  return null;
}

function Flag(props: { label: string; count: number | null }) {
  if (props.count === null) return null;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 4 }}>
      <ToneChip
        label={String(props.count)}
        tone={props.count > 0 ? 'attention' : 'ok'}
      />
      <Typography variant="body2">{props.label}</Typography>
    </Box>
  );
}

/** The access reviews, what each flagged, and who signed each off. */
export function AccessReviewsTab() {
  const api = useApi(evidenceApiRef);
  const itemPath = useRouteRef(itemRouteRef);
  const permitted = usePermitted(evidenceSignOffPermission);
  const [generation, setGeneration] = useState(0);
  const [signing, setSigning] = useState<EvidenceItem>();
  const load = useCallback(
    (page: { limit: number; offset: number }) => api.listAccessReviews(page),
    [api],
  );
  const columns = useMemo<TableColumn<AccessReviewEntry>[]>(
    () =>
      unsorted<AccessReviewEntry>([
        {
          title: 'Review',
          field: 'review.title',
          render: ({ review }) => (
            <Box>
              <Link to={itemPath({ id: review.id })}>{review.title}</Link>
              <Typography variant="caption" component="p" color="textSecondary">
                {formatDateTime(review.collectedAt)}
              </Typography>
            </Box>
          ),
        },
        {
          title: 'Scope',
          field: 'review.summary',
          render: ({ review }) => {
            const users = countOf(review.summary, 'users');
            const groups = countOf(review.summary, 'groups');
            return users === null && groups === null
              ? '—'
              : `${users ?? '—'} users, ${groups ?? '—'} groups`;
          },
        },
        {
          title: 'Flags',
          field: 'review.id',
          render: ({ review }) => (
            <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
              <Flag
                label="users in no group"
                count={countOf(review.summary, 'usersWithoutGroup')}
              />
              <Flag
                label="entities without an owner"
                count={countOf(review.summary, 'entitiesWithoutOwner')}
              />
            </Box>
          ),
        },
        {
          title: 'Since the last review',
          field: 'review.points',
          render: ({ review }) =>
            `${formatFact(
              countOf(review.summary, 'added'),
            )} added, ${formatFact(
              countOf(review.summary, 'removed'),
            )} removed`,
        },
        {
          title: 'Sign-off',
          field: 'signOff',
          render: ({ review, signOff }) =>
            signOff ? (
              <Box>
                <ToneChip label="signed off" tone="ok" />
                <Typography variant="body2">
                  by {formatFact(signOff.summary.reviewer ?? signOff.filedBy)}{' '}
                  on {formatDateTime(signOff.collectedAt)}
                </Typography>
                {typeof signOff.summary.comment === 'string' && (
                  <Typography variant="caption" color="textSecondary">
                    “{signOff.summary.comment}”
                  </Typography>
                )}
              </Box>
            ) : (
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <ToneChip label="awaiting sign-off" tone="attention" />
                {permitted.allowed && (
                  <Button
                    size="small"
                    variant="outlined"
                    color="primary"
                    onClick={() => setSigning(review)}
                  >
                    Sign off
                  </Button>
                )}
              </Box>
            ),
        },
      ]),
    [itemPath, permitted.allowed],
  );
  return (
    <>
      <PagedTable
        key={generation}
        title="Access reviews"
        columns={columns}
        load={load}
        initialPageSize={10}
        emptyContent={
          <EmptyState
            missing="data"
            title="No access reviews yet"
            description="The access review collector files one each quarter, or when run from the Collectors tab."
          />
        }
      />
      <SignOffDialog
        review={signing}
        onClose={() => setSigning(undefined)}
        onSigned={() => {
          setSigning(undefined);
          setGeneration(g => g + 1);
        }}
      />
    </>
  );
}
