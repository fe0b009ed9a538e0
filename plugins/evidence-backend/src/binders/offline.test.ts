/**
 * The three ways an auditor checks a binder, run for real: our CLI as a child
 * process, `sha256sum -c SHA256SUMS` and `openssl pkeyutl -verify`, on a good
 * binder and on one with a single byte flipped.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBinder } from './buildBinder';
import {
  binderInput,
  ed25519Keys,
  flipByte,
  memoryFile,
  rewriteArchive,
  sha256,
} from './binderFixtures';

jest.setTimeout(120_000);

const CLI = path.resolve(__dirname, '../../bin/evidence-verify');
const keys = ed25519Keys();
const EVIDENCE = `evidence/${sha256('{"deploys":7}').slice(
  0,
  12,
)}-deploys.json`;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd?: string): Promise<Ran> {
  return new Promise(resolve => {
    execFile(cmd, args, { cwd, timeout: 90_000 }, (error, stdout, stderr) => {
      let code = 0;
      if (error) code = typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let good: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'binder-offline-'));
  good = path.join(dir, 'binder.tar.gz');
  await buildBinder(
    binderInput(keys.privateKey, [
      memoryFile('d1', 'deploys.json', '{"deploys":7}'),
      memoryFile('d2', 'sbom.json', 'z'.repeat(30_000), { type: 'sbom' }),
    ]),
    createWriteStream(good),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Extracts a .tar.gz with the system tar into a fresh folder; returns its binder/. */
async function extract(archive: string, name: string): Promise<string> {
  const into = path.join(dir, name);
  await run('mkdir', ['-p', into]);
  const tar = await run('tar', ['xzf', archive, '-C', into]);
  expect(tar).toMatchObject({ code: 0, stderr: '' });
  return path.join(into, 'binder');
}

const opensslVerify = (cwd: string) =>
  run(
    'openssl',
    [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'public-key.pem',
      '-rawin',
      '-in',
      'manifest.json',
      '-sigfile',
      'manifest.json.sig',
    ],
    cwd,
  );

describe('a binder checked offline', () => {
  it('verifies with the CLI, sha256sum and openssl', async () => {
    const cli = await run(process.execPath, [CLI, good]);
    expect(cli.stdout.trim().split('\n').pop()).toBe('OK');
    expect(cli.code).toBe(0);

    const binder = await extract(good, 'good');
    const sums = await run('sha256sum', ['-c', 'SHA256SUMS'], binder);
    expect(sums.code).toBe(0);
    expect(sums.stdout).toContain(`${EVIDENCE}: OK`);
    expect(sums.stdout).toContain('manifest.json: OK');

    const ssl = await opensslVerify(binder);
    expect(ssl.stdout).toContain('Signature Verified Successfully');
    expect(ssl.code).toBe(0);
  });

  it('the CLI names the evidence file with one byte flipped inside the archive', async () => {
    const tampered = path.join(dir, 'tampered.tar.gz');
    await writeFile(
      tampered,
      await rewriteArchive(await readFile(good), (name, data) =>
        name === `binder/${EVIDENCE}` ? flipByte(data) : data,
      ),
    );
    const cli = await run(process.execPath, [CLI, tampered]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`MISMATCHED ${EVIDENCE}`);
    expect(cli.stdout.trim().split('\n').pop()).toBe('FAILED');
  });

  it('the CLI names missing and extra files', async () => {
    const changed = path.join(dir, 'changed.tar.gz');
    await writeFile(
      changed,
      await rewriteArchive(
        await readFile(good),
        (name, data) => (name === `binder/${EVIDENCE}` ? null : data),
        [{ name: 'binder/notes.txt', data: Buffer.from('added later') }],
      ),
    );
    const cli = await run(process.execPath, [CLI, changed]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`MISSING ${EVIDENCE}`);
    expect(cli.stdout).toContain('EXTRA notes.txt');
  });

  it('sha256sum -c names the evidence file with one byte flipped', async () => {
    const binder = await extract(good, 'flipped-evidence');
    const file = path.join(binder, EVIDENCE);
    await writeFile(file, flipByte(await readFile(file)));
    const sums = await run('sha256sum', ['-c', 'SHA256SUMS'], binder);
    expect(sums.code).toBe(1);
    expect(sums.stdout).toContain(`${EVIDENCE}: FAILED`);
    expect(sums.stdout).toContain('index.html: OK');
    expect(sums.stderr).toContain('1 computed checksum did NOT match');
  });

  it('openssl rejects the signature after one byte of manifest.json is flipped', async () => {
    const binder = await extract(good, 'flipped-manifest');
    const manifest = path.join(binder, 'manifest.json');
    await writeFile(manifest, flipByte(await readFile(manifest)));
    const ssl = await opensslVerify(binder);
    expect(ssl.code).not.toBe(0);
    expect(ssl.stdout).toContain('Signature Verification Failure');
    const sums = await run('sha256sum', ['-c', 'SHA256SUMS'], binder);
    expect(sums.stdout).toContain('manifest.json: FAILED');
  });

  it('the CLI fails with a pinned key that is not the signer', async () => {
    const keyFile = path.join(dir, 'other.pem');
    await writeFile(keyFile, ed25519Keys().publicKeyPem);
    const cli = await run(process.execPath, [
      CLI,
      good,
      '--public-key',
      keyFile,
    ]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('SIGNATURE INVALID');

    const right = path.join(dir, 'right.pem');
    await writeFile(right, keys.publicKeyPem);
    const ok = await run(process.execPath, [
      CLI,
      good,
      `--public-key=${right}`,
    ]);
    expect(ok.code).toBe(0);
  });

  it('the CLI answers a usage error with exit 2', async () => {
    expect((await run(process.execPath, [CLI])).code).toBe(2);
    expect((await run(process.execPath, [CLI, good, '--bogus'])).code).toBe(2);
    const absent = await run(process.execPath, [
      CLI,
      path.join(dir, 'nope.tgz'),
    ]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('cannot read');
  });

  it('the CLI reports a file that is not a binder as FAILED', async () => {
    const junk = path.join(dir, 'junk.tar.gz');
    await writeFile(junk, 'not an archive');
    const cli = await run(process.execPath, [CLI, junk]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('ERROR unreadable archive');
  });
});
