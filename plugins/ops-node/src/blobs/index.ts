export type {
  BlobData,
  BlobMetadata,
  BlobStore,
  PutBlobOptions,
  StoredBlob,
} from './types';
export { assertBlobKey, contentAddressedKey, isBlobKey } from './keys';
export { LocalBlobStore } from './LocalBlobStore';
export { S3BlobStore, type S3BlobStoreOptions } from './S3BlobStore';
export { blobStoreConfigSchema, type BlobStoreConfig } from './config';
export { createBlobStore } from './createBlobStore';
