import { createApiRef } from '@backstage/core-plugin-api';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';
import type {
  AuditEvent,
  AuditVerification,
  ConsentChange,
  ConsentLookup,
  ConsentState,
  DsarIntake,
  DsarRequest,
  DsarRequestDetail,
  QueueMetrics,
  RequestListQuery,
  SlaReport,
} from '@internal/plugin-privacy-common';

export type { RequestListQuery };

/** The answer to `POST /export` and `POST /delete`. */
export interface SubmitResult {
  request: DsarRequest;
  /** The backend returned an open request for the same subject (200, not 201). */
  duplicate: boolean;
}

export interface SubmitOptions {
  /** Sent as `Idempotency-Key`: a retried submit returns the first request. */
  idempotencyKey?: string;
}

/** The privacy backend, as the frontend sees it. */
export interface PrivacyApi {
  listRequests(query: RequestListQuery): Promise<Page<DsarRequest>>;
  getStatus(id: string): Promise<DsarRequestDetail>;
  submitExport(
    intake: DsarIntake,
    options?: SubmitOptions,
  ): Promise<SubmitResult>;
  submitDelete(
    intake: DsarIntake,
    options?: SubmitOptions,
  ): Promise<SubmitResult>;
  approve(id: string): Promise<DsarRequest>;
  cancel(id: string): Promise<DsarRequest>;
  retry(id: string): Promise<DsarRequest>;
  extendDeadline(id: string, body: { reason: string }): Promise<DsarRequest>;
  getAudit(id: string): Promise<{ events: AuditEvent[] }>;
  verifyAudit(): Promise<AuditVerification>;
  downloadExport(exportId: string): Promise<Blob>;
  changeConsent(change: ConsentChange): Promise<ConsentState>;
  getConsent(subjectId: string): Promise<ConsentState>;
  getSlaReport(): Promise<SlaReport>;
  getQueueMetrics(): Promise<QueueMetrics>;
}

export const privacyApiRef = createApiRef<PrivacyApi>({
  id: 'plugin.privacy.api',
});

const segment = encodeURIComponent;

export class PrivacyClient extends OpsApiClient implements PrivacyApi {
  listRequests(query: RequestListQuery) {
    return this.get<Page<DsarRequest>>('/requests', { ...query });
  }

  getStatus(id: string) {
    return this.get<DsarRequestDetail>(`/requests/${segment(id)}`);
  }

  submitExport(intake: DsarIntake, options?: SubmitOptions) {
    return this.submit('/export', intake, options);
  }

  submitDelete(intake: DsarIntake, options?: SubmitOptions) {
    return this.submit('/delete', intake, options);
  }

  approve(id: string) {
    return this.post<DsarRequest>(`/requests/${segment(id)}/approve`, {});
  }

  cancel(id: string) {
    return this.post<DsarRequest>(`/requests/${segment(id)}/cancel`, {});
  }

  retry(id: string) {
    return this.post<DsarRequest>(`/requests/${segment(id)}/retry`, {});
  }

  extendDeadline(id: string, body: { reason: string }) {
    return this.post<DsarRequest>(`/requests/${segment(id)}/extend`, body);
  }

  getAudit(id: string) {
    return this.get<{ events: AuditEvent[] }>(`/requests/${segment(id)}/audit`);
  }

  verifyAudit() {
    return this.get<AuditVerification>('/audit/verify');
  }

  async downloadExport(exportId: string) {
    const response = await this.fetch(
      `/exports/${segment(exportId)}/download`,
      { method: 'GET' },
    );
    return response.blob();
  }

  changeConsent(change: ConsentChange) {
    return this.post<ConsentState>('/consent', change);
  }

  /** By POST, the id in the body: a subject id never goes into a URL. */
  getConsent(subjectId: string) {
    const lookup: ConsentLookup = { subject: { id: subjectId } };
    return this.post<ConsentState>('/consent/lookup', lookup);
  }

  getSlaReport() {
    return this.get<SlaReport>('/metrics/sla');
  }

  getQueueMetrics() {
    return this.get<QueueMetrics>('/metrics/queue');
  }

  private async submit(
    path: string,
    intake: DsarIntake,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const response = await this.postResponse(
      path,
      intake,
      options.idempotencyKey
        ? { 'Idempotency-Key': options.idempotencyKey }
        : {},
    );
    return {
      request: (await response.json()) as DsarRequest,
      duplicate: response.status === 200,
    };
  }
}
