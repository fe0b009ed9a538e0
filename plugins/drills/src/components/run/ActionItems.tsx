import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { ActionItem, RunView } from '@internal/plugin-drills-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import { useState } from 'react';
import { drillsApiRef } from '../../api';
import { shortRef } from './format';
import { useAction } from './hooks';

function AddActionItemDialog(props: {
  runId: string;
  defaultOwner?: string;
  open: boolean;
  onClose: () => void;
  onAdded: (item: ActionItem) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState(props.defaultOwner ?? '');
  const [dueDate, setDueDate] = useState('');
  const valid = title.trim().length > 0 && owner.trim().length > 0;
  const submit = async () => {
    const item = await act('add the action item', () =>
      api.addActionItem(props.runId, {
        title: title.trim(),
        owner: owner.trim(),
        dueDate: dueDate || null,
      }),
    );
    if (item) {
      props.onAdded(item);
      setTitle('');
      setDueDate('');
      props.onClose();
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>Add an action item</DialogTitle>
      <DialogContent>
        <TextField
          id="drill-action-title"
          label="Title"
          fullWidth
          margin="dense"
          value={title}
          onChange={event => setTitle(event.target.value)}
        />
        <TextField
          id="drill-action-owner"
          label="Owner"
          placeholder="user:default/alice"
          helperText="Entity ref of the person or group who does it"
          fullWidth
          margin="dense"
          value={owner}
          onChange={event => setOwner(event.target.value)}
        />
        <TextField
          id="drill-action-due"
          label="Due"
          type="date"
          fullWidth
          margin="dense"
          InputLabelProps={{ shrink: true }}
          value={dueDate}
          onChange={event => setDueDate(event.target.value)}
        />
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

/** What the drill showed needs doing, with who and by when. */
export function ActionItems(props: {
  run: RunView;
  me?: string;
  canAdd: boolean;
  onAdded: (item: ActionItem) => void;
}) {
  const [adding, setAdding] = useState(false);
  const items = props.run.actionItems;
  return (
    <InfoCard
      title={`Action items (${items.length})`}
      action={
        props.canAdd ? (
          <Button
            size="small"
            startIcon={<AddIcon />}
            onClick={() => setAdding(true)}
            aria-label="Add an action item"
          >
            Add
          </Button>
        ) : undefined
      }
    >
      {items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No action items yet.
        </Typography>
      ) : (
        <List dense aria-label="Action items">
          {items.map(item => (
            <ListItem key={item.id}>
              <ListItemText
                primary={item.title}
                secondary={`${shortRef(item.owner)} · ${
                  item.dueDate ? `due ${item.dueDate}` : 'no due date'
                }`}
              />
            </ListItem>
          ))}
        </List>
      )}
      {props.canAdd && adding && (
        <AddActionItemDialog
          runId={props.run.id}
          defaultOwner={props.me}
          open
          onClose={() => setAdding(false)}
          onAdded={props.onAdded}
        />
      )}
    </InfoCard>
  );
}
