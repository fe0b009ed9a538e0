import { ConfigReader } from '@backstage/config';
import { readNotifyConfig } from './notifyConfig';

describe('readNotifyConfig', () => {
  const read = (notify: unknown) =>
    readNotifyConfig(
      new ConfigReader({ ops: { scaffolder: { notify } } } as any),
    );

  it('reads both targets with their defaults; none is fine too', () => {
    expect(readNotifyConfig(new ConfigReader({}))).toEqual({});
    expect(
      read({
        slack: { token: 'xoxb-1', channel: 'C0123' },
        statuspage: {
          apiKey: 'k',
          pageId: 'p1',
          components: { payments: 'c1' },
        },
      }),
    ).toEqual({
      slack: {
        token: 'xoxb-1',
        channel: 'C0123',
        url: 'https://slack.com/api',
      },
      statuspage: {
        apiKey: 'k',
        pageId: 'p1',
        url: 'https://api.statuspage.io/v1',
        components: { payments: 'c1' },
      },
    });
  });

  it('names every problem with its place and never the secret', () => {
    let message = '';
    try {
      read({
        slack: { token: 'xoxb-secret', channel: '#incidents', url: 'slack' },
        statuspage: { apiKey: 'sp-secret', components: { payments: 3 } },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Invalid ops:notify configuration');
    expect(message).toContain(
      'ops.scaffolder.notify.slack.channel: must be a channel ID such as C0123456789',
    );
    expect(message).toContain(
      'ops.scaffolder.notify.slack.url: must be a URL such as https://slack.com/api',
    );
    expect(message).toContain('ops.scaffolder.notify.statuspage.pageId');
    expect(message).toContain(
      'ops.scaffolder.notify.statuspage.components.payments',
    );
    expect(message).not.toMatch(/secret/);
  });
});
