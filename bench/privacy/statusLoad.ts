/*
 * The load generator of the status benchmark, in its own process so that it
 * does not share an event loop with the backend it measures:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/privacy/statusLoad.ts
 *
 * Env: STATUS_URL (origin), STATUS_IDS_FILE (JSON array of request ids),
 * STATUS_RATE (requests/s), STATUS_DURATION and STATUS_WARMUP (seconds),
 * STATUS_CONNECTIONS; STATUS_BARE=1 asks for "/" instead (the baseline).
 * Prints one JSON line with the measured run.
 */
import { readFileSync } from 'node:fs';

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
            path: bare
              ? '/'
              : `/api/privacy/status/${
                  ids[Math.floor(Math.random() * ids.length)]
                }`,
          }),
        },
      ],
    });

  const warmup = Number(process.env.STATUS_WARMUP ?? 5);
  if (warmup > 0) await run(warmup);
  const result = await run(Number(process.env.STATUS_DURATION ?? 20));
  process.stdout.write(
    `${JSON.stringify({
      latency: result.latency,
      requests: result.requests,
      duration: result.duration,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodeStats: result.statusCodeStats,
    })}\n`,
  );
}

main().catch(error => {
  process.stderr.write(`status load failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
