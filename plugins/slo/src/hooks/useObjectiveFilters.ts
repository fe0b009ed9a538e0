import type { SloObjectiveState } from '@internal/plugin-slo-common';
import { useCallback, useMemo, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import type { ObjectiveListQuery, ObjectiveSort } from '../api';

export const SORT_OPTIONS = [
  { value: '', label: 'Name, A to Z' },
  { value: 'budget:asc', label: 'Budget left, least first' },
  { value: 'burn:desc', label: 'Burn rate, fastest first' },
  { value: 'state:desc', label: 'State, worst first' },
  { value: 'name:desc', label: 'Name, Z to A' },
] as const;

export type SortValue = (typeof SORT_OPTIONS)[number]['value'];

export interface ObjectiveFilterValues {
  owner: string;
  system: string;
  state: SloObjectiveState | '';
  q: string;
  sort: SortValue;
}

export type ObjectiveFilterQuery = Omit<ObjectiveListQuery, 'limit' | 'offset'>;

const initial: ObjectiveFilterValues = {
  owner: '',
  system: '',
  state: '',
  q: '',
  sort: '',
};

/** The filters as `GET /objectives` query parameters; unset ones left out. */
export function toQuery(filters: ObjectiveFilterValues): ObjectiveFilterQuery {
  const query: ObjectiveFilterQuery = {};
  if (filters.owner.trim()) query.owner = filters.owner.trim();
  if (filters.system.trim()) query.system = filters.system.trim();
  if (filters.state) query.state = filters.state;
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.sort) {
    const [sort, order] = filters.sort.split(':');
    query.sort = sort as ObjectiveSort;
    query.order = order as 'asc' | 'desc';
  }
  return query;
}

/**
 * The overview's filters and the query they make. Typing in a text field
 * waits `debounceMs` before the query (and so the table) changes.
 */
export function useObjectiveFilters(debounceMs = 300) {
  const [filters, setFilters] = useState<ObjectiveFilterValues>(initial);
  const [settled, setSettled] = useState<ObjectiveFilterValues>(initial);
  useDebounce(() => setSettled(filters), debounceMs, [filters]);
  const setFilter = useCallback(
    <K extends keyof ObjectiveFilterValues>(
      key: K,
      value: ObjectiveFilterValues[K],
    ) => setFilters(previous => ({ ...previous, [key]: value })),
    [],
  );
  const query = useMemo(() => toQuery(settled), [settled]);
  return { filters, setFilter, query };
}
