import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  consentChangeSchema,
  type ConsentChange,
  type ConsentPurpose,
  type ConsentState,
} from '@internal/plugin-privacy-common';
import { useCallback } from 'react';
import { privacyApiRef } from '../api';
import { fieldErrors, useSchemaForm } from '@internal/plugin-ops-react';

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
  const initial = useCallback(() => emptyConsent(subjectId), [subjectId]);
  const send = useCallback(
    async (change: ConsentChange) => {
      const state = await privacyApi.changeConsent(change);
      alertApi.post({
        message: `Consent to ${change.purpose} ${
          change.granted ? 'granted' : 'withdrawn'
        } for ${change.subject.id}`,
        severity: 'success',
        display: 'transient',
      });
      onRecorded(state);
    },
    [privacyApi, alertApi, onRecorded],
  );
  return useSchemaForm<RecordConsentValues, RecordConsentField, ConsentChange>({
    initial,
    parse: parseRecordConsentForm,
    send,
  });
}

function parseRecordConsentForm(values: RecordConsentValues) {
  const parsed = parseRecordConsent(values);
  return parsed.ok ? { ok: true as const, body: parsed.change } : parsed;
}
