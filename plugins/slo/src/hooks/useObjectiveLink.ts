import { useRouteRef } from '@backstage/core-plugin-api';
import { objectivePath } from '../lib/format';
import { rootRouteRef } from '../routes';

/**
 * Links to objective pages, or undefined where the SLO page is not part of
 * the app (an entity page can be shown without it). useRouteRef runs all
 * its hooks before it throws, so catching keeps the hook order stable.
 */
export function useObjectiveLink(): ((id: string) => string) | undefined {
  let root: string | undefined;
  try {
    // Safe: useRouteRef calls all its hooks before it can throw.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    root = useRouteRef(rootRouteRef)();
  } catch {
    root = undefined;
  }
  return root === undefined ? undefined : id => objectivePath(root!, id);
}
