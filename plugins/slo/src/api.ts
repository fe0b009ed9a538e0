import { createApiRef } from '@backstage/core-plugin-api';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';
import type {
  SloAlert,
  SloDemoSinkEntry,
  SloSettings,
  SloObjectiveProblem,
  SloObjectiveState,
  SloObjectiveSummary,
  SloSeries,
  SloStatus,
} from '@internal/plugin-slo-common';

export type ObjectiveSort = 'name' | 'budget' | 'burn' | 'state';

/** `GET /objectives` query parameters; unset ones are left out. */
export interface ObjectiveListQuery {
  limit: number;
  offset: number;
  entityRef?: string;
  owner?: string;
  system?: string;
  state?: SloObjectiveState;
  q?: string;
  sort?: ObjectiveSort;
  order?: 'asc' | 'desc';
}

export interface AlertListQuery {
  limit: number;
  offset: number;
  objectiveRef?: string;
  state?: SloAlert['state'];
}

export interface PageQuery {
  limit: number;
  offset: number;
}

/** The two shapes the generated alerting rules come in. */
export type RulesFormat = 'rules' | 'prometheusrule';

/** The SLO backend (`/api/slo`), as the frontend sees it. */
export interface SloApi {
  listObjectives(query: ObjectiveListQuery): Promise<Page<SloObjectiveSummary>>;
  getObjective(ref: string): Promise<SloObjectiveSummary>;
  /** The objective evaluated as of `at` (an ISO minute); now when left out. */
  getStatus(ref: string, at?: string): Promise<SloStatus>;
  getSeries(
    ref: string,
    query: { from: string; to: string; step: number },
  ): Promise<SloSeries>;
  /** The generated Prometheus rules, as YAML text. */
  getRules(ref: string, format: RulesFormat): Promise<string>;
  /** The OpenSLO YAML document the objective was read from. */
  getSource(ref: string): Promise<string>;
  listAlerts(query: AlertListQuery): Promise<Page<SloAlert>>;
  acknowledgeAlert(id: string, body: { reason: string }): Promise<SloAlert>;
  silenceAlert(
    id: string,
    body: { reason: string; until: string },
  ): Promise<SloAlert>;
  listProblems(query: PageQuery): Promise<Page<SloObjectiveProblem>>;
  listDemoSink(query: PageQuery): Promise<Page<SloDemoSinkEntry>>;
  getSettings(): Promise<SloSettings>;
}

export const sloApiRef = createApiRef<SloApi>({ id: 'plugin.slo.api' });

const objective = (ref: string) => `/objectives/${encodeURIComponent(ref)}`;

/** `SloApi` over HTTP, with the user's token (see `OpsApiClient`). */
export class SloClient extends OpsApiClient implements SloApi {
  listObjectives(query: ObjectiveListQuery) {
    return this.get<Page<SloObjectiveSummary>>('/objectives', { ...query });
  }

  getObjective(ref: string) {
    return this.get<SloObjectiveSummary>(objective(ref));
  }

  getStatus(ref: string, at?: string) {
    return this.get<SloStatus>(`${objective(ref)}/status`, { at });
  }

  getSeries(ref: string, query: { from: string; to: string; step: number }) {
    return this.get<SloSeries>(`${objective(ref)}/series`, { ...query });
  }

  getRules(ref: string, format: RulesFormat) {
    return this.getText(`${objective(ref)}/rules?format=${format}`);
  }

  getSource(ref: string) {
    return this.getText(`${objective(ref)}/source`);
  }

  listAlerts(query: AlertListQuery) {
    return this.get<Page<SloAlert>>('/alerts', { ...query });
  }

  acknowledgeAlert(id: string, body: { reason: string }) {
    return this.post<SloAlert>(
      `/alerts/${encodeURIComponent(id)}/acknowledge`,
      body,
    );
  }

  silenceAlert(id: string, body: { reason: string; until: string }) {
    return this.post<SloAlert>(
      `/alerts/${encodeURIComponent(id)}/silence`,
      body,
    );
  }

  listProblems(query: PageQuery) {
    return this.get<Page<SloObjectiveProblem>>('/problems', { ...query });
  }

  getSettings() {
    return this.get<SloSettings>('/settings');
  }

  listDemoSink(query: PageQuery) {
    return this.get<Page<SloDemoSinkEntry>>('/demo-sink', { ...query });
  }

  private async getText(path: string): Promise<string> {
    const response = await this.fetch(path, { method: 'GET' });
    return response.text();
  }
}
