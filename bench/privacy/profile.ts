/*
 * CPU profiles of the benchmarks (`--profile`): taken in-process with the
 * inspector, written as a .cpuprofile (open it in Chrome DevTools or
 * speedscope) and summarised as tables:
 *
 * - self time by owner: the package (node_modules/<name>) or repository file
 *   a function belongs to, and the top functions;
 * - self time by bucket (`--only throughput`): PostgreSQL driver, knex,
 *   JSON, zip, encryption, blob write, BullMQ/ioredis, audit chaining...
 *   A sample in Node's own code (node:*, native bindings such as a socket
 *   write) counts for the nearest library or file below it on the stack:
 *   a socket write issued by pg is PostgreSQL, by ioredis is the queue;
 * - busy stretches (`--only status`): runs of consecutive samples where the
 *   event loop was not idle, longest first, with what ran in them. A long
 *   stretch is a blocked event loop.
 *
 * JSON.parse and JSON.stringify are builtins that V8 bills to their caller;
 * jsonProbe.ts gives them frames of their own when `--profile` is given.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve as resolvePath } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const REPO_ROOT = resolvePath(__dirname, '../..');

/** Starts sampling this process every `intervalUs`; call the result to stop. */
export async function startCpuProfile(
  intervalUs = 200,
): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    session.disconnect();
    return profile as unknown as CpuProfile;
  };
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/**
 * Starts V8's sampling heap profiler, counting also the objects that GC
 * has collected since: what this process allocates, by function (each
 * sample stands for about `intervalBytes`). Call the result to stop; it
 * returns bytes allocated by owner (package/file) and by function.
 */
export async function startAllocationProfile(intervalBytes = 16384): Promise<
  () => Promise<{
    byOwner: Map<string, number>;
    byFunction: Map<string, number>;
  }>
> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: intervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as any);
  return async () => {
    const { profile } = (await session.post(
      'HeapProfiler.stopSampling',
    )) as unknown as { profile: { head: HeapNode } };
    await session.post('HeapProfiler.disable');
    session.disconnect();
    const byOwner = new Map<string, number>();
    const byFunction = new Map<string, number>();
    const add = (m: Map<string, number>, k: string, v: number) =>
      m.set(k, (m.get(k) ?? 0) + v);
    const walk = (node: HeapNode, owner: string | undefined) => {
      const own = ownerOf(node.callFrame);
      // Node's own code allocates on behalf of its caller (as for CPU time).
      const billed = transparent(own) && owner ? owner : own;
      if (node.selfSize > 0) {
        add(byOwner, billed, node.selfSize);
        add(byFunction, fnLabel(node.callFrame), node.selfSize);
      }
      for (const child of node.children) {
        walk(child, transparent(own) ? owner : own);
      }
    };
    walk(profile.head, undefined);
    return { byOwner, byFunction };
  };
}

/** Prints what startAllocationProfile returned, per `units` (e.g. requests). */
export function logAllocations(
  allocations: {
    byOwner: Map<string, number>;
    byFunction: Map<string, number>;
  },
  units: number,
  unitName: string,
  log: (line: string) => void,
): void {
  const total = [...allocations.byOwner.values()].reduce((a, b) => a + b, 0);
  log(
    `allocated (sampled, collected objects included): ${(
      total /
      2 ** 20
    ).toFixed(0)} MB = ${(total / units / 1024).toFixed(1)} KB per ${unitName}`,
  );
  for (const [title, m] of [
    [
      'by package / file (Node internals billed to their caller)',
      allocations.byOwner,
    ],
    ['by function', allocations.byFunction],
  ] as const) {
    log(`  ${title}:`);
    for (const [k, v] of [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)) {
      log(
        `    ${(v / units / 1024).toFixed(2).padStart(7)} KB/${unitName} ${(
          (100 * v) /
          total
        )
          .toFixed(1)
          .padStart(5)}%  ${k}`,
      );
    }
  }
}

