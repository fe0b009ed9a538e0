import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { SloObjectiveSummary } from '@internal/plugin-slo-common';
import { burnOf, formatBurn, windowPairs } from '../../lib/format';

/**
 * The burn rate of each tier's window pair now, e.g.
 * `1h/5m: 2.1× / 3.4× (page at 14.4×)`; `–` for a window without traffic.
 */
export function BurnRates(props: { objective: SloObjectiveSummary }) {
  const { objective } = props;
  const pairs = windowPairs(objective.tiers);
  if (pairs.length === 0) {
    return <Typography variant="body2">no tiers</Typography>;
  }
  return (
    <Box>
      {pairs.map(pair => {
        const long = burnOf(objective.status, pair.long);
        const short = burnOf(objective.status, pair.short);
        const over =
          long !== null &&
          short !== null &&
          long >= pair.threshold &&
          short >= pair.threshold;
        return (
          <Typography
            key={pair.tier}
            variant="body2"
            noWrap
            color={over ? 'error' : 'textPrimary'}
          >
            {pair.label}: {formatBurn(long)} / {formatBurn(short)}{' '}
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              (≥ {formatBurn(pair.threshold)})
            </Typography>
          </Typography>
        );
      })}
    </Box>
  );
}
