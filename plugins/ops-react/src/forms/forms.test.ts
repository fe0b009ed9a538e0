import { act, renderHook } from '@testing-library/react';
import { describeError, fieldErrors, submitErrorMessage } from './errors';
import { FormParse, useSchemaForm } from './useSchemaForm';

describe('form errors', () => {
  it('reads the backend message and status of a ResponseError', () => {
    const error = Object.assign(new Error('Request failed with 409'), {
      statusCode: 409,
      body: { error: { message: 'illegal transition' } },
    });
    expect(describeError(error)).toEqual({
      status: 409,
      message: 'illegal transition',
    });
    expect(describeError(new Error('offline'))).toEqual({
      status: undefined,
      message: 'offline',
    });
    expect(
      submitErrorMessage(Object.assign(new Error('no'), { statusCode: 403 })),
    ).toBe('Not permitted: no');
  });

  it('names the first issue of each field in words', () => {
    expect(
      fieldErrors(
        [
          {
            path: ['subject', 'id'],
            code: 'too_small',
            minimum: 1,
            message: 'x',
          },
          { path: ['subject', 'id'], code: 'custom', message: 'second' },
          {
            path: ['region'],
            code: 'invalid_enum_value',
            options: ['EU', 'US'],
            message: 'x',
          },
          { path: ['note'], code: 'too_big', maximum: 10, message: 'x' },
          { path: ['elsewhere'], code: 'custom', message: 'not a field' },
        ],
        { 'subject.id': 'subjectId', region: 'region', note: 'note' },
      ),
    ).toEqual({
      subjectId: 'Required',
      region: 'Choose one of EU, US',
      note: 'At most 10 characters',
    });
  });
});

type Values = { name: string };
const parse = (values: Values): FormParse<'name', string> =>
  values.name.trim()
    ? { ok: true, body: values.name.trim() }
    : { ok: false, errors: { name: 'Required' } };
const initial = () => ({ name: '' });

describe('useSchemaForm', () => {
  it('shows field errors without sending, and clears a field error when it changes', async () => {
    const send = jest.fn();
    const { result } = renderHook(() =>
      useSchemaForm({ initial, parse, send }),
    );
    await act(() => result.current.submit());
    expect(send).not.toHaveBeenCalled();
    expect(result.current.errors).toEqual({ name: 'Required' });
    act(() => result.current.setValue('name', 'a'));
    expect(result.current.errors.name).toBeUndefined();
  });

  it('sends the parsed body, shows what the server refused, resets after a send when asked', async () => {
    const send = jest
      .fn()
      .mockRejectedValueOnce(
        Object.assign(new Error('x'), {
          statusCode: 409,
          body: { error: { message: 'already open' } },
        }),
      )
      .mockResolvedValueOnce(undefined);
    const { result } = renderHook(() =>
      useSchemaForm({ initial, parse, send, resetAfterSend: true }),
    );
    act(() => result.current.setValue('name', ' alice '));
    await act(() => result.current.submit());
    expect(send).toHaveBeenLastCalledWith('alice', { name: ' alice ' });
    expect(result.current.serverError).toBe('already open');
    expect(result.current.values.name).toBe(' alice ');
    await act(() => result.current.submit());
    expect(result.current.serverError).toBeUndefined();
    expect(result.current.values.name).toBe('');
    expect(result.current.submitting).toBe(false);
  });
});
