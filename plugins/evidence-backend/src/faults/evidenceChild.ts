/*
 * The evidence services in their own process, for killDuringWork.test.ts:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     src/faults/evidenceChild.ts
 *
 * with a ChildSpec (below) as JSON in EVIDENCE_FAULT_SPEC, on a database the
 * test migrated and a blob folder both share. It builds the services the
 * way the plugin does (createEvidenceServices over a LocalBlobStore) and
 * then, by mode:
 *
 * - `collect`: runs one collector that files `items` pieces of evidence,
 *   each a stream of `itemBytes` bytes trickling in, to its end.
 * - `build`: builds the binders waiting (`buildPending`, the scheduled task).
 * - `recover`: what the plugin does at start-up (`runs.failAbandoned` and
 *   `evidence.sweepIntents`, called as plugin.ts calls them), then, with
 *   `buildAfterRecovery`, `buildPending` as the scheduled task would.
 *
 * Storage can be made slow at one step, as a remote store over a slow link
 * would be, so the test can kill the process there: `writeDelayMs` slows
 * the write of a blob, `pauseAfterPutMs` holds on once a blob is stored
 * (before its row), `pauseBeforeRetainMs` holds on before a filed blob is
 * locked (after its row), `readDelayMs` slows every read (the binder
 * builder's). The plugin's code runs unchanged around it. The child prints
 * markers (`STREAMING <i>`, `WRITING`, `STORED <key>`, `RETAINING <key>`,
 * `RECOVERED <json>`, `BUILT <n>`, `DONE`) for the test to wait on; the
 * test kills it with SIGKILL on the way. No Jest in here.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import {
  BlobData,
  BlobMetadata,
  BlobStore,
  LocalBlobStore,
  PutBlobOptions,
  StoredBlob,
} from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import knexFactory, { Knex } from 'knex';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { publicKeyFingerprint } from '../config';
import { createEvidenceServices } from '../services';
import { INTENT_SWEEP_AGE_MS } from '../items/EvidenceService';

/** What the test hands the child. */
export interface ChildSpec {
  database: Knex.Config;
  folder: string;
  /** PKCS#8 PEM of the binder signing key, the same in every process. */
  signingKeyPem: string;
  mode: 'collect' | 'build' | 'recover';
  /** Added to the child's clock: a restart some time after the crash. */
  clockOffsetMs?: number;
  collect?: {
    items: number;
    itemBytes: number;
    chunkBytes: number;
    chunkDelayMs: number;
    /** Makes this run's contents differ from every other run's. */
    salt: string;
  };
  storage?: {
    writeDelayMs?: number;
    pauseAfterPutMs?: number;
    pauseBeforeRetainMs?: number;
    readDelayMs?: number;
  };
  buildAfterRecovery?: boolean;
}

export const SLOW_COLLECTOR_ID = 'slow-filer';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function stderrLogger(): LoggerService {
  const write = (level: string) => (message: string, meta?: Error | object) => {
    if (level === 'debug') return;
    process.stderr.write(
      `[evidence child ${process.pid}] ${level} ${message}${
        meta ? ` ${String((meta as Error).stack ?? JSON.stringify(meta))}` : ''
      }\n`,
    );
  };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: () => logger,
  };
  return logger;
}

/** A stream that passes each chunk on after `delayMs`, calling `first` once. */
function delayed(
  source: Readable,
  delayMs: number,
  first?: () => void,
): Readable {
  let started = false;
  const slow = new Transform({
    transform(chunk, _encoding, callback) {
      if (!started) {
        started = true;
        first?.();
      }
      setTimeout(() => callback(null, chunk), delayMs);
    },
  });
  source.on('error', error => slow.destroy(error));
  return source.pipe(slow);
}

/** The local store, slowed or held at the steps the spec names. */
class SlowBlobStore implements BlobStore {
  constructor(
    private readonly inner: BlobStore,
    private readonly slow: NonNullable<ChildSpec['storage']>,
  ) {}

  put(
    key: string,
    data: BlobData,
    options?: PutBlobOptions,
  ): Promise<StoredBlob> {
    return this.inner.put(key, data, options);
  }

  async putContentAddressed(
    data: BlobData,
    options?: PutBlobOptions,
  ): Promise<StoredBlob> {
    const { writeDelayMs, pauseAfterPutMs } = this.slow;
    const source =
      writeDelayMs && !Buffer.isBuffer(data)
        ? delayed(data, writeDelayMs, () => say('WRITING'))
        : data;
    const stored = await this.inner.putContentAddressed(source, options);
    say(`STORED ${stored.key}`);
    if (pauseAfterPutMs) await sleep(pauseAfterPutMs);
    return stored;
  }

