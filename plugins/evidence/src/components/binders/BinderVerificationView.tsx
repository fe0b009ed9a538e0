import type { BinderVerification } from '@internal/plugin-evidence-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';

function FileList(props: { title: string; files: string[] }) {
  if (props.files.length === 0) return null;
  return (
    <Box mt={1}>
      <Typography variant="subtitle2">{props.title}</Typography>
      <ul aria-label={props.title} style={{ margin: 0 }}>
        {props.files.map(file => (
          <li key={file}>
            <code>{file}</code>
          </li>
        ))}
      </ul>
    </Box>
  );
}

/** What verifying a binder found: ok, or each file that differs, is missing or is extra. */
export function BinderVerificationView(props: { result: BinderVerification }) {
  const { result } = props;
  if (result.ok) {
    return (
      <Alert severity="success">
        Verified: all {result.fileCount} files match the manifest and its
        signature is valid.
      </Alert>
    );
  }
  return (
    <Alert severity="error">
      <Typography variant="body2">
        The binder does not verify ({result.fileCount} files in the manifest).
      </Typography>
      {!result.signatureValid && (
        <Typography variant="body2">
          The manifest signature is not valid for the published key.
        </Typography>
      )}
      <FileList title="Changed (hash differs)" files={result.mismatched} />
      <FileList title="Missing from the binder" files={result.missing} />
      <FileList title="Extra (not in the manifest)" files={result.extra} />
      {result.errors.map(error => (
        <Typography variant="body2" key={error}>
          {error}
        </Typography>
      ))}
    </Alert>
  );
}
