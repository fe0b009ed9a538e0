export {
  KubernetesStandIn,
  podTemplateHash,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from './KubernetesStandIn';
export type {
  DeploymentBehaviour,
  KubernetesStandInOptions,
  SeedOptions,
  StandInFault,
  StandInRequest,
  StandInRoute,
} from './KubernetesStandIn';
export { parseLabelSelector } from './labelSelector';
