export {
  describeError,
  fieldErrors,
  submitErrorMessage,
  type FormSchemaIssue,
} from './errors';
export { useSchemaForm, type FormParse } from './useSchemaForm';
