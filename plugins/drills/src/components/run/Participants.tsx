import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  PARTICIPANT_ROLES,
  type ParticipantRole,
  type RunParticipant,
  type RunView,
  type RunViewer,
} from '@internal/plugin-drills-common';
import Avatar from '@material-ui/core/Avatar';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import PersonAddIcon from '@material-ui/icons/PersonAdd';
import { useState } from 'react';
import { drillsApiRef } from '../../api';
import { shortRef } from './format';
import { useAction } from './hooks';

/** The lead is named when the run starts; these are the roles added later. */
const ADDABLE_ROLES = PARTICIPANT_ROLES.filter(role => role !== 'lead');

function Viewers(props: { viewers: RunViewer[]; me?: string }) {
  if (props.viewers.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nobody else has this run open.
      </Typography>
    );
  }
  return (
    <Box display="flex" flexWrap="wrap" gridGap={8} aria-label="Looking now">
      {props.viewers.map(viewer => {
        const name = shortRef(viewer.entityRef);
        const isMe = viewer.entityRef === props.me;
        return (
          <Chip
            key={viewer.entityRef}
            size="small"
            avatar={<Avatar>{name.charAt(0).toLocaleUpperCase()}</Avatar>}
            label={isMe ? `${name} (you)` : name}
            color={isMe ? 'primary' : 'default'}
            variant={isMe ? 'default' : 'outlined'}
          />
        );
      })}
    </Box>
  );
}

function AddParticipantDialog(props: {
  runId: string;
  open: boolean;
  onClose: () => void;
  onAdded: (participant: RunParticipant) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const [entityRef, setEntityRef] = useState('');
  const [role, setRole] = useState<ParticipantRole>('coordinator');
  const valid = /^[^:\s]+:([^/\s]+\/)?\S+$/.test(entityRef.trim());
  const submit = async () => {
    const participant = await act('add the participant', () =>
      api.addParticipant(props.runId, { entityRef: entityRef.trim(), role }),
    );
    if (participant) {
      props.onAdded(participant);
      setEntityRef('');
      props.onClose();
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>Add a participant</DialogTitle>
      <DialogContent>
        <TextField
          id="drill-participant-ref"
          label="Entity ref"
          placeholder="user:default/alice"
          helperText="The user, as the catalog names them"
          fullWidth
          margin="dense"
          value={entityRef}
          onChange={event => setEntityRef(event.target.value)}
        />
        <TextField
          id="drill-participant-role"
          select
          label="Role"
          fullWidth
          margin="dense"
          value={role}
          onChange={event => setRole(event.target.value as ParticipantRole)}
        >
          {ADDABLE_ROLES.map(option => (
            <MenuItem key={option} value={option}>
              {option}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!valid || busy}
          onClick={submit}
        >
          Add
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Who takes part, in which role, and who has the run open now. */
export function Participants(props: {
  run: RunView;
  viewers: RunViewer[];
  me?: string;
  canAdd: boolean;
  onAdded: (participant: RunParticipant) => void;
}) {
  const [adding, setAdding] = useState(false);
  const looking = new Set(props.viewers.map(viewer => viewer.entityRef));
  return (
    <InfoCard
      title="Participants"
      action={
        props.canAdd ? (
          <Button
            size="small"
            startIcon={<PersonAddIcon />}
            onClick={() => setAdding(true)}
            aria-label="Add a participant"
          >
            Add
          </Button>
        ) : undefined
      }
    >
      <List dense aria-label="Participants">
        {props.run.participants.map(participant => (
          <ListItem key={participant.entityRef}>
            <ListItemText
              primary={`${shortRef(participant.entityRef)}${
                participant.entityRef === props.me ? ' (you)' : ''
              }`}
              secondary={`${participant.role}${
                looking.has(participant.entityRef) ? ' · looking now' : ''
              }`}
            />
          </ListItem>
        ))}
      </List>
      <Typography variant="subtitle2" gutterBottom>
        Looking now
      </Typography>
      <Viewers viewers={props.viewers} me={props.me} />
      {props.canAdd && adding && (
        <AddParticipantDialog
          runId={props.run.id}
          open
          onClose={() => setAdding(false)}
          onAdded={props.onAdded}
        />
      )}
    </InfoCard>
  );
}
