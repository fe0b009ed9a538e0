import type { FormParse } from '@internal/plugin-ops-react';
import type { NewBinder, NewException, UploadMetadata } from '../api';

/** The backend refuses an exception whose reason is shorter than this. */
export const EXCEPTION_REASON_MIN = 20;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A form's day (`YYYY-MM-DD`) as the first instant of that UTC day. */
export function startOfDay(day: string): string {
  return `${day}T00:00:00.000Z`;
}

/** A form's day as the last instant of that UTC day: periods include their last day. */
export function endOfDay(day: string): string {
  return `${day}T23:59:59.999Z`;
}

function periodErrors(start: string, end: string) {
  const errors: { periodStart?: string; periodEnd?: string } = {};
  if (!DAY.test(start)) errors.periodStart = 'Required';
  if (!DAY.test(end)) errors.periodEnd = 'Required';
  else if (!errors.periodStart && end < start) {
    errors.periodEnd = 'Ends before it starts';
  }
  return errors;
}

function result<F extends string, B>(
  errors: Partial<Record<F, string>>,
  body: () => B,
): FormParse<F, B> {
  return Object.values(errors).some(Boolean)
    ? { ok: false, errors }
    : { ok: true, body: body() };
}

export interface ExceptionValues {
  point: string;
  reason: string;
  approver: string;
  /** `YYYY-MM-DD`: the exception holds through this UTC day. */
  expiresOn: string;
}
export type ExceptionField = keyof ExceptionValues;

/** The exception form as a `POST /exceptions` body, or what is wrong with it. */
export function parseException(
  values: ExceptionValues,
  today: string,
): FormParse<ExceptionField, NewException> {
  const errors: Partial<Record<ExceptionField, string>> = {};
  const reason = values.reason.trim();
  if (!values.point) errors.point = 'Required';
  if (reason.length < EXCEPTION_REASON_MIN) {
    errors.reason = `At least ${EXCEPTION_REASON_MIN} characters (${reason.length} so far)`;
  }
  if (!values.approver.trim()) errors.approver = 'Required';
  if (!DAY.test(values.expiresOn)) errors.expiresOn = 'Required';
  else if (values.expiresOn < today) errors.expiresOn = 'Already past';
  return result(errors, () => ({
    point: values.point,
    reason,
    approver: values.approver.trim(),
    expiresAt: endOfDay(values.expiresOn),
  }));
}

export interface BinderValues {
  periodStart: string;
  periodEnd: string;
  points: string[];
}
export type BinderField = keyof BinderValues;

/** The binder form as a `POST /binders` body, or what is wrong with it. */
export function parseBinder(
  values: BinderValues,
): FormParse<BinderField, NewBinder> {
  const errors: Partial<Record<BinderField, string>> = periodErrors(
    values.periodStart,
    values.periodEnd,
  );
  if (values.points.length === 0) errors.points = 'Choose at least one point';
  return result(errors, () => ({
    periodStart: startOfDay(values.periodStart),
    periodEnd: endOfDay(values.periodEnd),
    points: values.points,
  }));
}

export interface UploadValues {
  file: File | null;
  title: string;
  points: string[];
  periodStart: string;
  periodEnd: string;
  entityRef: string;
}
export type UploadField = keyof UploadValues;

/** The upload form as the file and its metadata, or what is wrong with it. */
export function parseUpload(
  values: UploadValues,
): FormParse<UploadField, { file: File; metadata: UploadMetadata }> {
  const errors: Partial<Record<UploadField, string>> = periodErrors(
    values.periodStart,
    values.periodEnd,
  );
  if (!values.file) errors.file = 'Choose a file';
  if (!values.title.trim()) errors.title = 'Required';
  if (values.points.length === 0) errors.points = 'Choose at least one point';
  const entityRef = values.entityRef.trim();
  return result(errors, () => ({
    file: values.file as File,
    metadata: {
      title: values.title.trim(),
      points: values.points,
      periodStart: startOfDay(values.periodStart),
      periodEnd: endOfDay(values.periodEnd),
      ...(entityRef ? { entityRef } : {}),
    },
  }));
}
