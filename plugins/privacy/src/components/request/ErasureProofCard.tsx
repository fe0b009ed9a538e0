import {
  InfoCard,
  StatusOK,
  StatusPending,
  StatusWarning,
  StructuredMetadataTable,
} from '@backstage/core-components';
import type { DsarRequestDetail } from '@internal/plugin-privacy-common';
import { formatDateTime } from '../../lib/format';

/** The read-back after an erasure: 0 records remaining is the proof. */
export function ErasureProofCard(props: {
  proof: DsarRequestDetail['erasureProof'];
}) {
  const { proof } = props;
  if (!proof) {
    return (
      <InfoCard title="Erasure proof" variant="gridItem">
        <StatusPending>
          Not verified yet: the sources are read back once the erasure has run.
        </StatusPending>
      </InfoCard>
    );
  }
  return (
    <InfoCard title="Erasure proof" variant="gridItem">
      {proof.remaining === 0 ? (
        <StatusOK>
          Verified: no record of the subject remains in {proof.sources}{' '}
          {proof.sources === 1 ? 'source' : 'sources'}
        </StatusOK>
      ) : (
        <StatusWarning>
          {proof.remaining} {proof.remaining === 1 ? 'record' : 'records'} of
          the subject still found
        </StatusWarning>
      )}
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          'Verified at': formatDateTime(proof.verifiedAt),
          Sources: proof.sources,
          Remaining: proof.remaining,
        }}
      />
    </InfoCard>
  );
}
