/** The generated log file of the benchmark and a line reader over it. */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A small deterministic PRNG (mulberry32), so every run writes the same file. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = [
  '/api/catalog/entities/by-name/component/default/payments',
  '/api/catalog/entities?filter=kind=component',
  '/api/search/query?term=ledger',
  '/api/privacy/requests',
  '/api/slo/objectives',
  '/api/evidence/coverage',
  '/api/techdocs/static/docs/default/component/payments/index.html',
];
const AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

/**
 * Writes `events` NDJSON lines, one event per 20 ms of log time from
 * 2026-11-30T00:00Z (1 M lines ≈ 5.6 hours): about 80 % winston HTTP access
 * lines (`type: incomingRequest`; 2 % of them 401s), 10 % Backstage auditor
 * events (auth ones failing now and then), 10 % ops audit events (privacy
 * requests, export downloads, 1 % rollbacks), from 50 000 IPs and 5 000 users,
 * with a brute force (8 × 401 from one IP within a minute) every 100 000
 * lines. Returns the size in bytes.
 */
export async function writeLogFile(
  file: string,
  events: number,
  seed = 13,
): Promise<number> {
  const random = prng(seed);
  const out = createWriteStream(file);
  const start = Date.parse('2026-11-30T00:00:00Z');
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < events; i++) {
    const timestamp = new Date(start + i * 20).toISOString();
    const ip = `10.${(i * 7919) % 200}.${Math.floor(
      random() * 250,
    )}.${Math.floor(random() * 250)}`;
    const user = `user:default/u${Math.floor(random() * 5000)}`;
    const roll = random();
    let line: object;
    if (i % 100_000 >= 50_000 && i % 100_000 < 50_008) {
      line = access(timestamp, '203.0.113.66', 401, random);
    } else if (roll < 0.8) {
      line = access(timestamp, ip, random() < 0.02 ? 401 : 200, random);
    } else if (roll < 0.9) {
      line = {
        isAuditEvent: true,
        level: 'info',
        message: 'auth.refresh',
        plugin: 'auth',
        service: 'backstage',
        eventId: 'refresh',
        severityLevel: 'low',
        actor: { actorId: user, ip, userAgent: AGENT },
        request: { url: '/api/auth/guest/refresh', method: 'GET' },
        status: random() < 0.05 ? 'failed' : 'succeeded',
        timestamp,
      };
    } else {
      const pick = random();
      const type =
        pick < 0.5
          ? 'request.received'
          : pick < 0.99
          ? 'export.downloaded'
          : 'rollback.completed';
      line = {
        recordId: `r${i}`,
        type,
        actor: user,
        at: timestamp,
        service: type === 'rollback.completed' ? 'scaffolder' : 'privacy',
        sourceIp: ip,
        data: { outcome: 'succeeded' },
      };
    }
    chunk += `${JSON.stringify(line)}\n`;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

function access(
  timestamp: string,
  ip: string,
  status: number,
  random: () => number,
) {
  return {
    level: 'info',
    message: `${ip} - - "GET ${PATHS[0]} HTTP/1.1" ${status}`,
    service: 'backstage',
    plugin: 'rootHttpRouter',
    type: 'incomingRequest',
    method: 'GET',
    url: PATHS[Math.floor(random() * PATHS.length)],
    status,
    httpVersion: '1.1',
    userAgent: AGENT,
    ip,
    durationMs: Math.floor(random() * 400),
    contentLength: Math.floor(random() * 20_000),
    timestamp,
  };
}

/**
 * Chunks of 64 KiB: V8 puts strings over 128 KiB in its large-object space,
 * and allocating one there costs far more per byte (on the machine of the
 * README's results, 1 MiB chunks made reading about 6 µs of CPU a line, more
 * than parsing it; 64 KiB chunks about 1 µs).
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * The lines of a file, read in 64 KiB chunks (no `readline`: both loops of
 * the benchmark pay the same, small, reading cost).
 */
export async function* readLines(file: string): AsyncGenerator<string[]> {
  let carry = '';
  for await (const chunk of createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: CHUNK_BYTES,
  })) {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop()!;
    yield lines;
  }
  if (carry) yield [carry];
}
