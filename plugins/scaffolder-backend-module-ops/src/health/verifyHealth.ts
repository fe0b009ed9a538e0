import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { pollUntil } from '../pluginApis/poll';
import {
  checkHealthUrl,
  displayUrl,
  HEALTH_URL_ANNOTATION,
  parseHealthUrl,
} from './healthUrl';
import { judgeObjective, judgeObjectives } from './judgeSlo';
import { SloClient, SloObjectiveListItem } from './sloClient';

/** The annotation naming an entity's SLO files (read by the SLO plugin). */
export const SLO_OBJECTIVES_ANNOTATION = 'slo.ops.portal/objectives';

export type HealthSource = 'slo' | 'health-url';

/** What one check found. */
export type HealthCheck = {
  healthy: boolean;
  source: HealthSource;
  /** One short text per objective (`; `-separated), or the URL's status. */
  details: string;
  checkedAt: string;
  /** The SLO plugin did not answer or failed (5xx): retried. */
  unavailable?: boolean;
};

/** The last check, how many were made and whether time ran out. */
export type HealthResult = HealthCheck & { checks: number; timedOut: boolean };

/** The SLO plugin calls made, with a signal per check. */
export type SloReader = Pick<SloClient, 'listObjectives' | 'getStatus'>;

export type VerifyHealthOptions = {
  entity: Entity;
  /** The SLO plugin's client for one check, its calls bound to `signal`. */
  slo: (signal: AbortSignal) => SloReader;
  /** For the health URL; default the global fetch. */
  fetch?: typeof fetch;
  /** How long to wait for health; 0 checks once (a dry run). */
  timeoutMs: number;
  pollIntervalMs: number;
  /** Per SLO check and per health URL request (default 5 s for the URL, 10 s for the SLO plugin). */
  healthUrlTimeoutMs?: number;
  sloTimeoutMs?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
};

/**
 * Checks an entity's health until healthy or `timeoutMs` has passed: by its
 * `ops.portal/health-url` annotation when set (2xx is healthy), otherwise by
 * its objectives in the SLO plugin (see `judgeObjective`). An SLO plugin that
 * does not answer or fails is retried within the time. An entity with neither
 * fails at once, naming both annotations.
 */
export async function verifyHealth(
  options: VerifyHealthOptions,
): Promise<HealthResult> {
  const { entity } = options;
  const entityRef = stringifyEntityRef(entity);
  const annotations = entity.metadata.annotations ?? {};
  const healthUrl = annotations[HEALTH_URL_ANNOTATION]
    ? parseHealthUrl(annotations[HEALTH_URL_ANNOTATION])
    : undefined;
  let objectives: SloObjectiveListItem[] | undefined;

  const noSourceError = () =>
    new InputError(
      `Cannot verify the health of ${entityRef}: the SLO plugin has no objectives for it (annotation ${SLO_OBJECTIVES_ANNOTATION}) and it has no ${HEALTH_URL_ANNOTATION} annotation`,
    );

  const checkSlo = async (): Promise<HealthCheck> => {
    const sloTimeoutMs = options.sloTimeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(sloTimeoutMs);
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeout])
      : timeout;
    const slo = options.slo(signal);
    const checkedAt = new Date().toISOString();
    try {
      objectives ??= await slo.listObjectives(entityRef);
      if (objectives.length === 0) {
        objectives = undefined;
        if (!annotations[SLO_OBJECTIVES_ANNOTATION]) throw noSourceError();
        // Named by the entity, but not loaded yet (the SLO plugin reads its
        // files after start): asked again until the timeout.
        return {
          healthy: false,
          source: 'slo',
          details: `The SLO plugin lists no objectives for ${entityRef} yet, though its ${SLO_OBJECTIVES_ANNOTATION} annotation names some`,
          checkedAt,
          unavailable: true,
        };
      }
      const statuses = await Promise.all(
        objectives.map(o => slo.getStatus(o.id)),
      );
      const verdict = judgeObjectives(
        objectives.map((o, i) =>
          judgeObjective(o.displayName || o.id, statuses[i]),
        ),
      );
      return { ...verdict, source: 'slo', checkedAt };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      let details: string;
      if (timeout.aborted) {
        details = `The slo plugin did not answer within ${
          sloTimeoutMs / 1000
        } s`;
      } else if (error instanceof ServiceUnavailableError) {
        details = error.message;
      } else {
        throw error;
      }
      return {
        healthy: false,
        source: 'slo',
        details,
        checkedAt,
        unavailable: true,
      };
    }
  };

  const check = async (): Promise<HealthCheck> => {
    if (!healthUrl) return checkSlo();
    const checkedAt = new Date().toISOString();
    const result = await checkHealthUrl(healthUrl, {
      fetch: options.fetch,
      timeoutMs: options.healthUrlTimeoutMs,
      signal: options.signal,
    });
    return { ...result, source: 'health-url', checkedAt };
  };

  options.log?.(
    healthUrl
      ? `Checking ${entityRef} by its ${HEALTH_URL_ANNOTATION}, ${displayUrl(
          healthUrl,
        )}`
      : `Checking ${entityRef} by its objectives in the SLO plugin`,
  );
  let checks = 0;
  const { value, timedOut } = await pollUntil({
    read: check,
    done: c => c.healthy,
    intervalMs: options.pollIntervalMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onValue: c => {
      checks += 1;
      options.log?.(
        `Check ${checks}: ${c.healthy ? 'healthy' : 'not healthy yet'}: ${
          c.details
        }`,
      );
    },
  });
  return { ...value, checks, timedOut };
}

/** Why a run fails when the last check was not healthy. */
export function notHealthyError(
  entityRef: string,
  result: HealthResult,
  timeoutMs: number,
): Error {
  const after = `${Math.round(timeoutMs / 1000)} s`;
  if (result.unavailable) {
    return new ServiceUnavailableError(
      `Could not verify the health of ${entityRef}: the SLO plugin was unavailable for ${after} (${result.checks} checks). Last: ${result.details}`,
    );
  }
  return new Error(
    `${entityRef} is not healthy after ${after} (${result.checks} checks, by ${
      result.source === 'slo' ? 'its SLOs' : 'its health URL'
    }): ${result.details}`,
  );
}
