import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  dsarIntakeSchema,
  type DsarIntake,
  type DsarRequest,
  type Jurisdiction,
  type PriorityName,
  type Region,
  type RequestType,
} from '@internal/plugin-privacy-common';
import { useCallback, useRef, useState } from 'react';
import { privacyApiRef } from '../api';
import { fieldErrors, submitErrorMessage } from '../lib/forms';

export interface NewRequestValues {
  type: RequestType;
  subjectId: string;
  email: string;
  region: Region | '';
  jurisdiction: Jurisdiction | '';
  priority: PriorityName;
}

export type NewRequestField = Exclude<keyof NewRequestValues, 'type'>;
export type NewRequestErrors = Partial<Record<NewRequestField, string>>;

export const emptyNewRequest: NewRequestValues = {
  type: 'export',
  subjectId: '',
  email: '',
  region: '',
  jurisdiction: '',
  priority: 'NORMAL',
};

const fieldOfPath: Record<string, NewRequestField> = {
  'subject.id': 'subjectId',
  'subject.email': 'email',
  region: 'region',
  jurisdiction: 'jurisdiction',
  priority: 'priority',
};

/** The form checked against `dsarIntakeSchema`: the body, or its field errors. */
export function parseNewRequest(
  values: NewRequestValues,
): { ok: true; intake: DsarIntake } | { ok: false; errors: NewRequestErrors } {
  const result = dsarIntakeSchema.safeParse({
    subject: {
      id: values.subjectId,
      ...(values.email.trim() ? { email: values.email.trim() } : {}),
    },
    region: values.region,
    jurisdiction: values.jurisdiction,
    priority: values.priority,
  });
  if (result.success) return { ok: true, intake: result.data };
  return {
    ok: false,
    errors: fieldErrors(result.error.issues, fieldOfPath),
  };
}

function newKey(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return uuid ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * State of the new-request dialog: the values, their errors, the server's
 * answer. A submit that is retried with the same body reuses its
 * Idempotency-Key, so it cannot create a second request.
 */
export function useNewRequestForm(onCreated: (request: DsarRequest) => void) {
  const privacyApi = useApi(privacyApiRef);
  const alertApi = useApi(alertApiRef);
  const [values, setValues] = useState<NewRequestValues>(emptyNewRequest);
  const [errors, setErrors] = useState<NewRequestErrors>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const idempotency = useRef<{ body: string; key: string }>();

  const setValue = useCallback(
    <K extends keyof NewRequestValues>(key: K, value: NewRequestValues[K]) => {
      setValues(previous => ({ ...previous, [key]: value }));
      if (key !== 'type') {
        setErrors(previous => ({ ...previous, [key]: undefined }));
      }
    },
    [],
  );

  const reset = useCallback(() => {
    setValues(emptyNewRequest);
    setErrors({});
    setServerError(undefined);
    idempotency.current = undefined;
  }, []);

  const submit = useCallback(async () => {
    setServerError(undefined);
    const parsed = parseNewRequest(values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    const body = JSON.stringify([values.type, parsed.intake]);
    if (idempotency.current?.body !== body) {
      idempotency.current = { body, key: newKey() };
    }
    const options = { idempotencyKey: idempotency.current.key };
    setSubmitting(true);
    try {
      const { request, duplicate } =
        values.type === 'export'
          ? await privacyApi.submitExport(parsed.intake, options)
          : await privacyApi.submitDelete(parsed.intake, options);
      alertApi.post({
        message: duplicate
          ? `Request ${request.id} is already open for this subject`
          : `${values.type === 'export' ? 'Export' : 'Erasure'} request ${
              request.id
            } received`,
        severity: duplicate ? 'info' : 'success',
        display: 'transient',
      });
      reset();
      onCreated(request);
    } catch (error) {
      setServerError(submitErrorMessage(error));
    } finally {
      setSubmitting(false);
    }
  }, [values, privacyApi, alertApi, reset, onCreated]);

  return { values, setValue, errors, serverError, submitting, submit, reset };
}
