import type { KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CoverageReport } from '@internal/plugin-evidence-common';

/** One evidence file to put in a binder: its metadata row and a way to read it. */
export interface BinderFile {
  id: string;
  type: string;
  title: string;
  points: string[];
  entityRef: string | null;
  periodStart: string;
  periodEnd: string;
  collectedAt: string;
  /** The recorded SHA-256 (hex); the streamed bytes must match it. */
  sha256: string;
  /** The recorded size; the streamed bytes must match it. */
  sizeBytes: number;
  mediaType: string;
  fileName: string;
  /** Opens the content; called once, when the file's turn comes. */
  open(): Promise<Readable>;
}

export interface BinderInput {
  periodStart: string;
  periodEnd: string;
  /** The points the binder is for; empty means every point of `coverage` (the manifest then lists them all). */
  points: string[];
  generatedAt: string;
  coverage: CoverageReport;
  /** In any order: the binder sorts them. */
  files: BinderFile[];
  collectionLog: string;
  /** Ed25519 private key. */
  signingKey: KeyObject;
  /**
   * gzip level, 0 to 9. Default 1: evidence is mostly text and JSON, where
   * level 1 compresses nearly as well as 6 at about twice the speed.
   */
  compressionLevel?: number;
}

export interface BinderProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

export interface BuiltBinder {
  /** SHA-256 (hex) of the .tar.gz bytes written. */
  sha256: string;
  /** Size of the .tar.gz bytes written. */
  sizeBytes: number;
}

/** A file of the binder as manifest.json lists it. */
export interface ManifestFile {
  /** Relative to `binder/`, e.g. `evidence/0a1b…-sbom.json`. */
  path: string;
  sha256: string;
  size: number;
  /** Only for evidence files. */
  evidence?: {
    id: string;
    type: string;
    title: string;
    points: string[];
    entityRef: string | null;
    periodStart: string;
    periodEnd: string;
    collectedAt: string;
    mediaType: string;
  };
}

/** manifest.json: what the signature covers. */
export interface BinderManifest {
  format: typeof MANIFEST_FORMAT;
  periodStart: string;
  periodEnd: string;
  points: string[];
  generatedAt: string;
  /** SPKI PEM of the Ed25519 key that signed this manifest. */
  publicKey: string;
  /** Every file of the binder except manifest.json, manifest.json.sig and SHA256SUMS, sorted by path. */
  files: ManifestFile[];
}

export const MANIFEST_FORMAT = 'evidence-binder/1';

/** The one top folder of every binder. */
export const BINDER_ROOT = 'binder';

/** Paths of the generated files, relative to `binder/`. */
export const BINDER_PATHS = {
  index: 'index.html',
  indexMd: 'index.md',
  manifest: 'manifest.json',
  signature: 'manifest.json.sig',
  sums: 'SHA256SUMS',
  publicKey: 'public-key.pem',
  collectionLog: 'collection-log.txt',
  evidenceDir: 'evidence',
} as const;

/** Files the manifest cannot list (itself, its signature, the sums that cover it). */
export const UNLISTED_PATHS: readonly string[] = [
  BINDER_PATHS.manifest,
  BINDER_PATHS.signature,
  BINDER_PATHS.sums,
];
