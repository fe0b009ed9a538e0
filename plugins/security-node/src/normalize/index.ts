export {
  normalizeLine,
  MAPPERS,
  DEFAULT_MAX_LINE_LENGTH,
} from './normalizeLine';
export { normalizeStream, ProblemCounter } from './normalizeStream';
export type { LineProblem, NumberedResult } from './normalizeStream';
export { categorizeOpsAudit } from './mappers/opsAuditCategories';
export type { Categorization } from './mappers/opsAuditCategories';
export type {
  Mapper,
  NormalizeOptions,
  NormalizeResult,
  ProblemKind,
} from './types';
