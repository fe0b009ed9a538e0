export * from './calendar';
export {
  calendarIcs,
  icsSequence,
  icsUid,
  ICS_UID_DOMAIN,
  type CalendarIcsOptions,
} from './ics';
export { vtimezoneComponent } from './vtimezone';
export { signFeedToken, verifyFeedToken } from './feedToken';
