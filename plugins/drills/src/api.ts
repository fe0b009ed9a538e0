import { createApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ActionItem,
  CalendarEntry,
  CalendarOverride,
  NewCalendarOverride,
  ParticipantRole,
  RunCheckpoint,
  RunListItem,
  RunParticipant,
  RunState,
  RunStep,
  RunView,
  RunViewer,
  Runbook,
  RunbookProblem,
  RunbookSummary,
  ScenarioHistory,
  StepAttachment,
  StepNote,
} from '@internal/plugin-drills-common';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';

export interface RunListQuery {
  limit: number;
  offset: number;
  state?: RunState;
  scenarioId?: string;
}

export interface StartRunRequest {
  scenarioId: string;
  /** `YYYY-MM` when this is that month's calendar drill; ad hoc when absent. */
  calendarMonth?: string;
  /** Everyone besides the caller, who leads the run. */
  participants?: Array<{ entityRef: string; role: ParticipantRole }>;
}

/** `PUT /runs/:id/steps/:stepId`: saved, or refused because someone changed it first. */
export type SetStepResult =
  | { ok: true; step: RunStep }
  | { ok: false; current: RunStep; message: string };

/** The drills backend, as the frontend sees it. */
export interface DrillsApi {
  listRunbooks(): Promise<{
    runbooks: RunbookSummary[];
    problems: RunbookProblem[];
  }>;
  getRunbook(id: string): Promise<Runbook>;

  getCalendar(months?: number): Promise<{
    timezone: string;
    entries: CalendarEntry[];
  }>;
  listOverrides(): Promise<{ items: CalendarOverride[] }>;
  recordOverride(override: NewCalendarOverride): Promise<CalendarOverride>;
  /** A personal feed URL calendar apps can subscribe to without signing in. */
  getCalendarSubscription(): Promise<{ url: string }>;

  listRuns(query: RunListQuery): Promise<Page<RunListItem>>;
  getRun(id: string): Promise<RunView>;
  startRun(request: StartRunRequest): Promise<RunView>;
  setStep(
    runId: string,
    stepId: string,
    body: { checked: boolean; expectedVersion: number },
  ): Promise<SetStepResult>;
  reachCheckpoint(runId: string, checkpointId: string): Promise<RunCheckpoint>;
  addNote(runId: string, stepId: string, text: string): Promise<StepNote>;
  addAttachment(
    runId: string,
    stepId: string,
    file: File,
  ): Promise<StepAttachment>;
  /** Where an attachment's bytes are read (with the user's token). */
  downloadAttachment(runId: string, attachmentId: string): Promise<Blob>;
  addActionItem(
    runId: string,
    item: { title: string; owner: string; dueDate?: string | null },
  ): Promise<ActionItem>;
  addParticipant(
    runId: string,
    participant: { entityRef: string; role: ParticipantRole },
  ): Promise<RunParticipant>;
  finishRun(runId: string): Promise<RunView>;
  abortRun(runId: string, reason: string): Promise<RunView>;
  /** The finished run's report as HTML (a whole document). */
  getReportHtml(runId: string): Promise<string>;
  getReportMarkdown(runId: string): Promise<string>;
  /** "I am looking at this run"; answers who else is. */
  heartbeat(runId: string): Promise<{ viewers: RunViewer[] }>;
  /**
   * "I closed this run": the others stop showing the caller as looking.
   * Sent with `keepalive`, so it is delivered even as the page unloads.
   */
  leave(runId: string): Promise<void>;

  getHistory(scenarioId?: string): Promise<ScenarioHistory[]>;
}

export const drillsApiRef = createApiRef<DrillsApi>({
  id: 'plugin.drills.api',
});

const segment = encodeURIComponent;

/** The drills API over HTTP, on the portal's discovery and fetch APIs. */
export class DrillsClient extends OpsApiClient implements DrillsApi {
  listRunbooks() {
    return this.get<{ runbooks: RunbookSummary[]; problems: RunbookProblem[] }>(
      '/runbooks',
    );
  }

  getRunbook(id: string) {
    return this.get<Runbook>(`/runbooks/${segment(id)}`);
  }

