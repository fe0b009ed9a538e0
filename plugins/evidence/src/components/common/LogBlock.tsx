import { makeStyles, Theme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';

const useStyles = makeStyles((theme: Theme) => ({
  log: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    maxHeight: 480,
    overflow: 'auto',
    margin: 0,
    padding: theme.spacing(1.5),
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
}));

/** A run's log as written, monospace and scrollable. */
export function LogBlock(props: { log: string | undefined; label: string }) {
  const classes = useStyles();
  if (!props.log) {
    return <Typography color="textSecondary">The log is empty.</Typography>;
  }
  return (
    <pre className={classes.log} aria-label={props.label}>
      {props.log}
    </pre>
  );
}
