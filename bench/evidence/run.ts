/*
 * The evidence binder benchmark. From the repository root, after
 * `. scripts/bootstrap.sh` (RUN = node --require
 * @backstage/cli-node/config/nodeTransform.cjs bench/evidence/run.ts):
 *
 *   RUN                                  # 10,000 files, 1 GiB in all (the issue's size)
 *   RUN --files 1000 --mib 100           # a quick run
 *   RUN --content random                 # incompressible content (like PDFs, images)
 *
 * Options (or environment BENCH_EVIDENCE_FILES / _MIB / _CONTENT / _LEVELS):
 * --files N (10000), --mib M (1024), --content text|random (text),
 * --levels L1,L2 (gzip levels to build with, one binder each; 1,0),
 * --batch B (files per sha256sum process, 1000), --dir D (where to make the
 * temporary directory; default the OS temp dir), --keep (leave the files).
 *
 * Generates the files in a temporary directory, builds a binder over them
 * (read from the local files, written to a file beside them), times
 * `sha256sum` over the same files in the same run, verifies the binder, and
 * prints the rates, their ratio and the peak memory of the build. See README.md.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { buildBinder } from '../../plugins/evidence-backend/src/binders/buildBinder';
import { verifyBinder } from '../../plugins/evidence-backend/src/binders/verifyBinder';
import type { BinderFile } from '../../plugins/evidence-backend/src/binders/types';
import {
  coverageFixture,
  ed25519Keys,
} from '../../plugins/evidence-backend/src/binders/binderFixtures';
import { parseArgs } from '../shared/process';

const AIMS = { ratio: 0.8 };
const MiB = 2 ** 20;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** A small deterministic PRNG (mulberry32), so every run generates the same files. */
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

/**
 * A pool the files are cut from. `text`: JSON lines shaped like collector
 * output (git merges, access rows, SBOM packages), varied enough that gzip
 * compresses it about as well as real evidence; `random`: incompressible.
 */
function contentPool(kind: 'text' | 'random', bytes: number): Buffer {
  const rand = prng(42);
  if (kind === 'random') {
    const pool = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i += 4) {
      pool.writeUInt32LE((rand() * 2 ** 32) >>> 0, i);
    }
    return pool;
  }
  const words = [
    'merge',
    'review',
    'deploy',
    'group',
    'admin',
    'reader',
    'api-gateway',
    'payments',
    'ledger',
    'signed',
    'approved',
    'package',
    'license',
    'MIT',
    'Apache-2.0',
    'restore',
    'rows',
    'checksum',
  ];
  const pick = () => words[Math.floor(rand() * words.length)];
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join(
      '',
    );
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${JSON.stringify({
      seq: i,
      kind: pick(),
      commit: hex(40),
      author: `user${Math.floor(rand() * 5000)}@example.test`,
      at: new Date(1_760_000_000_000 + Math.floor(rand() * 1e10)).toISOString(),
      subject: `${pick()} ${pick()} ${pick()} #${Math.floor(rand() * 10000)}`,
      ok: rand() < 0.97,
    })}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/** File sizes: log-uniform-ish spread (a few bytes to ~30× the mean), scaled to the exact total. */
