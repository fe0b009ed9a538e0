import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A recharts chart as wide as its parent, as a labelled figure with an
 * optional title. Until the browser has measured the parent (and always
 * where nothing is measured, as in jsdom) it draws at 600 px.
 */
export function ChartFrame(props: {
  /** The figure's accessible name. */
  label: string;
  height: number;
  title?: string;
  children: ReactElement;
}) {
  return (
    <Box role="figure" aria-label={props.label}>
      {props.title && (
        <Typography variant="subtitle2" gutterBottom>
          {props.title}
        </Typography>
      )}
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
