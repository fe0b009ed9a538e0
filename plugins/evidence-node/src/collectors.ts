import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { EvidenceCadence } from '@internal/plugin-evidence-common';
import type { Readable } from 'node:stream';

/** One piece of evidence a collector hands back; the plugin stores it. */
export interface CollectedEvidence {
  /** e.g. `change-management.git`; see EVIDENCE_TYPES in evidence-common. */
  type: string;
  title: string;
  /** Points it supports; defaults to the collector's. */
  points?: string[];
  /** The catalog entity it is about, e.g. `component:default/api-gateway`. */
  entityRef?: string;
  /** The period the evidence covers, separate from when it was collected. */
  period: { start: Date; end: Date };
  /** A plain file name, e.g. `sbom.spdx.json` (no folders). */
  fileName: string;
  mediaType: string;
  content: Buffer | string | Readable;
  /** Small facts for people, shown beside the item (counts, flags). */
  summary?: Record<string, unknown>;
}

/** What a collector gets for one run. */
export interface CollectorContext {
  /** Appends a line to the run's log (kept with the run, shown in the UI). */
  log(message: string): void;
  /** Aborted when the run times out or the backend shuts down. */
  signal: AbortSignal;
  /** The run's clock. */
  now: Date;
  /** When set, collect only about this catalog entity. */
  entityRef?: string;
  /**
   * The newest evidence of `type` filed before this run, with its content:
   * for comparisons such as access added since the last review.
   */
  previous(
    type: string,
  ): Promise<{ collectedAt: Date; content: Buffer } | undefined>;
}

/**
 * A source of evidence. Runs on a schedule and on demand; every run is
 * recorded with its log, outcome and the evidence it filed. A collector that
 * throws, hangs past its timeout or returns something that is not a list of
 * {@link CollectedEvidence} leaves a failed run; the others go on.
 */
export interface EvidenceCollector {
  /** Unique, e.g. `change-management`. */
  id: string;
  title: string;
  description: string;
  /** The points its evidence supports. */
  points: string[];
  cadence: EvidenceCadence;
  /** Whether it can run for one entity (`CollectorContext.entityRef`). */
  perEntity?: boolean;
  /** How long one run may take; default 10 minutes. */
  timeoutMs?: number;
  collect(context: CollectorContext): Promise<CollectedEvidence[]>;
}

/** Where backend modules add collectors. */
export interface EvidenceCollectorsExtensionPoint {
  addCollector(...collectors: EvidenceCollector[]): void;
}

/**
 * Adds collectors to the evidence plugin from a backend module:
 *
 * ```ts
 * createBackendModule({
 *   pluginId: 'evidence',
 *   moduleId: 'my-collector',
 *   register(env) {
 *     env.registerInit({
 *       deps: { collectors: evidenceCollectorsExtensionPoint },
 *       async init({ collectors }) { collectors.addCollector(myCollector) },
 *     });
 *   },
 * });
 * ```
 */
export const evidenceCollectorsExtensionPoint =
  createExtensionPoint<EvidenceCollectorsExtensionPoint>({
    id: 'evidence.collectors',
  });

/**
 * Thrown by a collector that failed but still has evidence worth keeping
 * (e.g. the targets that passed a restore test). The run is recorded as
 * failed with this message; `evidence` is filed with it.
 */
export class PartialCollectionError extends Error {
  constructor(
    message: string,
    readonly evidence: CollectedEvidence[],
  ) {
    super(message);
    this.name = 'PartialCollectionError';
  }
}
