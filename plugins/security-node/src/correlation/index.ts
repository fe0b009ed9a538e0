export { CorrelationEngine } from './CorrelationEngine';
export type { CorrelationEngineOptions } from './CorrelationEngine';
export { parseCorrelationRules, CorrelationRuleError } from './ruleSchema';
export {
  SEED_RULES,
  seedRules,
  EXPORT_ACTIONS,
  PRIVACY_REQUEST_ACTIONS,
} from './seedRules';
export type { SeedRuleOptions } from './seedRules';
export type * from './types';
