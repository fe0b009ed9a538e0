import type { BlobStoreConfig } from './config';
import { LocalBlobStore } from './LocalBlobStore';
import { S3BlobStore } from './S3BlobStore';
import type { BlobStore } from './types';

/** The blob store `config` describes: files in a folder, or objects in S3. */
export function createBlobStore(config: BlobStoreConfig): BlobStore {
  return 's3' in config
    ? new S3BlobStore(config.s3)
    : new LocalBlobStore(config.directory);
}
