import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import TablePagination from '@material-ui/core/TablePagination';
import Button from '@material-ui/core/Button';
import { ReactNode, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { Page } from './OpsApiClient';

export interface PagedTableProps<T extends object> {
  title: string;
  columns: TableColumn<T>[];
  /** Loads one page from the server. Give a stable function (useCallback). */
  load: (page: { limit: number; offset: number }) => Promise<Page<T>>;
  /** Shown in the table body when there is nothing to list. */
  emptyContent: ReactNode;
  initialPageSize?: number;
}

/**
 * A table paged on the server: only the visible page is fetched, the
 * pagination below it counts with the server's total. Shows a progress bar
 * while loading, the backend's error when a call fails, and `emptyContent`
 * when the list is empty, so an empty system shows empty, honestly.
 */
export function PagedTable<T extends object>(props: PagedTableProps<T>) {
  const { title, columns, load, emptyContent, initialPageSize = 25 } = props;
  const [pageIndex, setPageIndex] = useState(0);
  const [pageSize, setPageSize] = useState(initialPageSize);

  // A new loader (other filters, another entity) starts again at the first page.
  useEffect(() => setPageIndex(0), [load]);

  const { value, loading, error, retry } = useAsyncRetry(
    () => load({ limit: pageSize, offset: pageIndex * pageSize }),
    [load, pageIndex, pageSize],
  );

  if (error) {
    return (
      <>
        <ResponseErrorPanel
          error={error}
          title={`Could not load ${title.toLowerCase()}`}
        />
        <Button variant="outlined" onClick={retry}>
          Try again
        </Button>
      </>
    );
  }

  return (
    <>
      <Table<T>
        title={title}
        columns={columns}
        data={value?.items ?? []}
        isLoading={loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={loading ? undefined : emptyContent}
      />
      <TablePagination
        component="div"
        count={value?.totalCount ?? 0}
        page={pageIndex}
        rowsPerPage={pageSize}
        rowsPerPageOptions={[10, 25, 50, 100]}
        onPageChange={(_event, page) => setPageIndex(page)}
        onRowsPerPageChange={event => {
          setPageSize(Number(event.target.value));
          setPageIndex(0);
        }}
      />
    </>
  );
}
