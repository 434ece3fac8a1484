/** What the state and artefact stores share in opening their JetStream buckets. */
import { StorageType } from '@nats-io/jetstream';

export interface BucketOptions {
  /** Bucket name (default: the store's own bucket). */
  bucket?: string;
  /** Copies the server cluster keeps (3 in a 3-node JetStream cluster; default 1). Only set on creation. */
  replicas?: number;
}

/** The bucket's name and the settings it is created with: file storage, `replicas` copies. */
export function bucketSettings(options: BucketOptions, defaultBucket: string) {
  return {
    bucket: options.bucket ?? defaultBucket,
    creation: { storage: StorageType.File, replicas: options.replicas ?? 1 },
  };
}
