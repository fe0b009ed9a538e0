import {
  DsarIntake,
  DsarRequest,
  PRIORITIES,
  RequestType,
  dsarIntakeSchema,
} from '@internal/plugin-privacy-common';
import { randomUUID } from 'node:crypto';
import type { PrivacyConfig } from './config';
import { legalDueAt, slaDueAt } from './deadlines';
import type { RequestStore } from './RequestStore';

/**
 * Accepts export and erasure requests. A duplicate of an open request (same
 * type, subject and region) returns the open one instead of a second row.
 */
export class IntakeService {
  constructor(
    private readonly store: RequestStore,
    private readonly config: PrivacyConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `body` must already be valid; see `dsarIntakeSchema`. */
  async submit(
    type: RequestType,
    body: DsarIntake,
    requester: string,
  ): Promise<{ request: DsarRequest; created: boolean }> {
    const intake = dsarIntakeSchema.parse(body);
    const open = await this.store.findOpen(
      type,
      intake.subject.id,
      intake.region,
    );
    if (open) {
      return { request: open, created: false };
    }
    const receivedAt = this.now();
    const request: DsarRequest = {
      id: randomUUID(),
      type,
      // An erasure waits for a second person's approval; an export is received
      // and waits for the executor.
      state: type === 'delete' ? 'awaiting_approval' : 'received',
      subjectId: intake.subject.id,
      region: intake.region,
      jurisdiction: intake.jurisdiction,
      priority: PRIORITIES[intake.priority],
      requester,
      createdAt: receivedAt.toISOString(),
      updatedAt: receivedAt.toISOString(),
      slaDueAt: slaDueAt(type, receivedAt, this.config.sla).toISOString(),
      legalDueAt: legalDueAt(intake.jurisdiction, receivedAt).toISOString(),
    };
    await this.store.insert(request);
    return { request, created: true };
  }
}