/** Writes the profile to the temporary folder (kept after the run) and returns its path. */
export function writeProfile(profile: CpuProfile, label: string): string {
  const path = join(
    tmpdir(),
    `privacy-bench-${label}-${new Date()
      .toISOString()
      .replace(/[:.]/g, '-')}.cpuprofile`,
  );
  writeFileSync(path, JSON.stringify(profile));
  return path;
}

const VM_NODES = new Set([
  '(root)',
  '(idle)',
  '(program)',
  '(garbage collector)',
]);

/** The package or repository file a frame belongs to; `node:` / `(native)` for Node's own code. */
export function ownerOf(frame: CallFrame): string {
  if (VM_NODES.has(frame.functionName)) return frame.functionName;
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url;
  if (url.startsWith('/')) return relative(REPO_ROOT, url);
  return url;
}

/** Owners that do not own their time: it goes to the nearest caller that does. */
function transparent(owner: string): boolean {
  return (
    owner === '(native)' ||
    owner.startsWith('node:') ||
    owner === 'tslib' ||
    owner === '@swc/helpers'
  );
}

const PG = /^(pg|pg-.*|postgres-.*|pgpass|buffer-writer|packet-reader)$/;
const QUEUE =
  /^(bullmq|ioredis|redis-parser|redis-errors|denque|cluster-key-slot|standard-as-callback|msgpackr|cron-parser|lodash(\..*)?)$/;

/** The bucket of the export cost breakdown an owner's self time counts in. */
export function bucketOf(owner: string): string {
  if (owner === 'bench/privacy/jsonProbe.ts') return 'JSON (parse + stringify)';
  if (owner === '(garbage collector)') return 'garbage collection';
  if (owner === '(program)') return 'V8/native, unattributed';
  if (owner === '(idle)') return '(idle)';
  if (PG.test(owner)) return 'PostgreSQL client (pg driver, its socket I/O)';
  if (owner === 'knex' || owner === 'tarn')
    return 'knex (query building, pool)';
  if (QUEUE.test(owner)) return 'BullMQ + ioredis (its socket I/O)';
  if (
    owner === 'fflate' ||
    owner === 'plugins/privacy-backend/src/exports/bundle.ts'
  )
    return 'zip (fflate; bundle.ts: files, SHA-256 manifest)';
  if (/^plugins\/privacy-backend\/src\/(crypto|identifiers)\.ts$/.test(owner))
    return 'encryption (AES-256-GCM, subject ids)';
  if (owner.startsWith('plugins/ops-node/src/blobs/'))
    return 'blob write (fs, hashing)';
  if (
    owner.startsWith('plugins/ops-node/src/audit/') ||
    owner === 'plugins/privacy-backend/src/audit.ts'
  )
    return 'audit chaining';
  if (owner.startsWith('plugins/privacy-backend/src/connectors/'))
    return 'SQL connectors (privacy code)';
  if (owner.startsWith('plugins/privacy-backend/src/testing/'))
    return 'bench harness';
  if (owner.startsWith('plugins/')) return 'other privacy / ops-node code';
  if (owner.startsWith('bench/')) return 'bench harness';
  if (transparent(owner) || owner === '(root)')
    return 'Node internals (I/O callbacks, timers, promises)';
  return 'other packages';
}

interface Indexed {
  profile: CpuProfile;
  byId: Map<number, ProfileNode>;
  parentOf: Map<number, number>;
  /** Per sample: microseconds it stands for. */
  weights: number[];
  /** Per sample: its time since profile start, µs. */
  times: number[];
}

function index(full: CpuProfile, fromMs = 0): Indexed {
  // Drop the samples before `fromMs`.
  let profile = full;
  if (fromMs > 0) {
    let t = 0;
    let first = full.samples.length;
    for (let i = 0; i < full.timeDeltas.length; i++) {
      t += full.timeDeltas[i];
      if (t >= fromMs * 1000) {
        first = i;
        break;
      }
    }
    profile = {
      ...full,
      samples: full.samples.slice(first),
      timeDeltas: [0, ...full.timeDeltas.slice(first + 1)],
    };
  }
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parentOf.set(c, n.id);
  }
  const times: number[] = [];
  let t = 0;
  for (const d of profile.timeDeltas) {
    t += d;
    times.push(t);
  }
  // A sample stands for the time until the next one (the last: the median gap).
  const weights = times.map((x, i) =>
    i + 1 < times.length ? times[i + 1] - x : 0,
  );
  const gaps = weights.slice(0, -1).sort((a, b) => a - b);
  weights[weights.length - 1] = gaps[Math.floor(gaps.length / 2)] ?? 0;
  return { profile, byId, parentOf, weights, times };
}

