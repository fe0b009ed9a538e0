import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../../routes';

const segment = encodeURIComponent;

/** The addresses of the plugin's pages, below wherever it is mounted. */
export function useDrillsPaths() {
  const root = useRouteRef(rootRouteRef)();
  return {
    root,
    tab: (tab: 'calendar' | 'runs' | 'history' | 'runbooks') =>
      `${root}/${tab}`,
    run: (id: string) => `${root}/runs/${segment(id)}`,
    report: (id: string) => `${root}/runs/${segment(id)}/report`,
    runbook: (id: string) => `${root}/runbooks/${segment(id)}`,
  };
}
