import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  AuditChain,
  AuditChainer,
  CatalogServiceTargets,
  Outbox,
  OutboxWorker,
  migratedClient,
  readAuditKeyring,
} from '@internal/plugin-ops-node';
import { createDrillCheckpointAction } from './actions/drillCheckpoint';
import { createDrillStartAction } from './actions/drillStart';
import { createEvidenceBinderAction } from './actions/evidenceBinder';
import { createEvidenceCollectAction } from './actions/evidenceCollect';
import { createGitRevertAction } from './actions/gitRevert';
import { createNotifyAction } from './actions/notify';
import { createVerifyHealthAction } from './actions/verifyHealth';
import { createRollbackImageAction } from './actions/rollbackImage';
import { createRollbackKubernetesAction } from './actions/rollbackKubernetes';
import { readOpsActionsConfig } from './config';
import { startDemoCluster } from './demo/demoCluster';
import { createNotifyDeliverers, readNotifyConfig } from './notify';
import {
  ActionRecorder,
  EVIDENCE_TARGET,
  OPS_ACTIONS_AUDIT_TABLES,
  OPS_ACTIONS_MIGRATIONS_TABLE,
  OPS_ACTIONS_OUTBOX_TABLE,
  RecordedChange,
  auditedAction,
  changeEvidenceDeliverer,
  gitRevertChange,
  imageRollbackChange,
  kubernetesRollbackChange,
} from './record';

/**
 * Registers the ops actions with the scaffolder. Each real run of an action
 * is audited in the module's audit chain (in the scaffolder's database); a
 * rollback is also filed as CC8.1 evidence through the module's outbox.
 * Who may run which action is the permission policy's business, through the
 * scaffolder's own `scaffolder.action.execute` check.
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
        database: coreServices.database,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init(deps) {
        const { scaffolder, config, catalog, logger, lifecycle } = deps;
        const settings = readOpsActionsConfig(config);

        const db = await migratedClient(
          deps.database,
          '@internal/plugin-scaffolder-backend-module-ops',
          { tableName: OPS_ACTIONS_MIGRATIONS_TABLE },
        );
        const audit = new AuditChain({
          db,
          tables: OPS_ACTIONS_AUDIT_TABLES,
          keyring: readAuditKeyring(config, {
            allowCommittedKeys: settings.demo.enabled,
          }),
        });
        const chainer = new AuditChainer(audit, logger, undefined, {
          targets: new CatalogServiceTargets({
            catalog,
            auth: deps.auth,
            logger,
          }),
        });
        chainer.start();
        lifecycle.addShutdownHook(() => chainer.stop());

        // One outbox for what leaves the portal: evidence filings and notifications.
        const outbox = new Outbox({ db, table: OPS_ACTIONS_OUTBOX_TABLE });
        const filing = settings.evidenceFiling.enabled;
        const recorder: ActionRecorder = new ActionRecorder({
          db,
          audit,
          outbox: filing ? outbox : undefined,
          // Delivered at once when it can be, so the task shows the item.
          deliverNow: deliverDue,
        });
        const deliverers = {
          ...createNotifyDeliverers(readNotifyConfig(config)),
          ...(filing && {
            [EVIDENCE_TARGET]: changeEvidenceDeliverer({
              baseUrl: () => deps.discovery.getBaseUrl('evidence'),
              headers: async () => {
                const { token } = await deps.auth.getPluginRequestToken({
                  onBehalfOf: await deps.auth.getOwnServiceCredentials(),
                  targetPluginId: 'evidence',
                });
                return { authorization: `Bearer ${token}` };
              },
              recordFiled: (key, itemId) => recorder.recordFiled(key, itemId),
            }),
          }),
        };
        // Nothing to deliver (no filing, no notify target): no worker.
        const worker =
          Object.keys(deliverers).length > 0
            ? new OutboxWorker({
                outbox,
                deliverers,
                logger,
                pollIntervalMs: 5_000,
              })
            : undefined;
        async function deliverDue() {
          await worker?.deliverDue();
        }
        worker?.start();
        lifecycle.addShutdownHook(async () => {
          await worker?.stop();
        });

        const appBaseUrl = config.getString('app.baseUrl');
        const pluginApis = { auth: deps.auth, discovery: deps.discovery };
        const taskUrl = (taskId: string) =>
          `${appBaseUrl}/create/tasks/${taskId}`;
        const record = ({ change, entry }: RecordedChange) =>
          recorder.recordChange(change, entry);
        const auditEntry = recorder.audit.bind(recorder);

        if (settings.demo.enabled) {
          const cluster = await startDemoCluster(settings.demo.kubernetes);
          lifecycle.addShutdownHook(() => cluster.close());
          logger.warn(
            `DEMO Kubernetes API (a stand-in, not a cluster) at ${cluster.url}, holding the demo services`,
          );
        }

        scaffolder.addActions(
          auditedAction(
            createRollbackKubernetesAction({
              config,
              catalog,
              onRolledBack: rollback =>
                record(kubernetesRollbackChange(rollback, taskUrl)),
            }),
            auditEntry,
          ),
          auditedAction(
            createRollbackImageAction({
              config,
              catalog,
              onRolledBack: rollback =>
                record(imageRollbackChange(rollback, taskUrl)),
            }),
            auditEntry,
          ),
          auditedAction(
            createGitRevertAction({
              config,
              getEntity: (ref, { credentials }) =>
                catalog.getEntityByRef(ref, { credentials }),
              onReverted: result => record(gitRevertChange(result, taskUrl)),
            }),
            auditEntry,
          ),
          ...[
            createNotifyAction({
              config,
              db,
              outbox,
              deliverNow: deliverDue,
              stateOf: key => outbox.getByKey(key).then(d => d?.state),
            }),
            createVerifyHealthAction({ ...pluginApis, catalog }),
            createEvidenceCollectAction({ ...pluginApis, appBaseUrl }),
            createEvidenceBinderAction(pluginApis),
            createDrillStartAction({ ...pluginApis, appBaseUrl }),
            createDrillCheckpointAction(pluginApis),
          ].map(action => auditedAction(action, auditEntry)),
        );
      },
    });
  },
});
