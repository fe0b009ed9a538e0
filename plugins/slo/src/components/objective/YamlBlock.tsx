import { CodeSnippet, Progress } from '@backstage/core-components';
import { describeError } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Alert from '@material-ui/lab/Alert';
import GetAppIcon from '@material-ui/icons/GetApp';

function download(fileName: string, text: string) {
  const url = URL.createObjectURL(
    new Blob([text], { type: 'application/yaml' }),
  );
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}

/**
 * A YAML text the backend generated or read, with a download button. When
 * there is none the backend says why (404 or 409 with a message): shown as is.
 */
export function YamlBlock(props: {
  text: string | undefined;
  loading: boolean;
  error: Error | undefined;
  fileName: string;
  what: string;
}) {
  const { text, loading, error } = props;
  if (loading) return <Progress />;
  if (error) {
    const { status, message } = describeError(error);
    const missing = status === 404 || status === 409;
    return (
      <Alert severity={missing ? 'info' : 'error'}>
        {missing
          ? `No ${props.what}: ${message}`
          : `Could not load the ${props.what}: ${message}`}
      </Alert>
    );
  }
  return (
    <>
      <Box mb={1}>
        <Button
          size="small"
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={() => download(props.fileName, text ?? '')}
        >
          Download {props.fileName}
        </Button>
      </Box>
      <CodeSnippet
        text={text ?? ''}
        language="yaml"
        showLineNumbers
        showCopyCodeButton
      />
    </>
  );
}
