import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findPgTools, parsePgMajor, runPgTool } from './pgTools';

const signal = () => new AbortController().signal;

describe('parsePgMajor', () => {
  it('reads the major of client and server versions', () => {
    expect(
      parsePgMajor('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n'),
    ).toBe(15);
    expect(parsePgMajor('pg_restore (PostgreSQL) 9.6.24')).toBe(9);
    expect(parsePgMajor('17.2')).toBe(17);
    expect(parsePgMajor('nothing here')).toBeUndefined();
  });
});

describe('findPgTools (the binaries installed here)', () => {
  it('finds a pg_dump and pg_restore pair of the server major', async () => {
    const tools = await findPgTools({ serverMajor: 15, signal: signal() });
    expect(tools.pgDump.major).toBe(15);
    expect(tools.pgRestore.major).toBe(15);
    expect(tools.pgDump.version).toMatch(/^pg_dump \(PostgreSQL\) 15\./);
  });

  it('accepts a newer pg_dump for an older server', async () => {
    const tools = await findPgTools({ serverMajor: 12, signal: signal() });
    expect(tools.pgDump.major).toBeGreaterThanOrEqual(12);
  });

  it('refuses when every pg_dump is older than the server', async () => {
    await expect(
      findPgTools({ serverMajor: 99, signal: signal() }),
    ).rejects.toThrow(
      /^pg_dump 15 on PATH or under \/usr\/lib\/postgresql\/\*\/bin is older than the server \(99\); install postgresql-client-99 or set binDir$/,
    );
  });

  it('uses binDir when given', async () => {
    const binDir = (process.env.PATH ?? '')
      .split(delimiter)
      .find(dir => dir && existsSync(join(dir, 'pg_dump')));
    const tools = await findPgTools({
      serverMajor: 15,
      binDir,
      signal: signal(),
    });
    expect(tools.pgDump.path).toBe(join(binDir!, 'pg_dump'));
    expect(tools.pgRestore.path).toBe(join(binDir!, 'pg_restore'));
  });

  it('says where it looked when nothing is there', async () => {
    await expect(
      findPgTools({
        serverMajor: 15,
        binDir: '/nonexistent/bin',
        signal: signal(),
      }),
    ).rejects.toThrow('pg_dump and pg_restore not found in /nonexistent/bin');
  });
});

describe('runPgTool', () => {
  it('passes the password in the child environment as PGPASSWORD', async () => {
    const { stdout } = await runPgTool('env', [], {
      signal: signal(),
      password: 's3cret',
    });
    expect(stdout.split('\n')).toContain('PGPASSWORD=s3cret');
  });

  it('names the tool and the end of its stderr when it fails', async () => {
    await expect(
      runPgTool('pg_dump', ['--no-such-option'], { signal: signal() }),
    ).rejects.toThrow(/^pg_dump failed \(exit 1\): .*unrecognized option/);
  });

  it('says the tool is missing', async () => {
    await expect(
      runPgTool('/nonexistent/pg_dump', ['--version'], { signal: signal() }),
    ).rejects.toThrow('pg_dump not found (/nonexistent/pg_dump)');
  });
});
