import type { RunbookProblem } from '@internal/plugin-drills-common';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

/**
 * What is wrong in the runbook files, each with its file and line: an
 * error means that runbook did not load, a warning that it loaded anyway.
 */
export function RunbookProblems(props: { problems: RunbookProblem[] }) {
  const { problems } = props;
  if (problems.length === 0) return null;
  const errors = problems.filter(problem => problem.level === 'error');
  return (
    <Box mb={2} aria-label="Runbook problems" role="region">
      <Alert severity={errors.length > 0 ? 'error' : 'warning'}>
        <AlertTitle>
          {errors.length > 0
            ? `${errors.length} runbook ${
                errors.length === 1 ? 'error' : 'errors'
              }: the runbooks below load, the broken ones do not`
            : 'Runbook warnings: every runbook loaded, but these should be fixed'}
        </AlertTitle>
        <Box component="ul" m={0} pl={2}>
          {problems.map(problem => (
            <li key={`${problem.file}:${problem.line}:${problem.message}`}>
              <strong>{problem.level}</strong>{' '}
              <code>
                {problem.file}:{problem.line}
              </code>{' '}
              {problem.message}
            </li>
          ))}
        </Box>
      </Alert>
    </Box>
  );
}
