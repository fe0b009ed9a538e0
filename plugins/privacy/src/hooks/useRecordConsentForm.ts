import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  consentChangeSchema,
  type ConsentChange,
  type ConsentPurpose,
  type ConsentState,
} from '@internal/plugin-privacy-common';
import { useCallback, useState } from 'react';
import { privacyApiRef } from '../api';
import { fieldErrors, submitErrorMessage } from '../lib/forms';

export interface RecordConsentValues {
  subjectId: string;
  purpose: ConsentPurpose | '';
  granted: boolean;
  source: string;
}

export type RecordConsentField = Exclude<keyof RecordConsentValues, 'granted'>;
export type RecordConsentErrors = Partial<Record<RecordConsentField, string>>;

/** Where a consent recorded by hand in the portal comes from, unless told otherwise. */
export const DEFAULT_CONSENT_SOURCE = 'privacy-portal';

/** A blank form, for one subject when one is known. */
export function emptyConsent(subjectId = ''): RecordConsentValues {
  return {
    subjectId,
    purpose: '',
    granted: true,
    source: DEFAULT_CONSENT_SOURCE,
  };
}

const fieldOfPath: Record<string, RecordConsentField> = {
  'subject.id': 'subjectId',
  purpose: 'purpose',
  source: 'source',
};

/** The form checked against `consentChangeSchema`: the body, or its field errors. */
export function parseRecordConsent(
  values: RecordConsentValues,
):
  | { ok: true; change: ConsentChange }
  | { ok: false; errors: RecordConsentErrors } {
  const result = consentChangeSchema.safeParse({
    subject: { id: values.subjectId },
    purpose: values.purpose,
    granted: values.granted,
    source: values.source,
  });
  if (result.success) return { ok: true, change: result.data };
  return {
    ok: false,
    errors: fieldErrors(result.error.issues, fieldOfPath),
  };
}

/**
 * State of the record-consent dialog: the values (prefilled with `subjectId`
 * on every `reset`), their errors, the server's answer. On success it says so
 * in an alert and hands the subject's new consent state to `onRecorded`.
 */
export function useRecordConsentForm(
  subjectId: string,
  onRecorded: (state: ConsentState) => void,
) {
  const privacyApi = useApi(privacyApiRef);
  const alertApi = useApi(alertApiRef);
  const [values, setValues] = useState(() => emptyConsent(subjectId));
  const [errors, setErrors] = useState<RecordConsentErrors>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  const setValue = useCallback(
    <K extends keyof RecordConsentValues>(
      key: K,
      value: RecordConsentValues[K],
    ) => {
      setValues(previous => ({ ...previous, [key]: value }));
      if (key !== 'granted') {
        setErrors(previous => ({ ...previous, [key]: undefined }));
      }
    },
    [],
  );

  const reset = useCallback(() => {
    setValues(emptyConsent(subjectId));
    setErrors({});
    setServerError(undefined);
  }, [subjectId]);

  const submit = useCallback(async () => {
    setServerError(undefined);
    const parsed = parseRecordConsent(values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const { change } = parsed;
      const state = await privacyApi.changeConsent(change);
      alertApi.post({
        message: `Consent to ${change.purpose} ${
          change.granted ? 'granted' : 'withdrawn'
        } for ${change.subject.id}`,
        severity: 'success',
        display: 'transient',
      });
      onRecorded(state);
    } catch (error) {
      setServerError(submitErrorMessage(error));
    } finally {
      setSubmitting(false);
    }
  }, [values, privacyApi, alertApi, onRecorded]);

  return { values, setValue, errors, serverError, submitting, submit, reset };
}
