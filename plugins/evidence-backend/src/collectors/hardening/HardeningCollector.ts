import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type {
  CollectedEvidence,
  CollectorContext,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import { evaluateHardening, type RuleResult } from './evaluate';
import {
  parseManifests,
  type ManifestError,
  type ReadManifests,
} from './manifests';
import { loadHardeningRules, type HardeningRuleSet } from './rules';

/** The entity annotation naming a service's Kubernetes manifests. */
export const MANIFESTS_ANNOTATION = 'ops.portal/manifests';

export interface HardeningCollectorOptions {
  /** The catalog entities to look at (those with the annotation are checked). */
  loadEntities(): Promise<Entity[]>;
  /** Reads the manifests an annotation names; see `createManifestReader`. */
  readManifests: ReadManifests;
  /** The rules; by default the plugin's `hardening-rules.yaml`, loaded per run. */
  rules?: HardeningRuleSet | (() => Promise<HardeningRuleSet>);
  /** Overrides of the rules' `params`, e.g. `{ allowedRegistries: ['ghcr.io/acme'] }`. */
  params?: Record<string, unknown>;
}

/** One workload's verdicts in the evidence file. */
export interface HardeningWorkloadReport {
  file: string;
  line: number;
  kind: string;
  name: string;
  namespace?: string;
  error?: string;
  results: RuleResult[];
}

/** The evidence file of one entity (`hardening-<entity>.json`). */
export interface HardeningReport {
  entityRef: string;
  manifests: string;
  checkedAt: string;
  rules: {
    source: string;
    sha256: string;
    params: Record<string, unknown>;
    rules: Array<{
      id: string;
      title: string;
      severity: string;
      scope: string;
      expression: string;
    }>;
  };
  files: string[];
  workloads: HardeningWorkloadReport[];
  errors: ManifestError[];
  summary: {
    workloads: number;
    rules: number;
    failures: number;
    errors: number;
  };
}

function fileNameOf(entityRef: string): string {
  const slug = entityRef
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `hardening-${slug}.json`;
}

function sameRef(a: string, b: string): boolean {
  try {
    return (
      stringifyEntityRef(parseEntityRef(a)).toLowerCase() ===
      stringifyEntityRef(parseEntityRef(b)).toLowerCase()
    );
  } catch {
    return false;
  }
}

/**
 * Checks one entity's manifests: reads them, parses every document (a
 * malformed one is reported with its file and line, the others are still
 * checked) and evaluates every rule on every workload.
 */
export async function checkEntityManifests(options: {
  entityRef: string;
  location: string;
  readManifests: ReadManifests;
  rules: HardeningRuleSet;
  params?: Record<string, unknown>;
  now: Date;
}): Promise<HardeningReport> {
  const { rules } = options;
  const params = { ...rules.params, ...options.params };
  const errors: ManifestError[] = [];
  let files: Array<{ path: string; content: string }> = [];
  try {
    files = await options.readManifests(options.location);
  } catch (error) {
    errors.push({ file: options.location, message: (error as Error).message });
  }
  const parsed = parseManifests(files);
  errors.push(...parsed.errors);
  const evaluated = evaluateHardening(
    parsed.objects.map(o => o.object),
    rules,
    params,
  );
  const workloads = evaluated.map(w => {
    const source = parsed.objects[w.index];
    return {
      file: source.file,
      line: source.line,
      kind: w.kind,
      name: w.name,
      ...(w.namespace ? { namespace: w.namespace } : {}),
      ...(w.error ? { error: w.error } : {}),
      results: w.results,
    };
  });
  const failures = workloads
    .flatMap(w => w.results)
    .filter(r => r.status === 'fail').length;
  return {
    entityRef: options.entityRef,
    manifests: options.location,
    checkedAt: options.now.toISOString(),
    rules: {
      source: rules.source.name.split(/[\\/]/).pop() ?? rules.source.name,
      sha256: rules.source.sha256,
      params,
      rules: rules.rules.map(r => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        scope: r.scope,
        expression: r.podExpression,
      })),
    },
    files: files.map(f => f.path),
    workloads,
    errors,
    summary: {
      workloads: workloads.length,
      rules: rules.rules.length,
      failures,
      errors: errors.length,
    },
  };
}

/**
 * The hardening collector: the Kubernetes manifests of catalog services
 * (annotation `ops.portal/manifests`) checked against the CEL hardening
 * rules; one evidence file per entity.
 */
export function createHardeningCollector(
  options: HardeningCollectorOptions,
): EvidenceCollector {
  const getRules = async (): Promise<HardeningRuleSet> => {
    if (typeof options.rules === 'function') return options.rules();
    return options.rules ?? loadHardeningRules();
  };

  return {
    id: 'hardening',
    title: 'Kubernetes hardening',
    description:
      'Checks the Kubernetes manifests of catalog services against the hardening rules (non-root, read-only root filesystem, capabilities, limits, image digests and registries, host namespaces).',
    points: ['CC6.8', 'CC7.1'],
    cadence: 'weekly',
    perEntity: true,
    async collect(ctx: CollectorContext): Promise<CollectedEvidence[]> {
      const rules = await getRules();
      ctx.log(
        `Loaded ${
          rules.rules.length
        } hardening rules (sha256 ${rules.source.sha256.slice(0, 12)})`,
      );
      const entities = (await options.loadEntities()).filter(
        e => !ctx.entityRef || sameRef(stringifyEntityRef(e), ctx.entityRef),
      );
      if (ctx.entityRef && entities.length === 0) {
        throw new Error(`No catalog entity ${ctx.entityRef}`);
      }
      const annotated = entities.filter(
        e => typeof e.metadata.annotations?.[MANIFESTS_ANNOTATION] === 'string',
      );
      if (ctx.entityRef && annotated.length === 0) {
        throw new Error(
          `${ctx.entityRef} has no ${MANIFESTS_ANNOTATION} annotation`,
        );
      }
      ctx.log(
        `${annotated.length} of ${entities.length} entities name their manifests`,
      );

      const evidence: CollectedEvidence[] = [];
      for (const entity of annotated) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
        const entityRef = stringifyEntityRef(entity);
        const location = entity.metadata.annotations![MANIFESTS_ANNOTATION];
        const report = await checkEntityManifests({
          entityRef,
          location,
          readManifests: options.readManifests,
          rules,
          params: options.params,
          now: ctx.now,
        });
        for (const error of report.errors) {
          ctx.log(
            `${entityRef}: ${error.file}${
              error.line ? `:${error.line}` : ''
            }: ${error.message}`,
          );
        }
        ctx.log(
          `${entityRef}: ${report.summary.workloads} workloads, ${report.summary.failures} failed checks`,
        );
        evidence.push({
          type: 'hardening',
          title: `Kubernetes hardening of ${entityRef}`,
          entityRef,
          period: { start: ctx.now, end: ctx.now },
          fileName: fileNameOf(entityRef),
          mediaType: 'application/json',
          content: `${JSON.stringify(report, null, 2)}\n`,
          summary: report.summary,
        });
      }
      return evidence;
    },
  };
}
