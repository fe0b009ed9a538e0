export { spool, TooLargeError, type SpooledFile } from './spool';
export {
  plainFileNameSchema,
  readUpload,
  type ReadUploadOptions,
  type Upload,
} from './upload';
