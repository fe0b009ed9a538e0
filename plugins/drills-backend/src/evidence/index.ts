export {
  EVIDENCE_FILING_TARGET,
  enqueueEvidenceFiling,
  evidenceFileName,
  evidenceFilingDeliverer,
  evidenceFilingPayloadSchema,
  type EvidenceFilingDelivererOptions,
  type EvidenceFilingPayload,
} from './evidenceFiling';
