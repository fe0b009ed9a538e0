import { useCallback, useState } from 'react';
import { submitErrorMessage } from './errors';

/** A form's values checked against its schema: the body to send, or field errors. */
export type FormParse<F extends string, B> =
  | { ok: true; body: B }
  | { ok: false; errors: Partial<Record<F, string>> };

/**
 * The state of a form checked against a shared schema before it is sent:
 * its values, each field's error (cleared when the field changes), the
 * server's answer, and whether a submit is under way. `parse` turns values
 * into a body or field errors; `send` sends the body and throws when the
 * server refuses it (its message becomes `serverError`). `initial` gives the
 * values at the start and on every `reset`; keep it stable (useCallback).
 */
export function useSchemaForm<V extends object, F extends string, B>(options: {
  initial: () => V;
  parse: (values: V) => FormParse<F, B>;
  send: (body: B, values: V) => Promise<void>;
  /** Back to `initial()` once sent. Default false. */
  resetAfterSend?: boolean;
}) {
  const { initial, parse, send, resetAfterSend = false } = options;
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  const setValue = useCallback(<K extends keyof V>(key: K, value: V[K]) => {
    setValues(previous => ({ ...previous, [key]: value }));
    setErrors(previous =>
      key in previous ? { ...previous, [key]: undefined } : previous,
    );
  }, []);

  const reset = useCallback(() => {
    setValues(initial());
    setErrors({});
    setServerError(undefined);
  }, [initial]);

  const submit = useCallback(async () => {
    setServerError(undefined);
    const parsed = parse(values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await send(parsed.body, values);
      if (resetAfterSend) reset();
    } catch (error) {
      setServerError(submitErrorMessage(error));
    } finally {
      setSubmitting(false);
    }
  }, [values, parse, send, resetAfterSend, reset]);

  return { values, setValue, errors, serverError, submitting, submit, reset };
}
