import {
  alertApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import type { DrillRunSignal, RunViewer } from '@internal/plugin-drills-common';
import { describeError } from '@internal/plugin-ops-react';
import { useCallback, useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { drillsApiRef } from '../../api';

/** How often the page says "I am looking" (the server forgets a viewer after 30 s). */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/** The signed-in user's entity ref; undefined until known. */
export function useCurrentUser(): string | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  return value;
}

/** Now, moving every second while `ticking`. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

const pageVisible = () => document.visibilityState !== 'hidden';

/**
 * Tells the server this run is open here, and answers who else has it open:
 * every 10 s while the page is visible, and again as soon as someone else
 * opens or closes it (a `presence` signal). Hiding the tab, closing it or
 * leaving the page tells the server at once that this person left, so the
 * others stop showing them; showing the tab again counts as arriving.
 */
export function usePresence(
  runId: string,
  lastSignal?: DrillRunSignal,
): RunViewer[] {
  const api = useApi(drillsApiRef);
  const [viewers, setViewers] = useState<RunViewer[]>([]);
  const [visible, setVisible] = useState(pageVisible);
  // Raised when the page comes back from the back-forward cache.
  const [restored, setRestored] = useState(0);
  const change = lastSignal?.change === 'presence' ? lastSignal : undefined;

  useEffect(() => {
    if (!visible) return undefined;
    let cancelled = false;
    const beat = async () => {
      try {
        const answer = await api.heartbeat(runId);
        if (!cancelled) setViewers(answer.viewers);
      } catch {
        // Presence is a courtesy: the last list stays until the next beat.
      }
    };
    beat();
    const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, runId, change, visible, restored]);

  useEffect(() => {
    let here = true;
    const leave = () => {
      if (!here) return;
      here = false;
      api.leave(runId).catch(() => {
        // A courtesy too: the server forgets the viewer after 30 s anyway.
      });
    };
    const onVisibilityChange = () => {
      const nowVisible = pageVisible();
      setVisible(nowVisible);
      if (nowVisible) here = true;
      else leave();
    };
    const onPageShow = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      here = true;
      setRestored(n => n + 1);
    };
    document.addEventListener('visibilitychange', onVisibilityChange);
    window.addEventListener('pagehide', leave);
    window.addEventListener('pageshow', onPageShow);
    return () => {
      document.removeEventListener('visibilitychange', onVisibilityChange);
      window.removeEventListener('pagehide', leave);
      window.removeEventListener('pageshow', onPageShow);
      leave();
    };
  }, [api, runId]);

  return viewers;
}

/**
 * Runs a change against the server, with `busy` while it is under way; a
 * failure becomes a toast naming `what` ("reach the checkpoint"). Answers
 * the result, or undefined when it failed.
 */
export function useAction() {
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const act = useCallback(
    async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      try {
        return await call();
      } catch (e) {
        const { status, message } = describeError(e);
        alertApi.post({
          message: `${
            status === 403 ? 'Not permitted to' : 'Could not'
          } ${what}: ${message}`,
          severity: 'error',
        });
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [alertApi],
  );
  return { busy, act };
}
