import type {
  PriorityName,
  Region,
  RequestListQuery,
  RequestState,
  RequestType,
} from '@internal/plugin-privacy-common';
import { useCallback, useMemo, useState } from 'react';

export const SORT_OPTIONS = [
  { value: '', label: 'Received, newest first' },
  { value: 'createdAt:asc', label: 'Received, oldest first' },
  { value: 'slaDueAt:asc', label: 'SLA due, soonest first' },
  { value: 'legalDueAt:asc', label: 'Legal due, soonest first' },
  { value: 'priority:desc', label: 'Priority, most urgent first' },
] as const;

export type SortValue = (typeof SORT_OPTIONS)[number]['value'];

export interface RequestFilterValues {
  state: RequestState | '';
  type: RequestType | '';
  region: Region | '';
  priority: PriorityName | '';
  overdue: boolean;
  sort: SortValue;
}

const initial: RequestFilterValues = {
  state: '',
  type: '',
  region: '',
  priority: '',
  overdue: false,
  sort: '',
};

export type FilterQuery = Omit<RequestListQuery, 'limit' | 'offset'>;

/** The filters as `GET /requests` query parameters; unset ones left out. */
export function toQuery(filters: RequestFilterValues): FilterQuery {
  const query: FilterQuery = {};
  if (filters.state) query.state = filters.state;
  if (filters.type) query.type = filters.type;
  if (filters.region) query.region = filters.region;
  if (filters.priority) query.priority = filters.priority;
  if (filters.overdue) query.overdue = true;
  if (filters.sort) {
    const [sort, order] = filters.sort.split(':');
    query.sort = sort as FilterQuery['sort'];
    query.order = order as FilterQuery['order'];
  }
  return query;
}

/** The queue filters and the query they make. */
export function useRequestFilters() {
  const [filters, setFilters] = useState<RequestFilterValues>(initial);
  const setFilter = useCallback(
    <K extends keyof RequestFilterValues>(
      key: K,
      value: RequestFilterValues[K],
    ) => setFilters(previous => ({ ...previous, [key]: value })),
    [],
  );
  // Same filters, new object: the query, and so the table's loader, renew.
  const refresh = useCallback(
    () => setFilters(previous => ({ ...previous })),
    [],
  );
  const query = useMemo(() => toQuery(filters), [filters]);
  return { filters, setFilter, query, refresh };
}
