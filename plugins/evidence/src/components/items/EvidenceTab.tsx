import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CloudUploadIcon from '@material-ui/icons/CloudUpload';
import { useCallback, useMemo, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { evidenceApiRef, type ItemListQuery } from '../../api';
import { useCollectors, useCriteria } from '../../hooks/useReference';
import {
  ItemFilters,
  emptyItemFilters,
  type ItemFilterValues,
} from './ItemFilters';
import { ItemsTable } from './ItemsTable';
import { UploadDialog, useMayUpload } from './UploadDialog';

type Filters = Omit<ItemListQuery, 'limit' | 'offset'>;

function toQuery(values: ItemFilterValues): Filters {
  const query: Filters = {};
  for (const key of Object.keys(values) as Array<keyof ItemFilterValues>) {
    const value = values[key].trim();
    if (value) query[key] = value;
  }
  return query;
}

/** Every evidence item, filtered and paged on the server; upload a document. */
export function EvidenceTab() {
  const api = useApi(evidenceApiRef);
  const criteria = useCriteria();
  const collectors = useCollectors();
  const mayUpload = useMayUpload();
  const [values, setValues] = useState<ItemFilterValues>(emptyItemFilters);
  // Typed filters settle before they reach the server; chosen ones go at once.
  const [typed, setTyped] = useState({ entityRef: '', q: '' });
  useDebounce(
    () =>
      // The same text keeps the same object: no new query, no reload.
      setTyped(previous =>
        previous.entityRef === values.entityRef && previous.q === values.q
          ? previous
          : { entityRef: values.entityRef, q: values.q },
      ),
    300,
    [values.entityRef, values.q],
  );
  const [uploadOpen, setUploadOpen] = useState(false);

  const query = useMemo(
    () => toQuery({ ...values, ...typed }),
    [values, typed],
  );
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listItems({ ...page, ...query }),
    [api, query],
  );
  const onChange = useCallback(
    (key: keyof ItemFilterValues, value: string) =>
      setValues(previous => ({ ...previous, [key]: value })),
    [],
  );
  const onUploaded = useCallback(() => {
    setUploadOpen(false);
    // Same filters, new object: the query, and so the table's loader, renew.
    setValues(previous => ({ ...previous }));
  }, []);

  return (
    <>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <Box flexGrow={1}>
          <ItemFilters
            values={values}
            onChange={onChange}
            criteria={criteria.value ?? []}
            collectors={collectors.value ?? []}
          />
        </Box>
        {mayUpload.allowed && (
          <Button
            variant="contained"
            color="primary"
            startIcon={<CloudUploadIcon />}
            onClick={() => setUploadOpen(true)}
          >
            Upload evidence
          </Button>
        )}
      </Box>
      <ItemsTable load={load} filtered={Object.keys(query).length > 0} />
      <UploadDialog
        open={uploadOpen}
        criteria={criteria.value ?? []}
        onClose={() => setUploadOpen(false)}
        onUploaded={onUploaded}
      />
    </>
  );
}
