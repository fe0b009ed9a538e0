import type {
  Objective,
  SloObjectiveProblem,
  SloTierSummary,
  SloTimeWindow,
} from '@internal/plugin-slo-common';
import { LineCounter, parseAllDocuments } from 'yaml';
import { parseOpenSlo } from '../openslo';
import type { OpenSloFile } from '../openslo';
import { DefaultRouting, engineWindow, resolveTiers } from './tiers';

/** A catalog component as discovery needs it. */
export interface ObjectiveOwnerEntity {
  /** e.g. `component:default/checkout`. */
  ref: string;
  /** The value of the `slo.ops.portal/objectives` annotation: file keys, comma-separated. */
  annotation: string;
  owner?: string;
  system?: string;
  /** The entity's runbook (`ops.portal/runbook`), linked from alerts and rules. */
  runbook?: string;
}

/** An objectives file from a configured folder; `key` is its path in the folder without `.yaml`. */
export interface ObjectiveFolderFile extends OpenSloFile {
  key: string;
}

/** An objective as discovery found it, ready to store. */
export interface DiscoveredObjective {
  objective: Objective;
  window: SloTimeWindow;
  tiers: SloTierSummary[];
  entityRef?: string;
  owner?: string;
  system?: string;
  runbook?: string;
  /** The YAML document the objective was read from. */
  sourceText: string;
}

/** The YAML document of `file` that starts on `line`. */
function documentText(text: string, line: number): string {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const [start, , end] = doc.range;
    if (lines.linePos(start).line >= line) {
      return text.slice(start, end).trim();
    }
  }
  return text;
}

/**
 * Every objective of the folder files, each attributed to the catalog
 * component whose `slo.ops.portal/objectives` annotation names its file (its
 * owner and system with it), with its tiers resolved. Problems (an invalid
 * file, an annotation naming a missing file, a window the engine cannot
 * evaluate, an id found twice) are returned with the file and field; they
 * never stop the other objectives.
 */
export function discoverObjectives(input: {
  files: readonly ObjectiveFolderFile[];
  entities: readonly ObjectiveOwnerEntity[];
  routing: DefaultRouting;
}): { objectives: DiscoveredObjective[]; problems: SloObjectiveProblem[] } {
  const problems: SloObjectiveProblem[] = [];
  const byKey = new Map(input.files.map(f => [f.key, f]));
  const byFile = new Map(input.files.map(f => [f.file, f.text]));
  const claimedBy = new Map<string, ObjectiveOwnerEntity>();
  for (const entity of input.entities) {
    for (const key of entity.annotation
      .split(',')
      .map(k => k.trim().replace(/\.ya?ml$/, ''))
      .filter(Boolean)) {
      const file = byKey.get(key);
      if (!file) {
        problems.push({
          file: key,
          line: 0,
          path: 'metadata.annotations.slo.ops.portal/objectives',
          message: `${entity.ref} names objectives file '${key}', which is in none of slo.objectiveFolders`,
          entityRef: entity.ref,
        });
      } else if (!claimedBy.has(file.file)) {
        claimedBy.set(file.file, entity);
      }
    }
  }

  const objectives: DiscoveredObjective[] = [];
  const seen = new Set<string>();
  // All files at once: an SLO may refer to an SLI or policy in another file.
  const parsed = parseOpenSlo(input.files);
  for (const error of parsed.errors) {
    problems.push({ ...error, entityRef: claimedBy.get(error.file)?.ref });
  }
  for (const objective of parsed.objectives) {
    const entity = claimedBy.get(objective.sourceFile);
    const problem = (path: string, message: string) =>
      problems.push({
        file: objective.sourceFile,
        line: objective.sourceLine,
        path,
        message,
        entityRef: entity?.ref,
      });
    if (seen.has(objective.id)) {
      problem(
        'metadata.name',
        `objective id '${objective.id}' is defined twice`,
      );
      continue;
    }
    seen.add(objective.id);
    const window = engineWindow(objective.window);
    if ('unsupported' in window) {
      problem('spec.timeWindow[0]', window.unsupported);
      continue;
    }
    objectives.push({
      objective,
      window,
      tiers: resolveTiers(objective, window, input.routing, entity?.owner),
      entityRef: entity?.ref,
      owner: entity?.owner,
      system: entity?.system,
      runbook: entity?.runbook,
      sourceText: documentText(
        byFile.get(objective.sourceFile) ?? '',
        objective.sourceLine,
      ),
    });
  }
  return { objectives, problems };
}
