/** The envelope every ops list route answers with. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}
