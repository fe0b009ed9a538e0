/**
 * OpenSLO v1 files read into normalized objectives.
 *
 * @packageDocumentation
 */
export {
  parseOpenSlo,
  parseOpenSloText,
  durationMinutes,
  formatPath,
} from './parseOpenSlo';
export type { OpenSloFile, OpenSloParseResult } from './parseOpenSlo';
export {
  fanOut,
  FAN_OUT_BY_ANNOTATION,
  FAN_OUT_VALUES_ANNOTATION,
} from './fanOut';
