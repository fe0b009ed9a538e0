import { ManualTimer } from '../__testUtils__/manualTimer';
import { RetryQueue } from './RetryQueue';

const raised = (n: number) => `203.0.113.${n}`;

/** A one-item-per-batch store that fails while `down`, like a database that is away. */
function setup(options: { max?: number } = {}) {
  const state = { down: false, attempts: 0 };
  const stored: string[] = [];
  const timer = new ManualTimer();
  const logger = { warn: jest.fn(), info: jest.fn() };
  const pending = new RetryQueue<string>({
    deliver: async items => {
      state.attempts += 1;
      if (state.down) {
        throw Object.assign(
          new Error(`insert into security_alerts values ('${items[0]}')`),
          { code: 'ECONNREFUSED' },
        );
      }
      stored.push(...items);
    },
    noun: 'alert(s)',
    batchSize: 1,
    max: options.max,
    timer: timer.timer,
    logger,
  });
  return { state, stored, timer, logger, pending };
}

describe('RetryQueue', () => {
  it('stores alerts at once while the store works', async () => {
    const { stored, timer, logger, pending } = setup();
    await pending.add([raised(1), raised(2)]);
    expect(stored).toEqual(['203.0.113.1', '203.0.113.2']);
    expect(pending.count).toBe(0);
    expect(timer.delays).toEqual([]);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('keeps what failed, retries it in order with backoff up to 60 s, one warning per failed turn', async () => {
    const { state, stored, timer, logger, pending } = setup();
    state.down = true;
    await pending.add([raised(1), raised(2)]);
    // The first failure stops the turn: the second alert is not tried.
    expect(state.attempts).toBe(1);
    expect(pending.count).toBe(2);
    expect(timer.delays).toEqual([1000]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const warning = logger.warn.mock.calls[0][0];
    expect(warning).toContain('2 alert(s) could not be stored (ECONNREFUSED)');
    expect(warning).toContain('retrying in 1 s');
    // No personal data: the store's message holds the address.
    expect(warning).not.toContain('203.0.113');

    // Raised while waiting: queued behind, not tried before the retry.
    await pending.add([raised(3)]);
    expect(state.attempts).toBe(1);
    expect(pending.count).toBe(3);

    for (let turn = 0; turn < 8; turn++) await timer.fire();
    expect(timer.delays).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(9);
    expect(state.attempts).toBe(9);
    expect(stored).toEqual([]);

    state.down = false;
    await timer.fire();
    expect(stored).toEqual(['203.0.113.1', '203.0.113.2', '203.0.113.3']);
    expect(pending.count).toBe(0);
    expect(timer.waiting).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(9);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info.mock.calls[0][0]).toContain('none pending');

    // Working again: stored at once, the backoff starts over next time.
    await pending.add([raised(4)]);
    expect(stored).toHaveLength(4);
    state.down = true;
    await pending.add([raised(5)]);
    expect(timer.delays.at(-1)).toBe(1000);
  });

  it('drops the oldest beyond the bound and counts them', async () => {
    const { state, stored, timer, pending } = setup({ max: 3 });
    state.down = true;
    await pending.add([1, 2, 3, 4, 5].map(raised));
    expect(pending.count).toBe(3);
    expect(pending.dropped).toBe(2);
    await pending.add([raised(6)]);
    expect(pending.count).toBe(3);
    expect(pending.dropped).toBe(3);

    state.down = false;
    await timer.fire();
    expect(stored).toEqual(['203.0.113.4', '203.0.113.5', '203.0.113.6']);
    expect(pending.count).toBe(0);
    expect(pending.dropped).toBe(3);
  });

  it('tries once more on stop and warns with what is left', async () => {
    const { state, timer, logger, pending } = setup();
    state.down = true;
    await pending.add([raised(1), raised(2)]);
    expect(state.attempts).toBe(1);
    await pending.stop();
    expect(state.attempts).toBe(2);
    expect(timer.waiting).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1][0]).toBe(
      'Security pipeline stopped with 2 alert(s) not stored; they are lost',
    );
  });

  it('stores the waiting alerts on stop when the store is back', async () => {
    const { state, stored, timer, logger, pending } = setup();
    state.down = true;
    await pending.add([raised(1)]);
    state.down = false;
    await pending.stop();
    expect(stored).toEqual(['203.0.113.1']);
    expect(pending.count).toBe(0);
    expect(timer.waiting).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
