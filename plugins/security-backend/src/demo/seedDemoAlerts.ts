import type { SecurityAlert } from '@internal/plugin-security-node';
import type { AlertStore } from '../alerts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const iso = (ms: number) => new Date(ms).toISOString();

/** Documentation addresses only (RFC 5737, RFC 3849); every event says demo. */
function demoAlerts(now: number): SecurityAlert[] {
  const bruteStart = now - 26 * HOUR;
  const dsarStart = now - 3 * 24 * HOUR;
  const nightStart = Date.UTC(
    new Date(now - 2 * 24 * HOUR).getUTCFullYear(),
    new Date(now - 2 * 24 * HOUR).getUTCMonth(),
    new Date(now - 2 * 24 * HOUR).getUTCDate(),
    23,
    12,
  );
  const access = (
    ms: number,
    ip: string,
    path: string,
    status: number,
    method = 'GET',
  ) => ({
    '@timestamp': iso(ms),
    event: {
      kind: 'event',
      category: ['web'],
      type: [status >= 400 ? 'error' : 'access'],
      outcome: status >= 400 ? 'failure' : 'success',
      dataset: 'backstage.access',
      ...(path.startsWith('/api/privacy/') && status < 300
        ? { action: 'privacy.request.created' }
        : {}),
    },
    http: { request: { method }, response: { status_code: status } },
    url: { path, original: path },
    source: { ip },
    client: { ip },
    user_agent: { original: 'curl/8.5.0' },
    labels: { demo: 'true' },
  });
  const brute = Array.from({ length: 5 }, (_, i) =>
    access(
      bruteStart + i * 20_000,
      '203.0.113.45',
      '/api/catalog/entities',
      401,
    ),
  );
  const dsar = Array.from({ length: 10 }, (_, i) =>
    access(
      dsarStart + i * 4 * MINUTE,
      '2001:db8::7',
      '/api/privacy/export',
      201,
      'POST',
    ),
  );
  const privileged = {
    '@timestamp': iso(nightStart),
    message: 'audit legal_hold.placed',
    event: {
      kind: 'event',
      category: ['configuration'],
      type: ['creation'],
      action: 'privacy.legal_hold.placed',
      outcome: 'success',
      module: 'ops',
      dataset: 'ops.audit',
    },
    user: { id: 'user:default/demo-admin', name: 'demo-admin' },
    service: { name: 'privacy' },
    labels: { ops_privileged: 'true', demo: 'true' },
  };
  const alert = (
    ruleId: string,
    title: string,
    severity: SecurityAlert['severity'],
    groupBy: string,
    groupKey: string,
    events: Array<Record<string, any>>,
  ): SecurityAlert => ({
    ruleId,
    title,
    severity,
    groupBy,
    groupKey,
    dedupKey: `demo:${ruleId}:${groupKey}:${events[0]['@timestamp']}`,
    firstAt: events[0]['@timestamp'],
    lastAt: events[events.length - 1]['@timestamp'],
    count: events.length,
    events: events as unknown as SecurityAlert['events'],
  });
  return [
    alert(
      'dsar-abuse',
      'DSAR abuse: 10 privacy requests from one IP in an hour',
      'medium',
      'source.ip',
      '2001:db8::7',
      dsar,
    ),
    alert(
      'privileged-after-hours',
      'Privileged ops action after hours (22:00–06:00)',
      'medium',
      'user.id',
      'user:default/demo-admin',
      [privileged],
    ),
    alert(
      'brute-force',
      'Brute force: 5 failed authentications from one IP in 5 minutes',
      'high',
      'source.ip',
      '203.0.113.45',
      brute,
    ),
  ];
}

/**
 * Seeds three past demo alerts (documentation addresses, events labelled
 * `labels.demo: "true"`, no notification) so the Security page is not empty
 * on a fresh clone: only when no alert exists. Returns how many it stored.
 */
export async function seedDemoAlerts(
  store: Pick<AlertStore, 'count' | 'insert'>,
  now: Date = new Date(),
): Promise<number> {
  if ((await store.count()) > 0) return 0;
  let stored = 0;
  for (const alert of demoAlerts(now.getTime())) {
    const raised = await store.insert(alert, {
      demo: true,
      notify: false,
      raisedAt: new Date(alert.lastAt),
    });
    if (raised) stored += 1;
  }
  return stored;
}
