import { formatElapsed, formatMinutes, formatMonth, shortRef } from './format';

describe('format', () => {
  it('renders elapsed time as H:MM:SS', () => {
    expect(formatElapsed(0)).toBe('0:00:00');
    expect(formatElapsed(59_999)).toBe('0:00:59');
    expect(formatElapsed(754_000)).toBe('0:12:34');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(36_000_000 + 5000)).toBe('10:00:05');
    expect(formatElapsed(-5000)).toBe('0:00:00');
  });

  it('names people briefly', () => {
    expect(shortRef('user:default/alice')).toBe('alice');
    expect(shortRef('group:default/sre')).toBe('group:sre');
    expect(shortRef(null)).toBe('someone');
  });

  it('reads months and minutes', () => {
    expect(formatMonth('2026-12')).toBe('December 2026');
    expect(formatMinutes(12.345)).toBe('12.3');
    expect(formatMinutes(3)).toBe('3');
  });
});