/** The owner a sample's self time is billed to: its leaf, or the nearest non-transparent caller. */
function attributedOwner(ix: Indexed, nodeId: number): string {
  let id: number | undefined = nodeId;
  const leaf = ownerOf(ix.byId.get(nodeId)!.callFrame);
  while (id !== undefined) {
    const owner = ownerOf(ix.byId.get(id)!.callFrame);
    if (!transparent(owner)) return owner === '(root)' ? leaf : owner;
    id = ix.parentOf.get(id);
  }
  return leaf;
}

function fnLabel(frame: CallFrame): string {
  const owner = ownerOf(frame);
  const name = frame.functionName || '(anonymous)';
  if (VM_NODES.has(frame.functionName)) return name;
  return `${name} ${owner}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

function table(
  rows: Array<[string, number]>,
  total: number,
  units: number | undefined,
  heading: string,
): string[] {
  const width = Math.max(heading.length, ...rows.map(([k]) => k.length));
  const lines = [
    `  ${heading.padEnd(width)}  ${'ms'.padStart(8)}  ${'share'.padStart(6)}${
      units ? `  ${'µs/export'.padStart(9)}` : ''
    }`,
  ];
  for (const [key, us] of rows) {
    lines.push(
      `  ${key.padEnd(width)}  ${(us / 1000).toFixed(0).padStart(8)}  ${(
        (100 * us) /
        total
      )
        .toFixed(1)
        .padStart(5)}%${
        units ? `  ${(us / units).toFixed(0).padStart(9)}` : ''
      }`,
    );
  }
  return lines;
}

/**
 * Prints the tables described at the top of this file. `units`: exports
 * completed while the profile ran, for a per-export column.
 */
export function summariseProfile(
  profile: CpuProfile,
  log: (line: string) => void,
  options: {
    buckets?: boolean;
    stretches?: boolean;
    units?: number;
    top?: number;
    /** Only samples from this many ms after the profile started (e.g. after a warm-up). */
    fromMs?: number;
  } = {},
): void {
  const ix = index(profile, options.fromMs);
  const top = options.top ?? 15;
  const wall = ix.times[ix.times.length - 1] ?? 0;
  const byOwner = new Map<string, number>();
  const byBucket = new Map<string, number>();
  const byFn = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) =>
    m.set(k, (m.get(k) ?? 0) + v);
  let busy = 0;
  ix.profile.samples.forEach((id, i) => {
    const w = ix.weights[i];
    const frame = ix.byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    busy += w;
    add(byOwner, ownerOf(frame), w);
    add(byFn, fnLabel(frame), w);
    add(byBucket, bucketOf(attributedOwner(ix, id)), w);
  });
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]);
  log(
    `CPU profile: ${(wall / 1e6).toFixed(1)} s, ${
      profile.samples.length
    } samples, busy (not idle) ${(busy / 1e6).toFixed(2)} s = ${(
      (100 * busy) /
      Math.max(1, wall)
    ).toFixed(0)} % of the main thread`,
  );
  if (options.buckets) {
    log(
      'self time by bucket (Node internals and native calls billed to the nearest library/file that called them):',
    );
    for (const line of table(sorted(byBucket), busy, options.units, 'bucket')) {
      log(line);
    }
  }
  log('self time by package / file (leaf frame):');
  for (const line of table(
    sorted(byOwner).slice(0, top),
    busy,
    options.units,
    'owner',
  )) {
    log(line);
  }
  log('top functions by self time:');
  for (const line of table(
    sorted(byFn).slice(0, top),
    busy,
    options.units,
    'function',
  )) {
    log(line);
  }
  if (options.stretches) logBusyStretches(ix, log);
}

/** Runs of non-idle samples: how long the event loop was held at a time, and by what. */
function logBusyStretches(ix: Indexed, log: (line: string) => void) {
  const stretches: Array<{ start: number; end: number; from: number }> = [];
  let open: { start: number; end: number; from: number } | undefined;
  ix.profile.samples.forEach((id, i) => {
    const idle = ix.byId.get(id)!.callFrame.functionName === '(idle)';
    if (idle) {
      if (open) stretches.push(open);
      open = undefined;
    } else if (open) {
      open.end = i;
    } else {
      open = { start: i, end: i, from: i };
    }
  });
  if (open) stretches.push(open);
  const length = (s: { start: number; end: number }) =>
    ix.times[s.end] + ix.weights[s.end] - ix.times[s.start];
  const lengths = stretches.map(length).sort((a, b) => a - b);
  const count = (ms: number) => lengths.filter(x => x >= ms * 1000).length;
  const q = (p: number) =>
    ((lengths[Math.floor(p * (lengths.length - 1))] ?? 0) / 1000).toFixed(2);
  log(
    `busy stretches (event loop not idle between two samples): ${
      lengths.length
    }, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; ≥ 2 ms: ${count(
      2,
    )}, ≥ 5 ms: ${count(5)}, ≥ 10 ms: ${count(10)}`,
  );
  // What the long ones spent their time in, together and one by one.
  const long = stretches
    .filter(s => length(s) >= 2000)
    .sort((a, b) => length(b) - length(a));
  const inLong = new Map<string, number>();
  const rootsInLong = new Map<string, number>();
  for (const s of long) {
    for (let i = s.start; i <= s.end; i++) {
      const id = ix.profile.samples[i];
      const w = ix.weights[i];
      const label = fnLabel(ix.byId.get(id)!.callFrame);
      inLong.set(label, (inLong.get(label) ?? 0) + w);
      const root = entryOf(ix, id);
      rootsInLong.set(root, (rootsInLong.get(root) ?? 0) + w);
    }
  }
  const total = [...inLong.values()].reduce((a, b) => a + b, 0);
  if (long.length === 0) return;
  log(
    `inside the ${long.length} stretches ≥ 2 ms (${(total / 1000).toFixed(
      0,
    )} ms): self time by function`,
  );
  for (const line of table(
    [...inLong.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12),
    total,
    undefined,
    'function',
  )) {
    log(line);
  }
  log('  … and by the first non-Node frame of the stack (what started it)');
  for (const line of table(
    [...rootsInLong.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8),
    total,
    undefined,
    'entry',
  )) {
    log(line);
  }
  log('the 5 longest stretches:');
  for (const s of long.slice(0, 5)) {
    const fns = new Map<string, number>();
    for (let i = s.start; i <= s.end; i++) {
      const label = fnLabel(ix.byId.get(ix.profile.samples[i])!.callFrame);
      fns.set(label, (fns.get(label) ?? 0) + ix.weights[i]);
    }
    const mix = [...fns.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} ms`)
      .join('; ');
    log(
      `  ${(length(s) / 1000).toFixed(1)} ms at ${(
        ix.times[s.start] / 1e6
      ).toFixed(2)} s: ${mix}`,
    );
  }
}

/** The outermost frame of a sample's stack that is not Node's own code. */
function entryOf(ix: Indexed, nodeId: number): string {
  const chain: CallFrame[] = [];
  let id: number | undefined = nodeId;
  while (id !== undefined) {
    chain.push(ix.byId.get(id)!.callFrame);
    id = ix.parentOf.get(id);
  }
  chain.reverse(); // root first
  for (const frame of chain) {
    const owner = ownerOf(frame);
    if (owner === '(root)' || transparent(owner)) continue;
    return fnLabel(frame);
  }
  return fnLabel(chain[chain.length - 1]);
}
