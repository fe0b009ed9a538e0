import { ConfigReader } from '@backstage/config';
import { Writable } from 'node:stream';
import { transports } from 'winston';
import { createOpsRootLogger } from './createOpsRootLogger';
import { LogTap, type LogTapEntry } from './logTap';

async function loggerWithTap(format: 'text' | 'ecs') {
  const tap = new LogTap();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = await createOpsRootLogger({
    config: new ConfigReader({ ops: { logging: { format } } }),
    transports: [new transports.Stream({ stream })],
    secretEnumerator: () => ['s3cret-value'],
    tap,
  });
  return { tap, logger, lines };
}

describe('LogTap', () => {
  it.each(['text', 'ecs'] as const)(
    'receives every entry the root logger writes, with its meta, in %s mode',
    async format => {
      const { tap, logger, lines } = await loggerWithTap(format);
      const seen: LogTapEntry[] = [];
      tap.subscribe(entry => seen.push(entry));
      logger
        .child({ plugin: 'catalog' })
        .info('"GET /api/catalog/entities HTTP/1.1" 401', {
          type: 'incomingRequest',
          status: 401,
          remoteAddr: '203.0.113.9',
        });
      expect(lines).toHaveLength(1);
      expect(seen).toHaveLength(1);
      const entry = seen[0];
      const flat = JSON.stringify(entry);
      expect(flat).toContain('203.0.113.9');
      expect(flat).toContain('401');
      // String keys only: no winston Symbols leak into consumers.
      expect(Object.getOwnPropertySymbols(entry)).toEqual([]);
    },
  );

  it('publishes redacted entries', async () => {
    const { tap, logger } = await loggerWithTap('text');
    const seen: LogTapEntry[] = [];
    tap.subscribe(entry => seen.push(entry));
    logger.info('token is s3cret-value');
    expect(JSON.stringify(seen)).not.toContain('s3cret-value');
  });

  it('gives a listener its own lines too, with the plugin that wrote them', async () => {
    const { tap, logger } = await loggerWithTap('text');
    const seen: LogTapEntry[] = [];
    tap.subscribe(entry => seen.push(entry));
    logger.child({ plugin: 'security' }).info('alert raised');
    expect(seen).toEqual([
      expect.objectContaining({ plugin: 'security', message: 'alert raised' }),
    ]);
  });

  it('keeps logging, and the other listeners, when a listener throws', async () => {
    const { tap, logger, lines } = await loggerWithTap('text');
    const seen: LogTapEntry[] = [];
    tap.subscribe(() => {
      throw new Error('broken consumer');
    });
    tap.subscribe(entry => seen.push(entry));
    logger.info('one');
    logger.info('two');
    expect(lines).toHaveLength(2);
    expect(seen).toHaveLength(2);
    expect(tap.listenerErrors).toBe(2);
  });

  it('copies a line only for listeners whose filter accepts it, once for all of them', async () => {
    const { tap, logger } = await loggerWithTap('text');
    const filtered: LogTapEntry[] = [];
    const everything: LogTapEntry[] = [];
    const asked: unknown[] = [];
    tap.subscribe(entry => filtered.push(entry), {
      accepts: logged => {
        asked.push(logged.message);
        return logged.type === 'incomingRequest';
      },
    });
    logger.info('plain line');
    logger.info('GET /x 401 s3cret-value', { type: 'incomingRequest' });
    expect(asked).toEqual(['plain line', 'GET /x 401 s3cret-value']);
    expect(filtered).toEqual([
      expect.objectContaining({ message: 'GET /x 401 ***' }),
    ]);

    tap.subscribe(entry => everything.push(entry));
    logger.info('second', { type: 'incomingRequest' });
    expect(everything).toHaveLength(1);
    // One copy, shared: the same object reaches both listeners.
    expect(filtered[1]).toBe(everything[0]);
  });

  it('stops delivering after unsubscribe', async () => {
    const { tap, logger } = await loggerWithTap('text');
    const seen: LogTapEntry[] = [];
    const unsubscribe = tap.subscribe(entry => seen.push(entry));
    logger.info('one');
    unsubscribe();
    logger.info('two');
    expect(seen).toHaveLength(1);
    expect(tap.hasListeners).toBe(false);
  });
});
