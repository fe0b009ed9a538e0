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
import { useCallback, useRef } from 'react';
import { privacyApiRef } from '../api';
import { fieldErrors, useSchemaForm } from '@internal/plugin-ops-react';

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

const initialNewRequest = () => emptyNewRequest;

function parseNewRequestForm(values: NewRequestValues) {
  const parsed = parseNewRequest(values);
  return parsed.ok ? { ok: true as const, body: parsed.intake } : parsed;
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
  const idempotency = useRef<{ body: string; key: string }>();

  const send = useCallback(
    async (intake: DsarIntake, values: NewRequestValues) => {
      const body = JSON.stringify([values.type, intake]);
      if (idempotency.current?.body !== body) {
        idempotency.current = { body, key: newKey() };
      }
      const options = { idempotencyKey: idempotency.current.key };
      const { request, duplicate } =
        values.type === 'export'
          ? await privacyApi.submitExport(intake, options)
          : await privacyApi.submitDelete(intake, options);
      alertApi.post({
        message: duplicate
          ? `Request ${request.id} is already open for this subject`
          : `${values.type === 'export' ? 'Export' : 'Erasure'} request ${
              request.id
            } received`,
        severity: duplicate ? 'info' : 'success',
        display: 'transient',
      });
      idempotency.current = undefined;
      onCreated(request);
    },
    [privacyApi, alertApi, onCreated],
  );

  const form = useSchemaForm<NewRequestValues, NewRequestField, DsarIntake>({
    initial: initialNewRequest,
    parse: parseNewRequestForm,
    send,
    resetAfterSend: true,
  });
  const { reset } = form;
  return {
    ...form,
    reset: useCallback(() => {
      idempotency.current = undefined;
      reset();
    }, [reset]),
  };
}
