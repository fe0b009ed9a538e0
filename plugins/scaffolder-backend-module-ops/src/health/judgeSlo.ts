import { SloObjectiveStatus, SloTierStatus } from './sloClient';

/** How one objective looks now. */
export type ObjectiveVerdict = {
  /** `ok`: fast-burn tiers quiet with traffic; `firing`: one fires; `no-data`: no recent traffic to judge by; `no-tiers`: nothing to judge by. */
  state: 'ok' | 'firing' | 'no-data' | 'no-tiers';
  /** One line, e.g. `Checkout availability: page-1h firing (burn 20× long, 16× short; threshold 14.4×)`. */
  detail: string;
};

/**
 * The fast-burn tiers of an objective: its page-severity tiers, or, with
 * none, the tier with the highest threshold.
 */
export function fastBurnTiers(tiers: SloTierStatus[]): SloTierStatus[] {
  const page = tiers.filter(t => t.severity === 'page');
  if (page.length > 0 || tiers.length === 0) return page;
  return [tiers.reduce((a, b) => (b.threshold > a.threshold ? b : a))];
}

const rate = (n: number) => `${Math.round(n * 10) / 10}×`;

/**
 * Judges one objective's status after a rollback. Only the fast-burn (page)
 * tiers count: they resolve within minutes of a fix (their short window,
 * 5 m by default, falls below the threshold), while slow ticket tiers keep
 * firing for hours on the damage already done. A fast tier firing is
 * unhealthy; fast tiers whose short windows saw no traffic at all give no
 * evidence either way (`no-data`, not healthy: a service that stopped
 * serving also burns nothing).
 */
export function judgeObjective(
  name: string,
  status: SloObjectiveStatus,
): ObjectiveVerdict {
  const tiers = fastBurnTiers(status.tiers);
  if (tiers.length === 0) {
    return { state: 'no-tiers', detail: `${name}: no alert tiers, not judged` };
  }
  const firing = tiers.filter(t => t.firing);
  if (firing.length > 0) {
    const what = firing.map(
      t =>
        `${t.name} firing (burn ${rate(t.long.burnRate)} long, ${rate(
          t.short.burnRate,
        )} short; threshold ${rate(t.threshold)})`,
    );
    return { state: 'firing', detail: `${name}: ${what.join(', ')}` };
  }
  if (tiers.every(t => t.short.noTraffic)) {
    return {
      state: 'no-data',
      detail: `${name}: no traffic in the short window of ${tiers
        .map(t => t.name)
        .join(', ')}; cannot confirm (data through ${
        status.dataThrough ?? 'never'
      })`,
    };
  }
  const worst = tiers.reduce((a, b) =>
    b.short.burnRate / b.threshold > a.short.burnRate / a.threshold ? b : a,
  );
  return {
    state: 'ok',
    detail: `${name}: ok (${worst.name} burn ${rate(
      worst.short.burnRate,
    )} short; threshold ${rate(worst.threshold)})`,
  };
}

/** The verdict over all of an entity's objectives. */
export function judgeObjectives(verdicts: ObjectiveVerdict[]): {
  healthy: boolean;
  details: string;
} {
  const judged = verdicts.filter(v => v.state !== 'no-tiers');
  return {
    healthy: judged.length > 0 && judged.every(v => v.state === 'ok'),
    details: verdicts.map(v => v.detail).join('; '),
  };
}
