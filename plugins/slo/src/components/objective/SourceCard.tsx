import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { sloApiRef } from '../../api';
import { YamlBlock } from './YamlBlock';

/** The OpenSLO document the objective was read from. */
export function SourceCard(props: { objectiveRef: string; name: string }) {
  const sloApi = useApi(sloApiRef);
  const state = useAsync(
    () => sloApi.getSource(props.objectiveRef),
    [sloApi, props.objectiveRef],
  );
  return (
    <InfoCard title="OpenSLO source">
      <YamlBlock
        text={state.value}
        loading={state.loading}
        error={state.error}
        fileName={`${props.name}.openslo.yaml`}
        what="source document"
      />
    </InfoCard>
  );
}