  getCalendar(months?: number) {
    return this.get<{ timezone: string; entries: CalendarEntry[] }>(
      '/calendar',
      { months },
    );
  }

  listOverrides() {
    return this.get<{ items: CalendarOverride[] }>('/calendar/overrides');
  }

  recordOverride(override: NewCalendarOverride) {
    return this.post<CalendarOverride>('/calendar/overrides', override);
  }

  getCalendarSubscription() {
    return this.get<{ url: string }>('/calendar/subscription');
  }

  listRuns(query: RunListQuery) {
    return this.get<Page<RunListItem>>('/runs', { ...query });
  }

  getRun(id: string) {
    return this.get<RunView>(`/runs/${segment(id)}`);
  }

  startRun(request: StartRunRequest) {
    return this.post<RunView>('/runs', request);
  }

  async setStep(
    runId: string,
    stepId: string,
    body: { checked: boolean; expectedVersion: number },
  ): Promise<SetStepResult> {
    // Read by hand: a 409 is an answer here (the step as it is now), not an error.
    const response = await this.fetchResponse(
      `/runs/${segment(runId)}/steps/${segment(stepId)}`,
      {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    if (response.status === 409) {
      const conflict = await response.clone().json();
      if (conflict?.current) {
        return {
          ok: false,
          current: conflict.current as RunStep,
          message: conflict.error?.message ?? 'Changed by someone else',
        };
      }
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return { ok: true, step: (await response.json()) as RunStep };
  }

  reachCheckpoint(runId: string, checkpointId: string) {
    return this.post<RunCheckpoint>(
      `/runs/${segment(runId)}/checkpoints/${segment(checkpointId)}`,
      {},
    );
  }

  addNote(runId: string, stepId: string, text: string) {
    return this.post<StepNote>(
      `/runs/${segment(runId)}/steps/${segment(stepId)}/notes`,
      { text },
    );
  }

  /** `multipart/form-data` with the file as `file`. */
  async addAttachment(runId: string, stepId: string, file: File) {
    const form = new FormData();
    form.append('file', file, file.name);
    const response = await this.fetch(
      `/runs/${segment(runId)}/steps/${segment(stepId)}/attachments`,
      { method: 'POST', body: form },
    );
    return (await response.json()) as StepAttachment;
  }

  async downloadAttachment(runId: string, attachmentId: string) {
    const response = await this.fetch(
      `/runs/${segment(runId)}/attachments/${segment(attachmentId)}/content`,
      { method: 'GET' },
    );
    return response.blob();
  }

  addActionItem(
    runId: string,
    item: { title: string; owner: string; dueDate?: string | null },
  ) {
    return this.post<ActionItem>(`/runs/${segment(runId)}/action-items`, item);
  }

  addParticipant(
    runId: string,
    participant: { entityRef: string; role: ParticipantRole },
  ) {
    return this.post<RunParticipant>(
      `/runs/${segment(runId)}/participants`,
      participant,
    );
  }

  finishRun(runId: string) {
    return this.post<RunView>(`/runs/${segment(runId)}/finish`, {});
  }

  abortRun(runId: string, reason: string) {
    return this.post<RunView>(`/runs/${segment(runId)}/abort`, { reason });
  }

  async getReportHtml(runId: string) {
    const response = await this.fetch(`/runs/${segment(runId)}/report.html`, {
      method: 'GET',
    });
    return response.text();
  }

  async getReportMarkdown(runId: string) {
    const response = await this.fetch(`/runs/${segment(runId)}/report.md`, {
      method: 'GET',
    });
    return response.text();
  }

  heartbeat(runId: string) {
    return this.post<{ viewers: RunViewer[] }>(
      `/runs/${segment(runId)}/presence`,
      {},
    );
  }

  async leave(runId: string) {
    // fetchApi (not sendBeacon, which cannot send the user's token), kept
    // alive past the page's end.
    await this.fetch(`/runs/${segment(runId)}/presence`, {
      method: 'DELETE',
      keepalive: true,
    });
  }

  getHistory(scenarioId?: string) {
    return this.get<ScenarioHistory[]>('/history', { scenarioId });
  }
}
