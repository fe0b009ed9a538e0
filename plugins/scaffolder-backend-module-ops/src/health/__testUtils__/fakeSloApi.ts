import {
  FakeAnswer,
  FakeHttpError,
  FakeRequest,
  inputError,
  notFound,
  startFakePluginServer,
} from '../../pluginApis/__testUtils__/fakePluginServer';
import type { SloObjectiveStatus, SloTierStatus } from '../sloClient';

/** An objective of the fake, with the statuses its reads see in turn. */
export interface FakeObjective {
  id: string;
  displayName: string;
  entityRef?: string;
  /** Read n sees statuses[n] (0-based); the last one repeats. */
  statuses: SloObjectiveStatus[];
}

/** The default tiers of a 30-day objective (slo-backend engine/tiers.ts). */
const DEFAULT_TIERS = [
  {
    name: 'page-1h',
    severity: 'page',
    threshold: 14.4,
    long: '1h',
    short: '5m',
  },
  { name: 'page-6h', severity: 'page', threshold: 6, long: '6h', short: '30m' },
  {
    name: 'ticket-1d',
    severity: 'ticket',
    threshold: 3,
    long: '1d',
    short: '2h',
  },
  {
    name: 'ticket-3d',
    severity: 'ticket',
    threshold: 1,
    long: '3d',
    short: '6h',
  },
] as const;

/**
 * A status as `GET /objectives/:ref/status` answers it, with the default
 * tiers: every window burning `burn` (default 0.2), those of `firing` tiers
 * at 20 (so they fire), and no traffic at all with `noTraffic`.
 */
export function sloStatus(
  objectiveRef: string,
  options: { firing?: string[]; burn?: number; noTraffic?: boolean } = {},
): SloObjectiveStatus {
  const firing = new Set(options.firing ?? []);
  const burnRates: Record<string, { burnRate: number; noTraffic: boolean }> =
    {};
  const tiers: SloTierStatus[] = DEFAULT_TIERS.map(t => {
    let burnRate = firing.has(t.name) ? 20 : options.burn ?? 0.2;
    if (options.noTraffic) burnRate = 0;
    const rate = { burnRate, noTraffic: options.noTraffic ?? false };
    burnRates[t.long] = rate;
    burnRates[t.short] = rate;
    return {
      name: t.name,
      severity: t.severity,
      threshold: t.threshold,
      long: rate,
      short: rate,
      firing: firing.has(t.name),
    };
  });
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  return {
    objectiveRef,
    at,
    sli: options.noTraffic ? null : 0.9995,
    budgetRemaining: 0.6,
    timeToExhaustionMinutes: null,
    burnRates,
    firing: [...firing],
    tiers,
    dataThrough: options.noTraffic ? null : at,
  } as SloObjectiveStatus;
}

/**
 * The SLO plugin's routes the health check calls, under `/api/slo`, with its
 * query validation, paging and messages (plugins/slo-backend/src/router.ts):
 * `GET /objectives?entityRef=&limit=&offset=` (a `Page`) and
 * `GET /objectives/:ref/status`. `failNext(n)` makes the next n requests
 * answer 503, as the plugin does while its database is down.
 */
export async function startFakeSloApi(options: {
  objectives: FakeObjective[];
}) {
  const reads = new Map<string, number>();
  let failures = 0;
  const known = new Set([
    'entityRef',
    'owner',
    'system',
    'state',
    'q',
    'sort',
    'order',
    'limit',
    'offset',
  ]);

  const route = (
    req: FakeRequest,
    allow: (permission: string) => void,
  ): FakeAnswer | undefined => {
    const url = new URL(req.path, 'http://fake');
    const prefix = '/api/slo';
    if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
    const path = url.pathname.slice(prefix.length);
    if (failures > 0) {
      failures -= 1;
      throw new FakeHttpError(
        503,
        'ServiceUnavailableError',
        'Database unavailable',
      );
    }
    if (req.method !== 'GET') return undefined;

    if (path === '/objectives') {
      allow('slo.objective.read');
      const unknown = [...url.searchParams.keys()].filter(k => !known.has(k));
      if (unknown.length) {
        throw inputError(
          `Invalid input: Unrecognized key(s) in object: ${unknown
            .map(k => `'${k}'`)
            .join(', ')}`,
        );
      }
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!(limit >= 1 && limit <= 100)) {
        throw inputError(
          'Invalid input: limit: Number must be less than or equal to 100',
        );
      }
      const entityRef = url.searchParams.get('entityRef');
      const matching = options.objectives.filter(
        o => !entityRef || o.entityRef === entityRef,
      );
      return {
        status: 200,
        body: {
          items: matching.slice(offset, offset + limit).map(o => ({
            id: o.id,
            name: o.id,
            displayName: o.displayName,
            service: 'svc',
            entityRef: o.entityRef,
            target: 0.999,
            state: 'ok',
            tiers: [],
            labels: {},
            status: null,
          })),
          totalCount: matching.length,
          limit,
          offset,
        },
      };
    }

    const status = /^\/objectives\/([^/]+)\/status$/.exec(path);
    if (status) {
      allow('slo.objective.read');
      const id = decodeURIComponent(status[1]);
      const objective = options.objectives.find(o => o.id === id);
      if (!objective) throw notFound(`No objective '${id}'`);
      const n = reads.get(id) ?? 0;
      reads.set(id, n + 1);
      const body =
        objective.statuses[Math.min(n, objective.statuses.length - 1)];
      return { status: 200, body };
    }
    return undefined;
  };

  const server = await startFakePluginServer({ route });
  return {
    ...server,
    /** Status reads per objective id. */
    reads,
    failNext(n: number) {
      failures = n;
    },
  };
}
