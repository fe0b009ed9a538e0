import type { TableColumn } from '@backstage/core-components';

/** Columns of a server-paged table: the server orders, so none sorts in the browser. */
export function unsorted<T extends object>(
  columns: TableColumn<T>[],
): TableColumn<T>[] {
  return columns.map(column => ({ ...column, sorting: false }));
}
