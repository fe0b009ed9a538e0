import Box from '@material-ui/core/Box';
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A chart as wide as its parent; 600 px wide until the browser has measured
 * the parent (and always in jsdom, where nothing is measured).
 */
export function ChartFrame(props: {
  label: string;
  height: number;
  children: ReactElement;
}) {
  return (
    <Box role="figure" aria-label={props.label}>
      <ResponsiveContainer
        width="100%"
        height={props.height}
        initialDimension={{ width: 600, height: props.height }}
      >
        {props.children}
      </ResponsiveContainer>
    </Box>
  );
}
