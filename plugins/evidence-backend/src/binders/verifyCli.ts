/**
 * `evidence-verify <binder.tar.gz> [--public-key key.pem]`: exit 0 when the
 * binder verifies, 1 when it does not, 2 for a usage error.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { formatVerification } from './formatVerification';
import { verifyBinder } from './verifyBinder';

const USAGE = 'usage: evidence-verify <binder.tar.gz> [--public-key key.pem]';

export async function runVerifyCli(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  let file: string | undefined;
  let keyFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      io.out(USAGE);
      return 0;
    } else if (arg === '--public-key' && argv[i + 1] !== undefined) {
      keyFile = argv[++i];
    } else if (arg.startsWith('--public-key=')) {
      keyFile = arg.slice('--public-key='.length);
    } else if (!arg.startsWith('-') && file === undefined) {
      file = arg;
    } else {
      io.err(USAGE);
      return 2;
    }
  }
  if (!file) {
    io.err(USAGE);
    return 2;
  }
  let publicKeyPem: string | undefined;
  if (keyFile !== undefined) {
    try {
      publicKeyPem = await readFile(keyFile, 'utf8');
    } catch (e) {
      io.err(`cannot read the public key ${keyFile}: ${(e as Error).message}`);
      return 2;
    }
  }
  const input = createReadStream(file);
  const opened = await new Promise<Error | null>(resolve => {
    input.once('open', () => resolve(null));
    input.once('error', resolve);
  });
  if (opened) {
    io.err(`cannot read ${file}: ${opened.message}`);
    return 2;
  }
  const result = await verifyBinder(input, { publicKeyPem });
  for (const line of formatVerification(result)) io.out(line);
  return result.ok ? 0 : 1;
}
