import { useApi } from '@backstage/core-plugin-api';
import type { StepAttachment, StepNote } from '@internal/plugin-drills-common';
import { useBlobDownload } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import AttachFileIcon from '@material-ui/icons/AttachFile';
import CloudDownloadIcon from '@material-ui/icons/CloudDownload';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { drillsApiRef } from '../../api';
import { formatBytes, formatTime, shortRef } from './format';
import { useAction } from './hooks';

function AttachmentRow(props: { attachment: StepAttachment }) {
  const api = useApi(drillsApiRef);
  const { attachment } = props;
  const fetchFile = useCallback(
    () => api.downloadAttachment(attachment.runId, attachment.id),
    [api, attachment.runId, attachment.id],
  );
  const { downloading, download } = useBlobDownload(
    fetchFile,
    attachment.fileName,
    attachment.fileName,
  );
  return (
    <ListItem>
      <ListItemText
        primary={attachment.fileName}
        secondary={`${formatBytes(attachment.sizeBytes)} · by ${shortRef(
          attachment.uploadedBy,
        )} at ${formatTime(attachment.createdAt)}`}
      />
      <ListItemSecondaryAction>
        <IconButton
          size="small"
          disabled={downloading}
          onClick={() => download()}
          aria-label={`Download ${attachment.fileName}`}
        >
          <CloudDownloadIcon fontSize="small" />
        </IconButton>
      </ListItemSecondaryAction>
    </ListItem>
  );
}

function AddNote(props: {
  runId: string;
  stepId: string;
  onAdded: (note: StepNote) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const [text, setText] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const note = await act('add the note', () =>
      api.addNote(props.runId, props.stepId, text.trim()),
    );
    if (note) {
      props.onAdded(note);
      setText('');
    }
  };
  return (
    <Box component="form" onSubmit={submit} display="flex" gridGap={8}>
      <TextField
        id={`drill-note-${props.stepId}`}
        label="Add a note"
        size="small"
        variant="outlined"
        fullWidth
        multiline
        value={text}
        onChange={event => setText(event.target.value)}
      />
      <Button type="submit" disabled={busy || !text.trim()}>
        Add note
      </Button>
    </Box>
  );
}

function UploadAttachment(props: {
  runId: string;
  stepId: string;
  onAdded: (attachment: StepAttachment) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const upload = async (file: File | undefined) => {
    if (!file) return;
    const attachment = await act(`upload ${file.name}`, () =>
      api.addAttachment(props.runId, props.stepId, file),
    );
    if (attachment) props.onAdded(attachment);
    if (input.current) input.current.value = '';
  };
  return (
    <Button
      size="small"
      component="label"
      startIcon={<AttachFileIcon />}
      disabled={busy}
    >
      {busy ? 'Uploading…' : 'Attach a file'}
      <input
        ref={input}
        type="file"
        hidden
        aria-label="Attach a file"
        onChange={event => upload(event.target.files?.[0])}
      />
    </Button>
  );
}

/** A step's notes and files, folded away until asked for. */
export function StepDetails(props: {
  runId: string;
  stepId: string;
  /** The element holding the step's text, which names the toggle. */
  stepTextId: string;
  notes: StepNote[];
  attachments: StepAttachment[];
  canAdd: boolean;
  onNoteAdded: (note: StepNote) => void;
  onAttachmentAdded: (attachment: StepAttachment) => void;
}) {
  const [open, setOpen] = useState(false);
  const { notes, attachments } = props;
  const summary = `${notes.length} ${notes.length === 1 ? 'note' : 'notes'} · ${
    attachments.length
  } ${attachments.length === 1 ? 'file' : 'files'}`;
  const toggleId = `drill-step-details-${props.stepId}`;
  const forId = `${toggleId}-for`;
  return (
    <Box ml={5}>
      <Button
        size="small"
        onClick={() => setOpen(!open)}
        endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
        aria-expanded={open}
        id={toggleId}
        aria-labelledby={`${toggleId} ${forId} ${props.stepTextId}`}
      >
        {summary}
      </Button>
      <span id={forId} hidden>
        for:
      </span>
      <Collapse in={open} unmountOnExit>
        <Box pb={2}>
          {notes.length > 0 && (
            <List dense aria-label="Notes">
              {notes.map(note => (
                <ListItem key={note.id}>
                  <ListItemText
                    primary={note.text}
                    secondary={`${shortRef(note.author)} at ${formatTime(
                      note.createdAt,
                    )}`}
                  />
                </ListItem>
              ))}
            </List>
          )}
          {attachments.length > 0 && (
            <List dense aria-label="Files">
              {attachments.map(attachment => (
                <AttachmentRow key={attachment.id} attachment={attachment} />
              ))}
            </List>
          )}
          {notes.length === 0 && attachments.length === 0 && (
            <Typography variant="body2" color="textSecondary">
              No notes or files on this step yet.
            </Typography>
          )}
          {props.canAdd && (
            <Box mt={1}>
              <AddNote
                runId={props.runId}
                stepId={props.stepId}
                onAdded={props.onNoteAdded}
              />
              <UploadAttachment
                runId={props.runId}
                stepId={props.stepId}
                onAdded={props.onAttachmentAdded}
              />
            </Box>
          )}
        </Box>
      </Collapse>
    </Box>
  );
}
