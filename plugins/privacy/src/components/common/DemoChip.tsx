import Chip from '@material-ui/core/Chip';

/** Marks demo data created for `yarn start`. */
export function DemoChip() {
  return <Chip size="small" variant="outlined" label="demo" />;
}
