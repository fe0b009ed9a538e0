import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import WinstonTransport from 'winston-transport';

/**
 * One log entry as the root logger wrote it: winston's info object (message,
 * level, Backstage meta such as `plugin`, `type: 'incomingRequest'` or
 * `isAuditEvent`, or ECS fields in ECS mode), string keys only.
 */
export type LogTapEntry = Readonly<Record<string, unknown>>;

/** Called synchronously for every entry: keep it cheap (filter, then queue). */
export type LogTapListener = (entry: LogTapEntry) => void;

/**
 * Which entries a listener wants, asked of the logged object itself before
 * any copy is made: read a few fields, keep no reference, change nothing.
 */
export type LogTapFilter = (logged: LogTapEntry) => boolean;

interface Subscription {
  listener: LogTapListener;
  accepts?: LogTapFilter;
}

class LogTapTransport extends WinstonTransport {
  constructor(private readonly tap: { deliver(info: LogTapEntry): void }) {
    super();
  }

  log(info: Record<string, unknown>, callback: () => void): void {
    this.tap.deliver(info);
    callback();
  }
}

/**
 * The backend's log stream, in process: every entry the root logger writes
 * (access lines, audit events, Backstage auditor events, plugin logs), for
 * consumers such as the security plugin's live correlation. The root logger
 * of `ecsRootLoggerServiceFactory` feeds it, whatever the log format.
 *
 * What a listener logs comes back to it (winston may deliver it later, so
 * no guard here can tell): a consumer skips its own lines, e.g. by their
 * `plugin` meta, and never logs per entry it is given. A listener that
 * throws breaks no logging and stays subscribed; its errors are counted in
 * `listenerErrors`.
 */
export class LogTap {
  readonly #subscriptions = new Set<Subscription>();
  readonly #secrets = new Set<string>();
  #redaction: RegExp | undefined;
  #listenerErrors = 0;

  /**
   * Receives every later entry (those `options.accepts` takes) until the
   * returned function is called. Entries are copied and redacted once per
   * logged line, and only when some listener accepts it.
   */
  subscribe(
    listener: LogTapListener,
    options: { accepts?: LogTapFilter } = {},
  ): () => void {
    const subscription = { listener, accepts: options.accepts };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** Values replaced by `***` in every string of every entry (the root logger's secrets). */
  addRedactions(values: Iterable<string>): void {
    for (const value of values) {
      const trimmed = value?.trim();
      if (trimmed && trimmed.length > 1) this.#secrets.add(trimmed);
    }
    if (this.#secrets.size === 0) return;
    this.#redaction = new RegExp(
      [...this.#secrets]
        .map(secret => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
  }

  /** A plain copy of a logged entry: string keys, JSON-like values, secrets replaced. */
  entryOf(info: Record<string, unknown>): LogTapEntry {
    return copyRedacted(info, this.#redaction, 0) as LogTapEntry;
  }

  get hasListeners(): boolean {
    return this.#subscriptions.size > 0;
  }

  get listenerErrors(): number {
    return this.#listenerErrors;
  }

  /** Hands an entry as it is (already a plain copy) to the listeners that accept it. */
  publish(entry: LogTapEntry): void {
    this.#fanOut(entry, () => entry);
  }

  /** What the transport calls with each logged object: copied only if wanted. */
  deliver(info: LogTapEntry): void {
    let copy: LogTapEntry | undefined;
    this.#fanOut(info, () => (copy ??= this.entryOf(info)));
  }

  #fanOut(logged: LogTapEntry, entry: () => LogTapEntry) {
    for (const { listener, accepts } of this.#subscriptions) {
      try {
        if (!accepts || accepts(logged)) listener(entry());
      } catch {
        this.#listenerErrors += 1;
      }
    }
  }

  /** A winston transport that publishes what the logger writes (after its formats). */
  transport(): WinstonTransport {
    return new LogTapTransport(this);
  }
}

const MAX_DEPTH = 8;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Plain objects and arrays copied (string keys only: winston's Symbol keys
 * stay behind), errors as `{ name, message, stack }`, strings redacted;
 * other objects (a request, a Date, a Buffer) as their string form, and
 * anything deeper than MAX_DEPTH as `'[deep]'`.
 */
function copyRedacted(
  value: unknown,
  redaction: RegExp | undefined,
  depth: number,
): unknown {
  if (typeof value === 'string') {
    return redaction ? value.replace(redaction, '***') : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[deep]';
  if (Array.isArray(value)) {
    return value.map(item => copyRedacted(item, redaction, depth + 1));
  }
  let source: Record<string, unknown>;
  if (value instanceof Error) {
    source = { name: value.name, message: value.message, stack: value.stack };
  } else if (isPlainObject(value)) {
    source = value;
  } else {
    return copyRedacted(String(value), redaction, depth);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    copy[key] = copyRedacted(source[key], redaction, depth + 1);
  }
  return copy;
}

/**
 * The backend's `LogTap`, one per backend (root scope). Plugins take it as a
 * dependency to read the log stream; `ecsRootLoggerServiceFactory` feeds it.
 *
 * @public
 */
export const opsLogTapServiceRef = createServiceRef<LogTap>({
  id: 'ops.log-tap',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => new LogTap(),
    }),
});
