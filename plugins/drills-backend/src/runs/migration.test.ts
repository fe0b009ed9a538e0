import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const directory = resolvePackagePath(
  '@internal/plugin-drills-backend',
  'migrations',
);

describe.each(databases.eachSupportedId())(
  'the runs migration on %p',
  databaseId => {
    it('goes down to the sketch table and up again, step by step', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('drill_step_notes')).toBe(true);
      expect(await knex.schema.hasTable('drills_audit_events')).toBe(true);
      expect(await knex.schema.hasTable('drills_outbox')).toBe(true);
      expect(await knex.schema.hasTable('drill_presence')).toBe(true);

      await knex.migrate.down({ directory });
      expect(await knex.schema.hasTable('drill_presence')).toBe(false);
      expect(await knex.schema.hasTable('drill_evidence_filings')).toBe(false);
      await knex.migrate.down({ directory });
      expect(await knex.schema.hasColumn('drill_runs', 'scheduled_for')).toBe(
        true,
      );
      for (const table of [
        'drill_participants',
        'drill_steps',
        'drill_calendar_overrides',
        'drills_audit_events',
        'drills_audit_pending',
        'drills_outbox',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }

      await knex.migrate.up({ directory });
      expect(await knex.schema.hasColumn('drill_runs', 'calendar_month')).toBe(
        true,
      );
    });

    it('refuses a second run of a month unless the first was aborted', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      const run = (id: string, state: string) => ({
        id,
        scenario_id: 's',
        title: 't',
        calendar_month: '2027-01',
        state,
        lead: 'user:default/lead',
        started_at: new Date('2027-01-05T09:00:00Z'),
        created_by: 'user:default/lead',
      });
      await knex('drill_runs').insert(run('a', 'aborted'));
      await knex('drill_runs').insert(run('b', 'finished'));
      await expect(
        knex('drill_runs').insert(run('c', 'running')),
      ).rejects.toThrow();
      await knex('drill_runs').insert({
        ...run('d', 'running'),
        calendar_month: null,
      });
      await knex('drill_runs').insert({
        ...run('e', 'running'),
        calendar_month: null,
      });
      expect(Number((await knex('drill_runs').count({ n: '*' }))[0].n)).toBe(4);
    });
  },
);
