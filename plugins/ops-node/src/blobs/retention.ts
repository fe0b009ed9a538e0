import { InputError, NotAllowedError } from '@backstage/errors';

/** A clock; stores take one so tests can move time instead of waiting. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/**
 * The retention a write asks for: `retainUntil` when it lies after `now`,
 * else none (a date that has passed retains nothing). An invalid Date is an
 * InputError.
 */
export function requestedRetention(
  retainUntil: Date | undefined,
  now: Date,
): Date | undefined {
  if (retainUntil === undefined) return undefined;
  if (!(retainUntil instanceof Date) || Number.isNaN(retainUntil.getTime())) {
    throw new InputError('retainUntil must be a valid Date');
  }
  return retainUntil.getTime() > now.getTime() ? retainUntil : undefined;
}

/** Whether a blob retained until `retainUntil` is still retained at `now`. */
export function isRetained(retainUntil: Date | undefined, now: Date): boolean {
  return retainUntil !== undefined && retainUntil.getTime() > now.getTime();
}

/** The error of a delete or overwrite refused by retention. */
export function retainedError(key: string, retainUntil: Date): NotAllowedError {
  return new NotAllowedError(
    `Blob "${key}" is retained until ${retainUntil.toISOString()}: it cannot be deleted or overwritten before then`,
  );
}

/** The later of two optional dates. */
export function laterOf(
  a: Date | undefined,
  b: Date | undefined,
): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
