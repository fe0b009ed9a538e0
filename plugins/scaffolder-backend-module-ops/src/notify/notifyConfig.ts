import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parseOrThrow } from '@internal/plugin-ops-node';
import { z } from 'zod';

/** Where `ops:notify` reads its configuration from. */
export const NOTIFY_CONFIG_KEY = 'ops.scaffolder.notify';

const httpUrl = (example: string) =>
  z
    .string()
    .url(`must be a URL such as ${example}`)
    .refine(u => /^https?:\/\//.test(u), 'must start with http:// or https://')
    .transform(u => u.replace(/\/+$/, ''));

const slackSchema = z
  .object({
    /** A bot token (`xoxb-…`, secret) with chat:write and channels:history. */
    token: z.string().min(1, 'must not be empty'),
    /** A channel ID: history lookups need the ID, not a name. */
    channel: z
      .string()
      .regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a channel ID such as C0123456789'),
    url: httpUrl('https://slack.com/api').default('https://slack.com/api'),
  })
  .strict();

const statuspageSchema = z
  .object({
    /** An API key (secret), sent as `Authorization: OAuth <key>`. */
    apiKey: z.string().min(1, 'must not be empty'),
    pageId: z.string().min(1, 'must not be empty'),
    url: httpUrl('https://api.statuspage.io/v1').default(
      'https://api.statuspage.io/v1',
    ),
    /** Catalog entity name → Statuspage component id. */
    components: z.record(z.string().min(1)).default({}),
  })
  .strict();

const notifySchema = z
  .object({
    slack: slackSchema.optional(),
    statuspage: statuspageSchema.optional(),
  })
  .strict();

export type SlackNotifyConfig = z.output<typeof slackSchema>;
export type StatuspageNotifyConfig = z.output<typeof statuspageSchema>;
export type NotifyConfig = z.output<typeof notifySchema>;

/** The targets `ops:notify` can send to. */
export const NOTIFY_TARGETS = ['slack', 'statuspage'] as const;
export type NotifyTarget = (typeof NOTIFY_TARGETS)[number];

/**
 * Reads `ops.scaffolder.notify` (both targets optional); throws an
 * `InputError` naming every problem, e.g.
 * `ops.scaffolder.notify.slack.channel: must be a channel ID such as C0123456789`.
 * Secrets are never part of the message.
 */
export function readNotifyConfig(config: Config): NotifyConfig {
  return parseOrThrow(
    notifySchema,
    config.getOptional(NOTIFY_CONFIG_KEY) ?? {},
    problems =>
      new InputError(
        `Invalid ops:notify configuration: ${problems.join('; ')}`,
      ),
    NOTIFY_CONFIG_KEY,
  );
}
