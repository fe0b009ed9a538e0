export {
  normalizeLine,
  normalizeRecord,
  MAPPERS,
  DEFAULT_MAX_LINE_LENGTH,
} from './normalizeLine';
export { normalizeStream, ProblemCounter } from './normalizeStream';
export { PRIVACY_INTAKE_ACTION, markPrivacyIntake } from './privacyIntake';
export type { LineProblem, NumberedResult } from './normalizeStream';
export type {
  Mapper,
  NormalizeOptions,
  NormalizeResult,
  ProblemKind,
} from './types';
