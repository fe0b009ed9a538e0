import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { SLO_OBJECTIVES_ANNOTATION } from '@internal/plugin-slo-common';
import {
  discoverObjectives,
  ObjectiveFolderFile,
  ObjectiveOwnerEntity,
} from './discovery';
import type { ObjectiveStore } from './ObjectiveStore';
import type { DefaultRouting } from './tiers';

/** The catalog annotation naming a service's runbook. */
export const RUNBOOK_ANNOTATION = 'ops.portal/runbook';

/** Files bigger than this are reported, not read. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Reads every `.yaml`/`.yml` file under the folders (recursively); `key` is the path in its folder without the extension. */
export async function readObjectiveFolders(
  folders: readonly string[],
): Promise<{ files: ObjectiveFolderFile[]; unreadable: string[] }> {
  const files: ObjectiveFolderFile[] = [];
  const unreadable: string[] = [];
  for (const folder of folders) {
    const root = resolve(folder);
    let names: string[];
    try {
      names = (await readdir(root, { recursive: true })).map(String);
    } catch {
      unreadable.push(folder);
      continue;
    }
    for (const name of names.filter(n => /\.ya?ml$/.test(n)).sort()) {
      const path = join(root, name);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined || text.length > MAX_FILE_BYTES) {
        unreadable.push(path);
        continue;
      }
      files.push({
        file: join(folder, name),
        key: name.replace(/\.ya?ml$/, ''),
        text,
      });
    }
  }
  return { files, unreadable };
}

/** A component with the objectives annotation, as discovery needs it. */
export function toOwnerEntity(
  entity: Entity,
): ObjectiveOwnerEntity | undefined {
  const annotation = entity.metadata.annotations?.[SLO_OBJECTIVES_ANNOTATION];
  if (!annotation) return undefined;
  const spec = (entity.spec ?? {}) as { owner?: unknown; system?: unknown };
  const namespace = entity.metadata.namespace ?? 'default';
  const ref = (kind: string, name: unknown) => {
    if (typeof name !== 'string' || !name) return undefined;
    return name.includes(':') ? name : `${kind}:${namespace}/${name}`;
  };
  return {
    ref: `${entity.kind.toLowerCase()}:${namespace}/${entity.metadata.name}`,
    annotation,
    owner: ref('group', spec.owner),
    system: ref('system', spec.system),
    runbook: entity.metadata.annotations?.[RUNBOOK_ANNOTATION] || undefined,
  };
}

/**
 * Finds objectives: reads the files of `slo.objectiveFolders`, asks the
 * catalog which components name which file, and stores what it found
 * (objectives and problems) in one go.
 */
export class ObjectiveDiscovery {
  constructor(
    private readonly options: {
      folders: readonly string[];
      loadEntities: () => Promise<Entity[]>;
      store: Pick<ObjectiveStore, 'replaceAll'>;
      routing: DefaultRouting;
      logger: LoggerService;
    },
  ) {}

  async run(): Promise<{
    objectives: number;
    problems: number;
    entities: number;
  }> {
    const { files, unreadable } = await readObjectiveFolders(
      this.options.folders,
    );
    const entities = (await this.options.loadEntities())
      .map(toOwnerEntity)
      .filter((e): e is ObjectiveOwnerEntity => e !== undefined);
    const { objectives, problems } = discoverObjectives({
      files,
      entities,
      routing: this.options.routing,
    });
    for (const path of unreadable) {
      problems.push({
        file: path,
        line: 0,
        path: '',
        message: 'could not be read (missing, unreadable or over 1 MB)',
      });
    }
    await this.options.store.replaceAll(objectives, problems);
    this.options.logger.info(
      `SLO discovery: ${objectives.length} objectives, ${problems.length} problems`,
    );
    return {
      objectives: objectives.length,
      problems: problems.length,
      entities: entities.length,
    };
  }
}
