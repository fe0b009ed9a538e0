import { alertApiRef, useApi, useApiHolder } from '@backstage/core-plugin-api';
import {
  type DrillRunSignal,
  drillRunChannel,
  type RunStep,
  type RunView,
} from '@internal/plugin-drills-common';
import { describeError } from '@internal/plugin-ops-react';
import { signalApiRef, useSignal } from '@backstage/plugin-signals-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { drillsApiRef } from '../../api';
import { shortRef } from './format';
import {
  applyPending,
  mergeRun,
  mergeStep,
  type PendingStep,
} from './mergeRun';

/** How often the run is read again when signals are off. */
export const POLL_INTERVAL_MS = 3000;

/** Nothing more will change: aborted, or finished with its evidence settled. */
function settled(run: RunView): boolean {
  if (run.state === 'aborted') return true;
  return (
    run.state === 'finished' &&
    !!run.evidence &&
    run.evidence.state !== 'pending'
  );
}

/**
 * One run, kept live: read again on every signal of its channel, or every
 * few seconds when signals are off. Step changes show at once and are put
 * right by the server's answer.
 */
export function useRun(runId: string) {
  const api = useApi(drillsApiRef);
  const alertApi = useApi(alertApiRef);
  const signalsOn = useApiHolder().get(signalApiRef) !== undefined;
  const { lastSignal } = useSignal(drillRunChannel(runId));

  const [run, setRun] = useState<RunView>();
  const [error, setError] = useState<Error>();
  const [liveError, setLiveError] = useState<Error>();
  const [pending, setPending] = useState<Record<string, PendingStep>>({});
  const loaded = useRef(false);
  const currentId = useRef(runId);
  currentId.current = runId;

  useEffect(() => {
    loaded.current = false;
    setRun(undefined);
    setError(undefined);
    setLiveError(undefined);
    setPending({});
  }, [runId]);

  const reload = useCallback(async () => {
    try {
      const next = await api.getRun(runId);
      // An answer for the run this page showed before it moved to another.
      if (runId !== currentId.current) return;
      loaded.current = true;
      setRun(current => mergeRun(current, next));
      setError(undefined);
      setLiveError(undefined);
    } catch (e) {
      if (runId !== currentId.current) return;
      if (loaded.current) setLiveError(e as Error);
      else setError(e as Error);
    }
  }, [api, runId]);

  useEffect(() => {
    reload();
  }, [reload, lastSignal]);

  const done = run ? settled(run) : false;
  useEffect(() => {
    if (signalsOn || done) return undefined;
    const timer = setInterval(reload, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [signalsOn, done, reload]);

  const update = useCallback((change: (current: RunView) => RunView) => {
    setRun(current => (current ? change(current) : current));
  }, []);

  const setStep = useCallback(
    async (step: RunStep, checked: boolean) => {
      const base = { checked, version: step.version };
      setPending(current => ({ ...current, [step.id]: base }));
      try {
        const result = await api.setStep(runId, step.id, {
          checked,
          expectedVersion: step.version,
        });
        if (result.ok) {
          update(current => mergeStep(current, result.step));
        } else {
          update(current => mergeStep(current, result.current));
          alertApi.post({
            message: `${shortRef(
              result.current.updatedBy,
            )} changed this step first`,
            severity: 'warning',
            display: 'transient',
          });
        }
      } catch (e) {
        alertApi.post({
          message: `Could not save the step: ${describeError(e).message}`,
          severity: 'error',
        });
      } finally {
        setPending(current => {
          const { [step.id]: _answered, ...rest } = current;
          return rest;
        });
      }
    },
    [api, alertApi, runId, update],
  );

  const view = useMemo(
    () => (run ? applyPending(run, pending) : undefined),
    [run, pending],
  );

  return {
    run: view,
    error,
    liveError,
    signalsOn,
    /** The last change announced on the run's channel (for presence). */
    lastSignal: lastSignal as DrillRunSignal | undefined,
    pendingSteps: pending,
    reload,
    update,
    setStep,
  };
}
