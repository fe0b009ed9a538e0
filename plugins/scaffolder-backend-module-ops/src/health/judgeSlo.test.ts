import { fastBurnTiers, judgeObjective, judgeObjectives } from './judgeSlo';
import { sloStatus } from './__testUtils__/fakeSloApi';

describe('judgeObjective', () => {
  it('is ok when no page tier fires and there is traffic', () => {
    const v = judgeObjective('Checkout', sloStatus('checkout', { burn: 0.5 }));
    expect(v).toEqual({
      state: 'ok',
      detail: 'Checkout: ok (page-6h burn 0.5× short; threshold 6×)',
    });
  });

  it('is firing when a page tier fires, naming it and its burn rates', () => {
    const v = judgeObjective(
      'Checkout',
      sloStatus('checkout', { firing: ['page-1h'] }),
    );
    expect(v).toEqual({
      state: 'firing',
      detail:
        'Checkout: page-1h firing (burn 20× long, 20× short; threshold 14.4×)',
    });
  });

  it('ignores slow ticket tiers, which keep firing long after a fix', () => {
    const v = judgeObjective(
      'Checkout',
      sloStatus('checkout', { firing: ['ticket-1d', 'ticket-3d'] }),
    );
    expect(v.state).toBe('ok');
  });

  it('cannot confirm health without traffic in the short windows', () => {
    const v = judgeObjective(
      'Checkout',
      sloStatus('checkout', { noTraffic: true }),
    );
    expect(v.state).toBe('no-data');
    expect(v.detail).toBe(
      'Checkout: no traffic in the short window of page-1h, page-6h; cannot confirm (data through never)',
    );
  });

  it('without page tiers, judges by the tier with the highest threshold', () => {
    const status = sloStatus('checkout', { firing: ['ticket-1d'] });
    status.tiers = status.tiers.filter(t => t.severity === 'ticket');
    expect(fastBurnTiers(status.tiers).map(t => t.name)).toEqual(['ticket-1d']);
    expect(judgeObjective('Checkout', status).state).toBe('firing');
  });

  it('does not judge an objective without tiers', () => {
    const status = { ...sloStatus('checkout'), tiers: [] };
    expect(judgeObjective('Checkout', status)).toEqual({
      state: 'no-tiers',
      detail: 'Checkout: no alert tiers, not judged',
    });
  });
});

describe('judgeObjectives', () => {
  const ok = { state: 'ok' as const, detail: 'A: ok' };
  const firing = { state: 'firing' as const, detail: 'B: firing' };
  const noTiers = { state: 'no-tiers' as const, detail: 'C: not judged' };
  const noData = { state: 'no-data' as const, detail: 'D: no traffic' };

  it('is healthy when every judged objective is ok', () => {
    expect(judgeObjectives([ok, noTiers])).toEqual({
      healthy: true,
      details: 'A: ok; C: not judged',
    });
  });

  it('is not healthy when one fires or has no data', () => {
    expect(judgeObjectives([ok, firing]).healthy).toBe(false);
    expect(judgeObjectives([ok, noData]).healthy).toBe(false);
  });

  it('is not healthy when nothing could be judged', () => {
    expect(judgeObjectives([noTiers]).healthy).toBe(false);
  });
});
