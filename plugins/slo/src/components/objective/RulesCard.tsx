import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { RulesFormat, sloApiRef } from '../../api';
import { YamlBlock } from './YamlBlock';

const FORMATS: Array<{ format: RulesFormat; label: string; file: string }> = [
  { format: 'rules', label: 'Prometheus rule file', file: 'rules' },
  {
    format: 'prometheusrule',
    label: 'PrometheusRule (Kubernetes)',
    file: 'prometheusrule',
  },
];

/** The recording and alerting rules generated for the objective, in both formats. */
export function RulesCard(props: { objectiveRef: string; name: string }) {
  const sloApi = useApi(sloApiRef);
  const [index, setIndex] = useState(0);
  const { format, file } = FORMATS[index];
  const state = useAsync(
    () => sloApi.getRules(props.objectiveRef, format),
    [sloApi, props.objectiveRef, format],
  );
  return (
    <InfoCard title="Generated Prometheus rules">
      <Tabs
        value={index}
        onChange={(_event, value: number) => setIndex(value)}
        indicatorColor="primary"
      >
        {FORMATS.map(f => (
          <Tab key={f.format} label={f.label} />
        ))}
      </Tabs>
      <YamlBlock
        text={state.value}
        loading={state.loading}
        error={state.error}
        fileName={`${props.name}-${file}.yaml`}
        what="generated rules"
      />
    </InfoCard>
  );
}
