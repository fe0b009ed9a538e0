import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { AuditChain } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { DRILLS_AUDIT_TABLES } from '..';
import { RunService, RunServiceOptions } from '../RunService';
import type { ScenarioSnapshot } from '../types';

/** Migrates a test database to the plugin's latest schema. */
export async function migrateDrills(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-drills-backend',
      'migrations',
    ),
  });
}

/** A clock the test moves. */
export function testClock(start: string) {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (iso: string) => {
      now = new Date(iso);
    },
    advanceMinutes: (minutes: number) => {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}

/** The run service on a migrated test database, with the drills audit chain. */
export async function runTestServices(
  knex: Knex,
  options: Omit<RunServiceOptions, 'db' | 'audit'> = {},
) {
  await migrateDrills(knex);
  const audit = new AuditChain({
    db: knex,
    tables: DRILLS_AUDIT_TABLES,
    keyring: testAuditKeyring(),
  });
  return { knex, audit, runs: new RunService({ db: knex, audit, ...options }) };
}

/** A scenario with `stepsPerPhase` steps in each of detect, respond, recover. */
export function testScenario(
  options: { id?: string; stepsPerPhase?: number } = {},
): ScenarioSnapshot {
  const n = options.stepsPerPhase ?? 2;
  const phases = ['detect', 'respond', 'recover'];
  return {
    id: options.id ?? 'database-failover',
    title: 'Fail over the checkout database',
    checkpoints: [
      { id: 'paged', title: 'Alert paged', targetMinutes: 5, phase: 'detect' },
      {
        id: 'triaged',
        title: 'Cause known',
        targetMinutes: 10,
        phase: 'detect',
      },
      {
        id: 'failover',
        title: 'Replica promoted',
        targetMinutes: 15,
        phase: 'respond',
      },
      {
        id: 'recovered',
        title: 'Redundancy restored',
        targetMinutes: 60,
        phase: 'recover',
      },
    ],
    phases: phases.map(phase => ({
      phase,
      steps: Array.from({ length: n }, (_, i) => ({
        id: `${phase}-${i + 1}`,
        text: `Step ${i + 1} of ${phase}`,
      })),
    })),
  };
}

export const LEAD = 'user:default/lead';
export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const OUTSIDER = 'user:default/mallory';
