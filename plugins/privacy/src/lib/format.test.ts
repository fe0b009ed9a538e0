import {
  formatBytes,
  formatPercent,
  priorityName,
  summarizeData,
} from './format';

describe('format', () => {
  it('names priorities and keeps unnamed numbers', () => {
    expect(priorityName(1)).toBe('LOW');
    expect(priorityName(20)).toBe('URGENT');
    expect(priorityName(7)).toBe('7');
  });

  it('summarizes audit data on one line, cut at the limit', () => {
    expect(summarizeData({ from: 'queued', to: 'running', n: 2 })).toBe(
      'from=queued, to=running, n=2',
    );
    expect(summarizeData({ sources: ['a', 'b'] })).toBe('sources=["a","b"]');
    expect(summarizeData({ text: 'x'.repeat(50) }, 20)).toHaveLength(20);
  });

  it('formats percentages, sizes', () => {
    expect(formatPercent(null)).toBe('no data');
    expect(formatPercent(0.955)).toBe('95.5%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});
