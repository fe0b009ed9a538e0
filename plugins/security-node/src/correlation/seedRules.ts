import type { CorrelationRule } from './types';

/**
 * `event.action` values of a new privacy (DSAR) request: the privacy
 * plugin's audit type `request.received` as normalization names it, and
 * `privacy.request.created` for producers that say "created".
 */
export const PRIVACY_REQUEST_ACTIONS = [
  'privacy.request.received',
  'privacy.request.created',
];

/**
 * `event.action` values of a download of exported data: the privacy
 * plugin's `export.downloaded`, and the evidence plugin's binder and item
 * downloads (names reserved; that plugin does not audit downloads yet).
 */
export const EXPORT_ACTIONS = [
  'privacy.export.downloaded',
  'evidence.binder.downloaded',
  'evidence.item.downloaded',
];

export interface SeedRuleOptions {
  /** The IANA zone whose 22:00–06:00 is "after hours". Default `UTC`. */
  timezone?: string;
}

/**
 * The four rules of the seed. The admin marker of the after-hours rule is
 * either `event.category: iam` with `event.type: admin`, or
 * `labels.ops_privileged: "true"` (normalization sets one of them on
 * admin-level ops actions).
 */
export function seedRules(options: SeedRuleOptions = {}): CorrelationRule[] {
  return [
    {
      id: 'brute-force',
      title: 'Brute force: 5 failed authentications from one IP in 5 minutes',
      severity: 'high',
      match: {
        any: [
          {
            all: [
              { field: 'event.category', equals: 'authentication' },
              { field: 'event.outcome', equals: 'failure' },
            ],
          },
          { field: 'http.response.status_code', equals: 401 },
        ],
      },
      groupBy: ['source.ip', 'client.ip'],
      threshold: 5,
      windowSeconds: 5 * 60,
    },
    {
      id: 'privileged-after-hours',
      title: 'Privileged ops action after hours (22:00–06:00)',
      severity: 'medium',
      match: {
        any: [
          {
            all: [
              { field: 'event.category', equals: 'iam' },
              { field: 'event.type', equals: 'admin' },
            ],
          },
          { field: 'labels.ops_privileged', equals: 'true' },
        ],
      },
      groupBy: ['user.id', 'user.name'],
      threshold: 1,
      windowSeconds: 60 * 60,
      timeOfDay: {
        from: '22:00',
        to: '06:00',
        timezone: options.timezone ?? 'UTC',
      },
    },
    {
      id: 'dsar-abuse',
      title: 'DSAR abuse: 10 privacy requests from one IP in an hour',
      severity: 'medium',
      match: { field: 'event.action', in: PRIVACY_REQUEST_ACTIONS },
      groupBy: ['source.ip', 'client.ip'],
      threshold: 10,
      windowSeconds: 60 * 60,
    },
    {
      id: 'export-anomaly',
      title: 'Export anomaly: 100 exports or downloads by one user in 24 hours',
      severity: 'high',
      match: { field: 'event.action', in: EXPORT_ACTIONS },
      groupBy: ['user.id', 'user.name'],
      threshold: 100,
      windowSeconds: 24 * 60 * 60,
    },
  ];
}

/** The seed rules with after hours in UTC; use `seedRules({ timezone })` for another zone. */
export const SEED_RULES: CorrelationRule[] = seedRules();
