import { CodeSnippet } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import { useState } from 'react';

/** A recorded request body, folded until asked for. */
export function RequestBody(props: { body: unknown }) {
  const [open, setOpen] = useState(false);
  const text =
    typeof props.body === 'string'
      ? props.body
      : JSON.stringify(props.body, null, 2);
  return (
    <>
      <Button size="small" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? 'Hide body' : 'Show body'}
      </Button>
      {open && (
        <CodeSnippet text={text ?? ''} language="json" showCopyCodeButton />
      )}
    </>
  );
}
