/**
 * The SLO frontend plugin. The new frontend system uses the `./alpha` entry;
 * this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { sloPlugin, SloPage, EntitySloContent, EntitySloCard } from './plugin';
export { sloApiRef, SloClient } from './api';
export type {
  SloApi,
  ObjectiveListQuery,
  ObjectiveSort,
  AlertListQuery,
  PageQuery,
  RulesFormat,
} from './api';
export { rootRouteRef, objectiveRouteRef, demoSinkRouteRef } from './routes';
