import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { EVIDENCE_TYPES, EvidenceItem } from '@internal/plugin-evidence-common';
import type { Page, PageQuery } from '@internal/plugin-ops-node';
import type { EvidenceService } from '../items/EvidenceService';
import type { ItemStore } from '../store/ItemStore';

export const REVIEW_TYPE = 'access-review';
export const SIGN_OFF_TYPE = 'access-review.sign-off';

/**
 * Access reviews and their sign-off. A sign-off is evidence itself: a JSON
 * document naming the review (its id and SHA-256), the reviewer, the comment
 * and the time, filed against the same points. One per review.
 */
export class AccessReviewService {
  constructor(
    private readonly options: { items: ItemStore; evidence: EvidenceService },
  ) {}

  async list(
    page: PageQuery,
  ): Promise<Page<{ review: EvidenceItem; signOff: EvidenceItem | null }>> {
    const reviews = await this.options.items.list({ type: REVIEW_TYPE }, page);
    const items = [];
    for (const review of reviews.items) {
      items.push({ review, signOff: await this.#signOffOf(review.id) });
    }
    return { ...reviews, items };
  }

  async #signOffOf(reviewId: string): Promise<EvidenceItem | null> {
    const page = await this.options.items.list(
      { type: SIGN_OFF_TYPE, q: reviewId },
      { limit: 1, offset: 0 },
    );
    return page.items.find(i => i.summary.reviewOf === reviewId) ?? null;
  }

  async signOff(
    reviewId: string,
    reviewer: string,
    comment: string,
  ): Promise<EvidenceItem> {
    const review = await this.options.items.get(reviewId);
    if (!review) throw new NotFoundError(`No evidence item ${reviewId}`);
    if (review.type !== REVIEW_TYPE) {
      throw new InputError(`Evidence ${reviewId} is not an access review`);
    }
    if (await this.#signOffOf(reviewId)) {
      throw new ConflictError(
        `Access review ${reviewId} is already signed off`,
      );
    }
    const signedAt = new Date().toISOString();
    const document = {
      reviewOf: reviewId,
      reviewSha256: review.sha256,
      reviewer,
      comment,
      signedAt,
    };
    return this.options.evidence.file({
      type: SIGN_OFF_TYPE,
      title: `Sign-off of the access review of ${review.periodEnd.slice(
        0,
        10,
      )}`,
      points: review.points,
      cadence: EVIDENCE_TYPES[SIGN_OFF_TYPE].cadence,
      collector: null,
      runId: null,
      entityRef: review.entityRef,
      periodStart: new Date(review.periodStart),
      periodEnd: new Date(review.periodEnd),
      filedBy: reviewer,
      // The review id is in the file name, so a sign-off is found by it.
      fileName: `access-review-sign-off-${reviewId}.json`,
      mediaType: 'application/json',
      content: `${JSON.stringify(document, null, 2)}\n`,
      summary: { reviewOf: reviewId, reviewer, comment },
    });
  }
}