function fileSizes(count: number, totalBytes: number): number[] {
  const rand = prng(7);
  const raw = Array.from({ length: count }, () => Math.exp(rand() * 8));
  const sum = raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map(r => Math.max(1, Math.floor((r / sum) * totalBytes)));
  sizes[0] += totalBytes - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

interface Generated {
  files: BinderFile[];
  paths: string[];
  bytes: number;
}

async function generate(
  dir: string,
  count: number,
  totalBytes: number,
  kind: 'text' | 'random',
): Promise<Generated> {
  const pool = contentPool(kind, 16 * MiB);
  const sizes = fileSizes(count, totalBytes);
  const rand = prng(99);
  const files: BinderFile[] = [];
  const paths: string[] = [];
  await mkdir(path.join(dir, 'files'));
  for (let i = 0; i < count; i++) {
    const size = sizes[i];
    const parts: Buffer[] = [];
    for (let left = size; left > 0; ) {
      const n = Math.min(left, pool.length);
      const at = Math.floor(rand() * (pool.length - n + 1));
      parts.push(pool.subarray(at, at + n));
      left -= n;
    }
    const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const name = `evidence-${String(i).padStart(5, '0')}.json`;
    const file = path.join(dir, 'files', name);
    await writeFile(file, data);
    paths.push(file);
    files.push({
      id: `item-${i}`,
      type: 'change-management.git',
      title: `Generated evidence ${i}`,
      points: [['CC8.1'], ['CC6.1', 'CC6.2'], ['CC7.2']][i % 3],
      entityRef: `component:default/service-${i % 50}`,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-12-31T00:00:00.000Z',
      collectedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      sha256: createHash('sha256').update(data).digest('hex'),
      sizeBytes: size,
      mediaType: 'application/json',
      fileName: name,
      // `end` makes node read the known size at once (one buffer of the
      // file's size, not a highWaterMark-sized one per read): half the CPU.
      open: async () =>
        createReadStream(file, {
          highWaterMark: MiB,
          end: Math.max(0, size - 1),
        }),
    });
  }
  return { files, paths, bytes: totalBytes };
}

/** `xargs -0 -n B sha256sum` over the files: batches, one process at a time. */
function sha256sumAll(paths: string[], batch: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('xargs', ['-0', '-n', String(batch), 'sha256sum'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const b of chunk) if (b === 10) lines += 1;
    });
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve(lines)
        : reject(new Error(`xargs sha256sum exited with ${code}`)),
    );
    child.stdin.end(`${paths.join('\0')}\0`);
  });
}