  async retain(key: string, retainUntil: Date): Promise<void> {
    say(`RETAINING ${key}`);
    if (this.slow.pauseBeforeRetainMs)
      await sleep(this.slow.pauseBeforeRetainMs);
    return this.inner.retain(key, retainUntil);
  }

  async get(key: string): Promise<Readable> {
    const stream = await this.inner.get(key);
    return this.slow.readDelayMs
      ? delayed(stream, this.slow.readDelayMs)
      : stream;
  }

  getBuffer(key: string): Promise<Buffer> {
    return this.inner.getBuffer(key);
  }

  head(key: string): Promise<BlobMetadata | undefined> {
    return this.inner.head(key);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

/** Deterministic bytes for item `index` of a run: a SHA-256 counter stream. */
export function itemContent(
  salt: string,
  index: number,
  bytes: number,
  chunkBytes: number,
  chunkDelayMs: number,
): Readable {
  let sent = 0;
  let block = 0;
  return new Readable({
    read() {
      if (sent === 0 && block === 0) say(`STREAMING ${index}`);
      if (sent >= bytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkBytes, bytes - sent);
      const chunk = Buffer.alloc(size);
      for (let at = 0; at < size; at += 32) {
        createHash('sha256')
          .update(`${salt}:${index}:${block++}`)
          .digest()
          .copy(chunk, at);
      }
      sent += size;
      setTimeout(() => this.push(chunk), chunkDelayMs);
    },
  });
}

function slowCollector(
  spec: NonNullable<ChildSpec['collect']>,
): EvidenceCollector {
  return {
    id: SLOW_COLLECTOR_ID,
    title: 'Slow filer',
    description: 'files many large items slowly, for the kill tests',
    points: ['CC8.1'],
    cadence: 'weekly',
    async collect({ now, log }) {
      log(`filing ${spec.items} items of ${spec.itemBytes} bytes`);
      return Array.from({ length: spec.items }, (_, i) => ({
        type: 'change-management.git',
        title: `Slow item ${i}`,
        period: { start: new Date(now.getTime() - 86_400_000), end: now },
        fileName: `slow-${i}.bin`,
        mediaType: 'application/octet-stream',
        content: itemContent(
          spec.salt,
          i,
          spec.itemBytes,
          spec.chunkBytes,
          spec.chunkDelayMs,
        ),
      }));
    },
  };
}

async function main() {
  const raw = process.env.EVIDENCE_FAULT_SPEC;
  if (!raw) throw new Error('EVIDENCE_FAULT_SPEC is not set');
  const spec: ChildSpec = JSON.parse(raw);
  const logger = stderrLogger();
  const db = knexFactory(spec.database);
  const offset = spec.clockOffsetMs ?? 0;
  const clock = offset ? () => new Date(Date.now() + offset) : undefined;
  const local = new LocalBlobStore(spec.folder, { now: clock });
  const blobs = spec.storage ? new SlowBlobStore(local, spec.storage) : local;
  const privateKey = createPrivateKey(spec.signingKeyPem);
  const services = createEvidenceServices({
    db,
    blobs,
    auditKeyring: testAuditKeyring(),
    criteria: COMMON_CRITERIA,
    retentionYears: 7,
    binderKeys: {
      privateKey,
      publicKeyPem: createPublicKey(privateKey)
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      fingerprint: publicKeyFingerprint(privateKey),
    },
    collectors: spec.collect ? [slowCollector(spec.collect)] : [],
    logger,
    clock,
  });

  if (spec.mode === 'collect') {
    const run = await services.collectors.run(SLOW_COLLECTOR_ID, {
      trigger: 'api',
      requestedBy: 'user:default/fault-test',
    });
    say(
      `RUN ${JSON.stringify({
        id: run.id,
        state: run.state,
        error: run.error,
      })}`,
    );
  } else if (spec.mode === 'build') {
    say(`BUILT ${await services.binders.buildPending()}`);
  } else {
    // As plugin.ts does at start-up.
    const startedAt = clock?.() ?? new Date();
    const failed = await services.runs.failAbandoned(startedAt, startedAt);
    const swept = await services.evidence.sweepIntents(
      new Date(startedAt.getTime() - INTENT_SWEEP_AGE_MS),
    );
    say(`RECOVERED ${JSON.stringify({ failed, swept })}`);
    if (spec.buildAfterRecovery) {
      say(`BUILT ${await services.binders.buildPending()}`);
    }
  }
  say('DONE');
  await db.destroy();
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`evidence child failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
