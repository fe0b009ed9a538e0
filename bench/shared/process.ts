/** What every benchmark here needs of its command line and of /proc (Linux). */
import { readFileSync } from 'node:fs';

/** `--name value` and `--name=value` arguments. */
export function parseArgs(argv: string[]): Record<string, string | true> {
  const args: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) {
      args[name] = inline;
    } else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      args[name] = argv[++i];
    } else {
      args[name] = true;
    }
  }
  return args;
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name; utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in MB. */
export function processPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
