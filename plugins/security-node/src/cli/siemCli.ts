import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CorrelationEngine, seedRules } from '../correlation';
import type { EcsDocument } from '../correlation/types';
import { createEnricher, Enricher } from '../enrich';
import { normalizeStream, ProblemCounter } from '../normalize';

export interface SiemCliIo {
  out(line: string): void;
  err(line: string): void;
  /** Read for the file name `-`. */
  stdin: Readable;
}

const USAGE = [
  'usage: ops-siem normalize|detect [options] <file|-> [...]',
  '  normalize  log lines (Backstage/winston JSON, pino, Kubernetes events',
  '             and audit logs, ops audit events, lines already in ECS)',
  '             -> ECS NDJSON on stdout',
  '  detect     normalize, then run the seed correlation rules; alerts as',
  '             JSON lines on stdout',
  'options:',
  '  --geoip <file.mmdb>   add source.geo.* from a MaxMind-format database',
  '  --service <name>      service.name for lines that do not name one',
  '  --timezone <zone>     IANA zone of the after-hours rule (default UTC)',
  'A summary of problems goes to stderr. Exit 0 when every file was read,',
  '1 when one could not be, 2 on a usage error.',
].join('\n');

/**
 * `ops-siem normalize|detect <files...>`: streams each file (or stdin for
 * `-`) line by line; bad lines are counted and skipped, never fatal.
 */
export async function runSiemCli(
  argv: string[],
  io: SiemCliIo,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        geoip: { type: 'string' },
        service: { type: 'string' },
        timezone: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`ops-siem: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...files] = parsed.positionals;
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  if ((command !== 'normalize' && command !== 'detect') || files.length === 0) {
    io.err(USAGE);
    return 2;
  }

  let enrich: Enricher;
  let engine: CorrelationEngine | undefined;
  try {
    enrich = await createEnricher({ geoipDatabasePath: parsed.values.geoip });
    if (command === 'detect') {
      engine = new CorrelationEngine(
        seedRules({ timezone: parsed.values.timezone }),
      );
    }
  } catch (error) {
    io.err(`ops-siem: ${(error as Error).message}`);
    return 2;
  }

  const problems = new ProblemCounter();
  const emit = engine
    ? (doc: EcsDocument) => {
        for (const alert of engine!.push(doc)) io.out(JSON.stringify(alert));
      }
    : (doc: EcsDocument) => io.out(JSON.stringify(doc));

  let events = 0;
  let unreadable = false;
  for (const file of files) {
    const input = file === '-' ? io.stdin : createReadStream(file);
    const options = { serviceName: parsed.values.service };
    for await (const result of normalizeStream(input, file, options)) {
      if ('problem' in result) {
        problems.add(result.problem);
        if (result.problem.kind === 'unreadable') unreadable = true;
        continue;
      }
      events += 1;
      emit(enrich(result.event));
    }
  }

  io.err(`ops-siem ${command}: ${events} events, ${problems.total} problems`);
  for (const line of problems.lines()) io.err(`  ${line}`);
  if (engine) {
    const stats = engine.stats();
    io.err(`alerts: ${stats.alerts}`);
    for (const [id, rule] of Object.entries(stats.rules)) {
      io.err(`  ${id}: ${rule.alerts} alerts, ${rule.matched} matching events`);
    }
  }
  return unreadable ? 1 : 0;
}
