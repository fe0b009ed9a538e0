import { discoverObjectives } from '../objectives/discovery';
import { pushObjectiveYaml } from '../testing/sloTestDatabase';
import { buildNotification, deliveriesFor } from './notifications';

const [stored] = discoverObjectives({
  files: [
    { file: 'gw.yaml', key: 'gw', text: pushObjectiveYaml('gw-availability') },
  ],
  entities: [
    {
      ref: 'component:default/api-gateway',
      annotation: 'gw',
      owner: 'group:default/platform',
      runbook: 'https://runbooks.example.com/api-gateway',
    },
  ],
  routing: { page: ['pager'], ticket: ['tickets'] },
}).objectives;

describe('buildNotification', () => {
  it('links the objective page, the runbook and the rollback template with the service filled in', () => {
    const n = buildNotification({
      stored,
      alert: { id: 'a1', tier: 'page-1h', dedupKey: 'gw-availability:page-1h' },
      event: 'fired',
      at: new Date('2026-12-01T10:00:00Z'),
      links: { baseUrl: 'https://portal.example.com' },
    });
    expect(n.objective).toMatchObject({
      entityRef: 'component:default/api-gateway',
      owner: 'group:default/platform',
    });
    expect(n.tier).toMatchObject({ name: 'page-1h', severity: 'page' });
    expect(n.links).toEqual({
      objective: 'https://portal.example.com/slo/objectives/gw-availability',
      runbook: 'https://runbooks.example.com/api-gateway',
      rollback: `https://portal.example.com/create/templates/default/rollback-bad-deploy?formData=${encodeURIComponent(
        '{"entity":"component:default/api-gateway"}',
      )}`,
    });
    expect(
      deliveriesFor(n, ['pager', 'inbox'], '1700000000000').map(
        d => d.idempotencyKey,
      ),
    ).toEqual([
      'slo-alert:a1:fired:1700000000000:pager',
      'slo-alert:a1:fired:1700000000000:inbox',
    ]);
  });
});
