export {
  ACCESS_REVIEW_TYPE,
  createAccessReviewCollector,
  type AccessReviewCollectorOptions,
} from './AccessReviewCollector';
export {
  GROUP_PROBE_USER_REF,
  buildAccessReview,
  diffAccessReviews,
  type AccessChange,
  type AccessDecision,
  type AccessMap,
  type AccessPrincipal,
  type AccessReview,
  type AccessReviewDiff,
  type BuildAccessReviewInput,
  type DecideFn,
  type MembershipChange,
} from './review';
export {
  readOrg,
  type Org,
  type OrgGroup,
  type OrgUser,
  type OwnedEntity,
} from './org';
