/**
 * The SOC 2 evidence backend plugin, its built-in collectors and the binder
 * verifier.
 *
 * @packageDocumentation
 */
export { evidencePlugin as default } from './plugin';
export {
  ACCESS_REVIEW_TYPE,
  buildAccessReview,
  createAccessReviewCollector,
  diffAccessReviews,
  type AccessReviewCollectorOptions,
  type DecideFn,
} from './collectors/accessReview';
export { buildBinder, runVerifyCli, verifyBinder } from './binders';
