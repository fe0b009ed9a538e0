/*
 * The load generator of the status benchmark, in its own process so that it
 * does not share an event loop with the backend it measures:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/privacy/statusLoad.ts
 *
 * Env: STATUS_URL (origin), STATUS_IDS_FILE (JSON array of request ids),
 * STATUS_RATE (requests/s), STATUS_DURATION and STATUS_WARMUP (seconds),
 * STATUS_CONNECTIONS; STATUS_BARE=1 asks for "/" instead (the baseline);
 * STATUS_LOAD=paced (default) or autocannon.
 * Prints `MEASURING` when the warm-up is over, then one JSON line with the
 * measured run, in autocannon's shape.
 *
 * Why `paced`: autocannon's rate limit lets each connection send its share
 * of a second's requests back to back and then wait for the next second,
 * so "500 req/s" arrives as a burst of 500 at the start of every second and
 * the latencies are mostly queueing inside that burst. `paced` is an open
 * loop at a constant rate: request i is due at i / rate seconds, sent on a
 * free keep-alive connection, and its latency is counted from when it was
 * due (so a late send counts against it: no coordinated omission), or
 * from when it left when that was earlier (timers fire to the millisecond).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (
  options: Record<string, unknown>,
) => Promise<any> = require('autocannon');

async function main() {
  const url = process.env.STATUS_URL!;
  const ids: string[] = JSON.parse(
    readFileSync(process.env.STATUS_IDS_FILE!, 'utf8'),
  );
  const rate = Number(process.env.STATUS_RATE ?? 500);
  const connections = Number(process.env.STATUS_CONNECTIONS ?? 20);
  const bare = process.env.STATUS_BARE === '1';
  const path = () =>
    bare
      ? '/'
      : `/api/privacy/status/${ids[Math.floor(Math.random() * ids.length)]}`;
  const run = (duration: number) =>
    autocannon({
      url,
      connections,
      overallRate: rate,
      duration,
      requests: [
        {
          method: 'GET',
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            path: path(),
          }),
        },
      ],
    });

  // One keep-alive pool for the warm-up and the measured run: the warm-up
  // opens the connections, the measured run starts on warm ones (a fresh
  // pool would measure 20 connection set-ups in its first second).
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const measure =
    process.env.STATUS_LOAD === 'autocannon'
      ? run
      : (duration: number) => paced(url, rate, duration, agent, path);
  const warmup = Number(process.env.STATUS_WARMUP ?? 5);
  if (warmup > 0) await measure(warmup);
  // Tells the parent the measured window starts (it profiles just that).
  process.stdout.write('MEASURING\n');
  const result = await measure(Number(process.env.STATUS_DURATION ?? 20));
  agent.destroy();
  process.stdout.write(
    `${JSON.stringify({
      latency: result.latency,
      requests: result.requests,
      duration: result.duration,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodeStats: result.statusCodeStats,
      sendLag: (result as any).sendLag,
      slowBySecond: (result as any).slowBySecond,
    })}\n`,
  );
}

/** Constant-rate open-loop load; see the header. */
async function paced(
  origin: string,
  rate: number,
  durationSeconds: number,
  agent: Agent,
  path: () => string,
) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let non2xx = 0;
  const total = Math.round(rate * durationSeconds);
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  // How late this generator itself sent (its own stalls), and when the slow
  // answers came: [second of the run, latency].
  const sendLags: number[] = [];
  const bySecond: Array<[number, number]> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait));
    // Counted from when it was due, or from when it left if that was earlier.
    const from = Math.min(due, performance.now());
    sendLags.push(Math.max(0, performance.now() - due));
    const second = Math.floor(i / rate);
    inFlight.push(
      new Promise<void>(resolve => {
        const req = request(`${origin}${path()}`, { agent }, res => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - from);
            bySecond.push([second, performance.now() - from]);
            const code = String(res.statusCode);
            statuses[code] = (statuses[code] ?? 0) + 1;
            if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx += 1;
            resolve();
          });
        });
        req.on('error', () => {
          errors += 1;
          resolve();
        });
        req.end();
      }),
    );
  }
  await Promise.all(inFlight);
  const duration = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const at = (q: number) =>
    round(
      latencies[
        Math.min(latencies.length - 1, Math.floor(q * latencies.length))
      ],
    );
  sendLags.sort((a, b) => a - b);
  const p99 = at(0.99);
  const slow = new Array(Math.ceil(durationSeconds)).fill(0);
  for (const [second, ms] of bySecond) if (ms >= p99) slow[second] += 1;
  return {
    sendLag: {
      p99: round(sendLags[Math.floor(0.99 * sendLags.length)] ?? NaN),
      max: round(sendLags[sendLags.length - 1] ?? NaN),
    },
    slowBySecond: slow,
    latency: {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: round(latencies[latencies.length - 1]),
      average: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    },
    requests: { total: latencies.length, sent: total },
    duration,
    errors,
    timeouts: 0,
    non2xx,
    statusCodeStats: statuses,
  };
}

main().catch(error => {
  process.stderr.write(`status load failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
