import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../../routes';

export type SecurityTab = 'alerts' | 'rules';

/** The addresses of the plugin's pages, below wherever it is mounted. */
export function useSecurityPaths() {
  const root = useRouteRef(rootRouteRef)();
  return {
    root,
    tab: (tab: SecurityTab) => `${root}/${tab}`,
    alert: (id: string) => `${root}/alerts/${encodeURIComponent(id)}`,
  };
}
