/**
 * The generated traffic of the SLO benchmark: per-minute counts of objective
 * `i` at minute number `m` (epoch milliseconds / 60000), written once as SQL
 * (the bulk load runs in PostgreSQL) and once as TypeScript (the incremental
 * minutes, the OpenMetrics for Prometheus). Integer arithmetic only, so both
 * give the same counts; `checkTrafficAgreement` compares them.
 *
 * Four shapes, by i % 4, all with target 0.999 (budget 0.1 %):
 *
 * - 0 healthy: 60-100 requests a minute, one error every 997 minutes.
 * - 1 slow burn: one error every 6 minutes (about 0.2 %, 2x the budget):
 *   the 3d/6h ticket tier fires.
 * - 2 daily outage: 20 minutes a day at 20 % errors (200x), at a different
 *   time of day per objective: the page tiers fire for those in or just
 *   after their outage, the 1d and 3d tiers for most.
 * - 3 low traffic: 3 requests every 4th minute, none between; 3 errors every
 *   2000 minutes.
 */

export const SHAPES = ['healthy', 'slow-burn', 'daily-outage', 'low-traffic'];

export const shapeOf = (i: number) => i % 4;

/** Counts of objective i at minute m (TypeScript). */
export function countsAt(
  i: number,
  m: number,
): { good: number; total: number } {
  let total: number;
  let bad: number;
  switch (shapeOf(i)) {
    case 0:
      total = 60 + ((m * 7 + i * 13) % 41);
      bad = (m + i) % 997 === 0 ? 1 : 0;
      break;
    case 1:
      total = 60 + ((m * 7 + i * 13) % 41);
      bad = (m + i) % 6 === 0 ? 1 : 0;
      break;
    case 2:
      total = 60 + ((m * 7 + i * 13) % 41);
      bad = (m + i * 37) % 1440 < 20 ? Math.floor(total / 5) : 0;
      break;
    default:
      total = (m + i) % 4 === 0 ? 3 : 0;
      bad = (m + i) % 2000 === 0 ? total : 0;
  }
  return { good: total - bad, total };
}

/**
 * The same counts as SQL over a column `m` (bigint minute number) for a
 * fixed objective index `i`: `[totalExpr, badExpr]`, badExpr over `t` (the
 * total).
 */
export function countsSql(i: number): { total: string; bad: string } {
  const n = (x: number) => String(Math.trunc(x));
  switch (shapeOf(i)) {
    case 0:
      return {
        total: `60 + ((m * 7 + ${n(i * 13)}) % 41)`,
        bad: `case when (m + ${n(i)}) % 997 = 0 then 1 else 0 end`,
      };
    case 1:
      return {
        total: `60 + ((m * 7 + ${n(i * 13)}) % 41)`,
        bad: `case when (m + ${n(i)}) % 6 = 0 then 1 else 0 end`,
      };
    case 2:
      return {
        total: `60 + ((m * 7 + ${n(i * 13)}) % 41)`,
        bad: `case when (m + ${n(i * 37)}) % 1440 < 20 then t / 5 else 0 end`,
      };
    default:
      return {
        total: `case when (m + ${n(i)}) % 4 = 0 then 3 else 0 end`,
        bad: `case when (m + ${n(i)}) % 2000 = 0 then t else 0 end`,
      };
  }
}
