import type { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type { ReactElement } from 'react';
import { privacyApiRef } from '../api';
import { stubPrivacyApi } from '../testing/fixtures';

/**
 * Renders `element` with a stubbed privacy API (overrides in `api`) and a
 * permission API that answers every check with `result`. usePermission
 * caches decisions per test file: one decision per file.
 */
export function renderWithDecision(
  element: ReactElement,
  result: AuthorizeResult,
  api: Parameters<typeof stubPrivacyApi>[0] = {},
) {
  const authorize = jest.fn().mockResolvedValue({ result });
  const privacyApi = stubPrivacyApi(api);
  const rendered = renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, privacyApi],
        [permissionApiRef, { authorize }],
      ]}
    >
      {element}
    </TestApiProvider>,
  );
  return { authorize, privacyApi, rendered };
}
