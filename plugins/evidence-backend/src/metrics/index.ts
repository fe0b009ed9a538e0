export { createEvidenceMetrics } from './evidenceMetrics';
export { EvidenceMetricsStore } from './EvidenceMetricsStore';
