import * as legacy from './index';

describe('slo plugin (legacy frontend system)', () => {
  it('exports the page, the entity content and the entity card', () => {
    expect(legacy.sloPlugin.getId()).toBe('slo');
    expect(legacy.SloPage).toBeDefined();
    expect(legacy.EntitySloContent).toBeDefined();
    expect(legacy.EntitySloCard).toBeDefined();
    expect(Object.keys(legacy.sloPlugin.routes)).toEqual([
      'root',
      'objective',
      'demoSink',
    ]);
  });
});