/** Samples RSS every 20 ms; keeps the peak and a few points along the build. */
class RssSampler {
  peak = 0;
  #timer?: NodeJS.Timeout;
  start() {
    this.peak = process.memoryUsage.rss();
    this.#timer = setInterval(() => this.sample(), 20);
  }
  sample() {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
  stop() {
    this.sample();
    clearInterval(this.#timer);
  }
}

const mb = (bytes: number) => (bytes / MiB).toFixed(1);
const rate = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/** CPU seconds (user + system) of this process and of its waited-for children (/proc, Linux). */
function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { self: (f[11] + f[12]) / 100, children: (f[13] + f[14]) / 100 };
}

/** Wall time and CPU time (own threads, or children) of `fn`. */
async function timed<T>(fn: () => Promise<T>) {
  const cpu0 = cpuSeconds();
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  const cpu1 = cpuSeconds();
  return {
    ms,
    value,
    cpuSelf: cpu1.self - cpu0.self,
    cpuChildren: cpu1.children - cpu0.children,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const opt = (name: string, env: string, fallback: string) =>
    String(args[name] ?? process.env[`BENCH_EVIDENCE_${env}`] ?? fallback);
  const count = Number(opt('files', 'FILES', '10000'));
  const mib = Number(opt('mib', 'MIB', '1024'));
  const kind = opt('content', 'CONTENT', 'text') as 'text' | 'random';
  const levels = opt('levels', 'LEVELS', '1,0')
    .split(',')
    .map(l => (l === 'default' ? undefined : Number(l)));
  const batch = Number(args.batch ?? 1000);
  if (!(count > 0) || !(mib > 0) || !['text', 'random'].includes(kind)) {
    throw new Error(
      '--files and --mib must be positive, --content text|random',
    );
  }

  const dir = await mkdtemp(
    path.join(String(args.dir ?? tmpdir()), 'evidence-bench-'),
  );
  const cleanup = async () => {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup().finally(() => process.exit(130));
  });

  try {
    log(
      `machine: ${cpus().length} CPU (${cpus()[0]?.model}), ${mb(
        totalmem(),
      )} MiB RAM, load ${loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}; node ${process.version}`,
    );
    log(`generating ${count} files, ${mib} MiB of ${kind} content in ${dir}`);
    const gen = await timed(() =>
      generate(dir, count, Math.round(mib * MiB), kind),
    );
    log(`generated in ${(gen.ms / 1000).toFixed(1)} s`);
    const { files, paths, bytes } = gen.value;

    // Warm the page cache the same way for both sides (an untimed pass).
    await sha256sumAll(paths, batch);

    const sumsA = await timed(() => sha256sumAll(paths, batch));
    if (sumsA.value !== count)
      throw new Error(`sha256sum printed ${sumsA.value} lines`);

    const { privateKey } = ed25519Keys();
    const rows: string[] = [];
    const sumRows: number[] = [sumsA.ms];
    const sumCpus: number[] = [sumsA.cpuChildren];
    const builds: Array<{
      level: number | undefined;
      ms: number;
      cpu: number;
      peak: number;
      before: number;
      marks: string[];
      outSize: number;
      verifyMs: number;
      files: number;
    }> = [];
    for (const level of levels) {
      const out = path.join(dir, `binder-${level ?? 'default'}.tar.gz`);
      const rss = new RssSampler();
      const before = process.memoryUsage.rss();
      const marks: string[] = [];
      let nextMark = 0.25;
      rss.start();
      const build = await timed(() =>
        buildBinder(
          {
            periodStart: '2026-10-01T00:00:00.000Z',
            periodEnd: '2026-12-31T00:00:00.000Z',
            points: [],
            generatedAt: '2026-12-01T12:00:00.000Z',
            coverage: coverageFixture(),
            files,
            collectionLog: 'benchmark\n',
            signingKey: privateKey,
            compressionLevel: level,
          },
          createWriteStream(out, { highWaterMark: MiB }),
          p => {
            if (p.bytes >= nextMark * p.totalBytes) {
              marks.push(
                `${Math.round(nextMark * 100)}%: ${mb(
                  process.memoryUsage.rss(),
                )}`,
              );
              nextMark += 0.25;
            }
          },
        ),
      );
      rss.stop();
      // sha256sum again after every build, so both sides see the same machine.
      const sums = await timed(() => sha256sumAll(paths, batch));
      sumRows.push(sums.ms);
      sumCpus.push(sums.cpuChildren);
      const verify = await timed(() => verifyBinder(createReadStream(out)));
      if (!verify.value.ok) {
        throw new Error(
          `the binder does not verify: ${JSON.stringify(verify.value)}`,
        );
      }
      builds.push({
        level,
        ms: build.ms,
        cpu: build.cpuSelf,
        peak: rss.peak,
        before,
        marks,
        outSize: (await stat(out)).size,
        verifyMs: verify.ms,
        files: verify.value.fileCount,
      });
      await rm(out);
    }

    const sumMs = sumRows.reduce((x, y) => x + y, 0) / sumRows.length;
    const sumCpu = sumCpus.reduce((x, y) => x + y, 0) / sumCpus.length;
    const sumRate = rate(bytes, sumMs);
    log('');
    log(`| figure | measured |`);
    log(`| --- | --- |`);
    log(
      `| files, content | ${count} files, ${mib} MiB (${bytes} bytes), ${kind} |`,
    );
    log(
      `| sha256sum (xargs -n ${batch}), mean of ${sumRows.length} | ${(
        sumMs / 1000
      ).toFixed(2)} s (${sumRows
        .map(ms => (ms / 1000).toFixed(2))
        .join(', ')}), **${sumRate.toFixed(0)} MiB/s**; CPU ${sumCpu.toFixed(
        2,
      )} s (${rate(bytes, sumCpu * 1000).toFixed(0)} MiB per CPU-second) |`,
    );
    for (const b of builds) {
      const buildRate = rate(bytes, b.ms);
      const ratio = buildRate / sumRate;
      const name = `gzip level ${b.level ?? 'default'}`;
      rows.push(
        `| binder build, ${name} | ${(b.ms / 1000).toFixed(
          2,
        )} s, **${buildRate.toFixed(
          0,
        )} MiB/s**, ratio to sha256sum **${ratio.toFixed(2)}** (aim ≥ ${
          AIMS.ratio
        }: ${ratio >= AIMS.ratio ? 'meets' : 'misses'}); CPU ${b.cpu.toFixed(
          2,
        )} s all threads (${rate(bytes, b.cpu * 1000).toFixed(
          0,
        )} MiB per CPU-second); ${mb(b.outSize)} MiB written (${(
          (b.outSize / bytes) *
          100
        ).toFixed(0)} %) |`,
      );
      rows.push(
        `| RSS during the build, ${name} | before ${mb(
          b.before,
        )} MiB, peak **${mb(b.peak)} MiB** (+${mb(
          b.peak - b.before,
        )}); at ${b.marks.join(', ')} MiB |`,
      );
      rows.push(
        `| verifyBinder of that binder | ${(b.verifyMs / 1000).toFixed(
          2,
        )} s, ${rate(bytes, b.verifyMs).toFixed(0)} MiB/s, ${
          b.files
        } files, ok |`,
      );
    }
    rows.forEach(r => log(r));
  } finally {
    await cleanup();
  }
}

main().catch(err => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
