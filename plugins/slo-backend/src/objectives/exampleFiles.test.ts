import { readObjectiveFolders } from './ObjectiveDiscovery';
import { discoverObjectives } from './discovery';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { join } from 'node:path';

describe('the example objectives (examples/slos)', () => {
  it('all parse, with no problem, and the privacy SLA fans out per region and type', async () => {
    const folder = join(
      resolvePackagePath('@internal/plugin-slo-backend'),
      '../../examples/slos',
    );
    const { files, unreadable } = await readObjectiveFolders([folder]);
    expect(unreadable).toEqual([]);
    const { objectives, problems } = discoverObjectives({
      files,
      entities: [],
      routing: { page: ['oncall-pagerduty'], ticket: ['ops-jira'] },
    });
    expect(problems).toEqual([]);
    const ids = objectives.map(o => o.objective.id);
    expect(ids).toContain('privacy-export-sla:region=EU,type=export');
    expect(ids).toContain('privacy-delete-sla:region=APAC,type=delete');
    const gateway = objectives.find(
      o => o.objective.id === 'api-gateway-availability',
    )!;
    expect(gateway.tiers).toEqual([
      expect.objectContaining({
        name: 'page-fast-burn',
        severity: 'page',
        longWindow: '1h',
        shortWindow: '5m',
        threshold: 14.4,
        targets: ['oncall-pagerduty', 'portal-inbox'],
      }),
      expect.objectContaining({
        name: 'warn-slow-burn',
        severity: 'ticket',
        longWindow: '6h',
        shortWindow: '30m',
        threshold: 6,
        targets: ['team-slack'],
      }),
    ]);
    const erasure = objectives.find(
      o => o.objective.id === 'privacy-delete-sla:region=EU,type=delete',
    )!;
    expect(erasure.tiers.map(t => t.targets)).toEqual([['ops-jira']]);
  });
});
