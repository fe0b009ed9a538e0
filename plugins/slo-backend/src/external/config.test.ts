import { ConfigReader } from '@backstage/config';
import { readExternalRouting } from './config';

const targets = {
  pager: { type: 'pagerduty' as const },
  inbox: { type: 'backstage' as const },
  tickets: { type: 'jira' as const },
  status: { type: 'statuspage' as const },
};

const read = (external: unknown) =>
  readExternalRouting(
    new ConfigReader({ slo: { notifications: { external } } } as never),
    targets,
  );

describe('slo.notifications.external', () => {
  it('defaults to no source, and fills missing severities with none', () => {
    expect(read(undefined)).toEqual({});
    expect(read({ security: { page: ['pager', 'inbox'] } })).toEqual({
      security: { page: ['pager', 'inbox'], ticket: [] },
    });
  });

  it('refuses an unknown target, naming the source, severity and position', () => {
    expect(() =>
      read({ security: { page: ['pager', 'pagre'], ticket: ['tickets'] } }),
    ).toThrow(
      "Invalid configuration at slo.notifications.external.security.page.1: unknown notification target 'pagre' (not in slo.notifications.targets)",
    );
  });

  it('refuses a statuspage target: never a public status page', () => {
    expect(() => read({ security: { ticket: ['status'] } })).toThrow(
      "Invalid configuration at slo.notifications.external.security.ticket.0: 'status' is a statuspage target: alerts from other plugins never go to a public status page",
    );
  });

  it('refuses a source that is no plugin id, and unknown keys', () => {
    expect(() => read({ Security: { page: [] } })).toThrow(
      /slo\.notifications\.external\.Security: must be a plugin id/,
    );
    expect(() => read({ security: { urgent: ['pager'] } })).toThrow(
      /slo\.notifications\.external\.security: Unrecognized key\(s\) in object: 'urgent'/,
    );
  });
});
