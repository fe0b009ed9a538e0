import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/ops-siem');
const SAMPLES = resolve(__dirname, '../../samples');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    cwd: SAMPLES,
  });
  const lines = result.stdout.split('\n').filter(Boolean);
  return { code: result.status, lines, stderr: result.stderr };
}

describe('ops-siem', () => {
  it('normalizes a sample log to ECS NDJSON and counts bad lines', () => {
    const { code, lines, stderr } = run(['normalize', 'mixed.log']);
    expect(code).toBe(0);
    const docs = lines.map(line => JSON.parse(line));
    expect(docs).toHaveLength(9);
    expect(docs.every(d => d.ecs.version === '9.4.0')).toBe(true);
    expect(lines.join('\n')).not.toContain('token=secret');
    expect(stderr).toContain('ops-siem normalize: 9 events, 5 problems');
    expect(stderr).toContain('truncated: 1 (mixed.log:11)');
    expect(stderr).toContain('malformed_json: 1 (mixed.log:10)');
    expect(stderr).toContain('invalid_utf8: 1 (mixed.log:14)');
  });

  it('passes the portal’s own ECS output through', () => {
    const { code, lines, stderr } = run(['normalize', 'ecs.log']);
    expect(code).toBe(0);
    const docs = lines.map(line => JSON.parse(line));
    expect(stderr).toContain('ops-siem normalize: 6 events, 0 problems');
    expect(docs.every(d => d.ecs.version === '9.4.0')).toBe(true);
    // Nested, as every other document: no dotted key is left.
    expect(docs.flatMap(d => Object.keys(d))).not.toContain('log.level');
    expect(docs.map(d => d.event.dataset)).toEqual([
      'backstage',
      'backstage.access',
      'backstage.access',
      'backstage.auditor',
      'ops.audit',
      'backstage',
    ]);
    expect(lines.join('\n')).not.toContain('token=');
  });

  it('reads stdin for -', () => {
    const line = JSON.stringify({ level: 30, time: 0, msg: 'hi' });
    const { code, lines } = run(['normalize', '-'], `${line}\n`);
    expect(code).toBe(0);
    expect(JSON.parse(lines[0])).toMatchObject({
      '@timestamp': '1970-01-01T00:00:00.000Z',
      message: 'hi',
    });
  });

  it('detects DSAR abuse from the portal’s access lines', () => {
    const intake = (minute: number) =>
      JSON.stringify({
        level: 'info',
        message: '"POST /api/privacy/export HTTP/1.1" 201',
        type: 'incomingRequest',
        method: 'POST',
        url: '/api/privacy/export',
        status: 201,
        ip: '203.0.113.5',
        timestamp: new Date(Date.UTC(2025, 2, 4, 10, minute)).toISOString(),
      });
    const nine = Array.from({ length: 9 }, (_, i) => intake(i * 5)).join('\n');
    expect(run(['detect', '-'], `${nine}\n`).lines).toEqual([]);
    const { lines } = run(['detect', '-'], `${nine}\n${intake(50)}\n`);
    expect(lines.map(line => JSON.parse(line))).toEqual([
      expect.objectContaining({
        ruleId: 'dsar-abuse',
        groupKey: '203.0.113.5',
      }),
    ]);
  });

  it('detects exactly the attacks in the samples', () => {
    // In time order: the engine counts events far older than the newest as late.
    const { code, lines, stderr } = run([
      'detect',
      'mixed.log',
      'ecs.log',
      'attack.log',
    ]);
    expect(code).toBe(0);
    const alerts = lines.map(line => JSON.parse(line));
    expect(alerts.map(a => [a.ruleId, a.groupKey])).toEqual([
      ['privileged-after-hours', 'user:default/dpo'],
      ['brute-force', '198.51.100.66'],
    ]);
    expect(alerts[1].count).toBe(5);
    expect(stderr).toContain('alerts: 2');
  });

  it('reports an unreadable file and goes on with the rest', () => {
    const { code, lines, stderr } = run([
      'normalize',
      'missing.log',
      'attack.log',
    ]);
    expect(code).toBe(1);
    expect(lines).toHaveLength(6);
    expect(stderr).toContain('unreadable: 1 (missing.log:0)');
  });

  it('prints usage on a bad command', () => {
    const { code, stderr } = run(['frobnicate', 'x.log']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: ops-siem');
  });
});
