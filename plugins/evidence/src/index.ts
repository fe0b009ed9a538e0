/**
 * The SOC 2 evidence frontend plugin. The new frontend system uses the
 * `./alpha` entry; this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { evidencePlugin, EvidencePage, EntityEvidenceContent } from './plugin';
export { evidenceApiRef, EvidenceClient } from './api';
export type {
  AccessReviewEntry,
  CollectorRunDetail,
  EvidenceApi,
  EvidenceItemDetail,
  ExceptionListQuery,
  ExceptionState,
  ItemListQuery,
  ItemVerification,
  NewBinder,
  NewException,
  PageQuery,
  RunListQuery,
  UploadMetadata,
} from './api';
