/**
 * The one priority scale of the ops plugins: larger is more urgent. Requests,
 * jobs and deliveries all use it; the BullMQ driver inverts it for Redis.
 */
export const PRIORITIES = { LOW: 1, NORMAL: 5, HIGH: 10, URGENT: 20 } as const;

export type PriorityName = keyof typeof PRIORITIES;

/** The names of the scale, lowest first, e.g. for a select field or a zod enum. */
export const PRIORITY_NAMES = Object.keys(PRIORITIES) as [
  PriorityName,
  ...PriorityName[],
];
