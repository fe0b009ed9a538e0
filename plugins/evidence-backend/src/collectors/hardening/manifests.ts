import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** A manifest file's text and where it came from. */
export interface ManifestFile {
  /** The path as reported in evidence (relative to the manifests root). */
  path: string;
  content: string;
}

/** Reads the manifest files a location names (a file, or a folder of them). */
export type ReadManifests = (location: string) => Promise<ManifestFile[]>;

/** A Kubernetes object from a manifest, with where it starts. */
export interface SourcedObject {
  object: Record<string, unknown>;
  file: string;
  /** 1-based line of the document's first line of content. */
  line: number;
}

/** Something in a manifest that could not be read. */
export interface ManifestError {
  file: string;
  /** 1-based, when known. */
  line?: number;
  message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses multi-document YAML manifests. A document with a syntax error is
 * reported with its file and line and left out; the other documents, in that
 * file and the others, are still read. A `kind: List` gives its items.
 */
export function parseManifests(files: readonly ManifestFile[]): {
  objects: SourcedObject[];
  errors: ManifestError[];
} {
  const objects: SourcedObject[] = [];
  const errors: ManifestError[] = [];
  for (const file of files) {
    const lineCounter = new LineCounter();
    for (const document of parseAllDocuments(file.content, { lineCounter })) {
      const start = document.contents?.range?.[0] ?? document.range[0];
      const line = lineCounter.linePos(start).line;
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          errors.push({
            file: file.path,
            line: error.linePos?.[0]?.line ?? line,
            message: error.message.split('\n')[0],
          });
        }
        continue;
      }
      let value: unknown;
      try {
        value = document.toJS();
      } catch (error) {
        errors.push({
          file: file.path,
          line,
          message: (error as Error).message,
        });
        continue;
      }
      if (value === null || value === undefined) continue;
      if (!isObject(value) || typeof value.kind !== 'string') {
        errors.push({
          file: file.path,
          line,
          message: 'Not a Kubernetes object: the document has no kind',
        });
        continue;
      }
      if (value.kind === 'List' && Array.isArray(value.items)) {
        for (const item of value.items) {
          if (isObject(item))
            objects.push({ object: item, file: file.path, line });
        }
        continue;
      }
      objects.push({ object: value, file: file.path, line });
    }
  }
  return { objects, errors };
}

const MANIFEST_FILE = /\.ya?ml$/i;

async function listYaml(root: string, folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => compareStrings(a.name, b.name))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...(await listYaml(root, full)));
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}

/**
 * Reads the manifests at `location`, a path relative to `root`: one file, or
 * every `.yaml`/`.yml` file under a folder, in name order. Refuses a location
 * outside `root`. Paths in the result are relative to `root`.
 */
export async function readManifestsFromDisk(
  root: string,
  location: string,
): Promise<ManifestFile[]> {
  const base = path.resolve(root);
  const target = path.resolve(base, location);
  if (
    path.isAbsolute(location) ||
    (target !== base && !target.startsWith(`${base}${path.sep}`))
  ) {
    throw new Error(
      `The manifests location "${location}" is not inside the manifests root`,
    );
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) {
    throw new Error(`No manifests at "${location}"`);
  }
  const files = stat.isDirectory() ? await listYaml(base, target) : [target];
  return Promise.all(
    files.map(async file => ({
      path: path.relative(base, file).split(path.sep).join('/'),
      content: await fs.readFile(file, 'utf8'),
    })),
  );
}

/** The disk reader for manifests under `root`, for the collector. */
export function createManifestReader(root: string): ReadManifests {
  return location => readManifestsFromDisk(root, location);
}
