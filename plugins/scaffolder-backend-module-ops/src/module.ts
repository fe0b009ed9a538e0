import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createGitRevertAction } from './actions/gitRevert';
import { createRollbackKubernetesAction } from './actions/rollbackKubernetes';

/**
 * Registers the ops actions with the scaffolder. Not yet added to the
 * portal's backend: its permission checks, audit events and evidence filing
 * come first (issue 12, in progress).
 */
export default createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ops',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, catalog }) {
        scaffolder.addActions(
          createRollbackKubernetesAction({ config, catalog }),
          createGitRevertAction({
            config,
            getEntity: (ref, { credentials }) =>
              catalog.getEntityByRef(ref, { credentials }),
          }),
        );
      },
    });
  },
});
