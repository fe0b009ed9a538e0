import { createApiRef } from '@backstage/core-plugin-api';
import type {
  SecurityAlertDetail,
  SecurityAlertStatus,
  SecurityAlertStatusChange,
  SecurityAlertSummary,
  SecurityAlertSummaryByDay,
  SecurityPipelineStats,
  SecurityRuleInfo,
  SecuritySeverity,
} from '@internal/plugin-security-common';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';

/** `GET /alerts`: one page, newest first, optionally filtered. */
export interface AlertListQuery {
  limit: number;
  offset: number;
  status?: SecurityAlertStatus;
  severity?: SecuritySeverity;
  ruleId?: string;
}

/** The security backend, as the frontend sees it. */
export interface SecurityApi {
  listAlerts(query: AlertListQuery): Promise<Page<SecurityAlertSummary>>;
  getAlert(id: string): Promise<SecurityAlertDetail>;
  /** Needs `security.alert.manage`; answers the alert as it now stands. */
  changeAlertStatus(
    id: string,
    change: SecurityAlertStatusChange,
  ): Promise<SecurityAlertSummary>;
  /** Alerts per day and severity over the last `days` days (default 30). */
  getSummary(days?: number): Promise<SecurityAlertSummaryByDay>;
  listRules(): Promise<{ rules: SecurityRuleInfo[] }>;
  getPipeline(): Promise<SecurityPipelineStats>;
}

export const securityApiRef = createApiRef<SecurityApi>({
  id: 'plugin.security.api',
});

const segment = encodeURIComponent;

/**
 * The security API over HTTP, on the portal's discovery and fetch APIs.
 * Non-2xx answers throw a ResponseError carrying the backend's message.
 */
export class SecurityClient extends OpsApiClient implements SecurityApi {
  listAlerts(query: AlertListQuery) {
    return this.get<Page<SecurityAlertSummary>>('/alerts', { ...query });
  }

  getAlert(id: string) {
    return this.get<SecurityAlertDetail>(`/alerts/${segment(id)}`);
  }

  changeAlertStatus(id: string, change: SecurityAlertStatusChange) {
    return this.post<SecurityAlertSummary>(
      `/alerts/${segment(id)}/status`,
      change,
    );
  }

  getSummary(days?: number) {
    return this.get<SecurityAlertSummaryByDay>('/summary', { days });
  }

  listRules() {
    return this.get<{ rules: SecurityRuleInfo[] }>('/rules');
  }

  getPipeline() {
    return this.get<SecurityPipelineStats>('/pipeline');
  }
}
