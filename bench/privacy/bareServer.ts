/*
 * The status benchmark's baseline: a bare node:http server in a process of
 * its own (no Backstage, no Express, no database), answering every request
 * at once with the same JSON body: a real status answer of median size
 * (STATUS_BODY_FILE). What the machine, the kernel and the load generator
 * add by themselves, measured with the same load generator in the same run.
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/privacy/bareServer.ts
 *
 * Prints `PORT <n>` once listening; a line `measure` on stdin starts the
 * counted window (the warm-up is over). When its stdin closes, prints one JSON
 * line with its CPU, event loop delay and stalls (stalls.ts) over the load
 * and exits.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StallMonitor, startStallMonitor } from './stalls';

const RESOLUTION_MS = 5;
const body = readFileSync(process.env.STATUS_BODY_FILE!);
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
});
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let cpu = process.cpuUsage();
let started = process.hrtime.bigint();
let stalls: StallMonitor | undefined;

server.listen(0, '127.0.0.1', () => {
  // Counted from here: the load starts once the port is printed.
  delay.enable();
  stalls = startStallMonitor();
  cpu = process.cpuUsage();
  started = process.hrtime.bigint();
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
});

// A line `measure` on stdin: the warm-up is over, count from here.
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('measure')) {
    delay.reset();
    stalls?.reset();
    cpu = process.cpuUsage();
    started = process.hrtime.bigint();
  }
});
process.stdin.on('end', () => {
  delay.disable();
  const summary = stalls!.stop();
  const used = process.cpuUsage(cpu);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  // The histogram holds the timer's interval; what exceeds it is the delay.
  const beyond = (ns: number) =>
    Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  process.stdout.write(
    `${JSON.stringify({
      cpuShare: (used.user + used.system) / 1000 / wallMs,
      loopDelay: {
        p50: beyond(delay.percentile(50)),
        p99: beyond(delay.percentile(99)),
        max: beyond(delay.max),
      },
      stalls: summary,
    })}\n`,
  );
  server.close();
  process.exit(0);
});
