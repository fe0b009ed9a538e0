import { createApiRef } from '@backstage/core-plugin-api';
import type {
  Binder,
  BinderVerification,
  CollectorInfo,
  CollectorRun,
  CollectorRunState,
  CoverageReport,
  Criterion,
  EvidenceException,
  EvidenceItem,
} from '@internal/plugin-evidence-common';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';

/** Filters of `GET /items`; unset ones are left out of the query. */
export interface ItemListQuery {
  limit: number;
  offset: number;
  point?: string;
  type?: string;
  collector?: string;
  entityRef?: string;
  /** Free text over title and file name. */
  q?: string;
}

/** `GET /items/:id`: the item with its place in the audit chain. */
export interface EvidenceItemDetail extends EvidenceItem {
  chain: { position: number; hash: string } | null;
}

/** `POST /items/:id/verify`: the stored file against its hash, the row against the chain. */
export interface ItemVerification {
  ok: boolean;
  sha256: { expected: string; actual: string | null };
  chain: { ok: boolean; position?: number | null };
  problems?: string[];
}

/** The `metadata` part of an upload. */
export interface UploadMetadata {
  title: string;
  points: string[];
  periodStart: string;
  periodEnd: string;
  entityRef?: string;
}

export interface RunListQuery {
  limit: number;
  offset: number;
  collector?: string;
  state?: CollectorRunState;
}

/** `GET /runs/:id`: the run with its log and the evidence it filed. */
export interface CollectorRunDetail extends CollectorRun {
  items: EvidenceItem[];
}

export type ExceptionState = 'active' | 'expired' | 'revoked';

export interface ExceptionListQuery {
  limit: number;
  offset: number;
  state?: ExceptionState;
}

export interface NewException {
  point: string;
  reason: string;
  approver: string;
  expiresAt: string;
}

/** One access review and its sign-off, if any. */
export interface AccessReviewEntry {
  review: EvidenceItem;
  signOff: EvidenceItem | null;
}

export interface NewBinder {
  periodStart: string;
  periodEnd: string;
  points?: string[];
}

export interface PageQuery {
  limit: number;
  offset: number;
}

/** The evidence backend (`/api/evidence`), as the frontend sees it. */
export interface EvidenceApi {
  getCriteria(): Promise<Criterion[]>;
  getCoverage(): Promise<CoverageReport>;

  listItems(query: ItemListQuery): Promise<Page<EvidenceItem>>;
  getItem(id: string): Promise<EvidenceItemDetail>;
  verifyItem(id: string): Promise<ItemVerification>;
  uploadItem(file: File, metadata: UploadMetadata): Promise<EvidenceItem>;
  setLegalHold(
    id: string,
    body: { hold: boolean; reason: string },
  ): Promise<EvidenceItem>;
  deleteItem(id: string): Promise<void>;
  /** The file, fetched with the user's token. */
  downloadItem(id: string): Promise<Blob>;
  /** The address of the file route (it needs the user's token). */
  itemContentUrl(id: string): Promise<string>;

  listCollectors(): Promise<CollectorInfo[]>;
  runCollector(
    id: string,
    body?: { entityRef?: string },
  ): Promise<CollectorRun>;
  listRuns(query: RunListQuery): Promise<Page<CollectorRun>>;
  getRun(id: string): Promise<CollectorRunDetail>;

  listExceptions(query: ExceptionListQuery): Promise<Page<EvidenceException>>;
  createException(body: NewException): Promise<EvidenceException>;
  revokeException(id: string): Promise<EvidenceException>;

  listAccessReviews(query: PageQuery): Promise<Page<AccessReviewEntry>>;
  signOffAccessReview(
    itemId: string,
    body: { comment: string },
  ): Promise<EvidenceItem>;

  listBinders(query: PageQuery): Promise<Page<Binder>>;
  createBinder(body: NewBinder): Promise<Binder>;
  getBinder(id: string): Promise<Binder>;
  verifyBinder(id: string): Promise<BinderVerification>;
  /** The `.tar.gz`, fetched with the user's token. */
  downloadBinder(id: string): Promise<Blob>;
  /** The address of the binder download route (it needs the user's token). */
  binderDownloadUrl(id: string): Promise<string>;
  /** The binder signing key, PEM. */
  getPublicKey(): Promise<string>;
}

export const evidenceApiRef = createApiRef<EvidenceApi>({
  id: 'plugin.evidence.api',
});

const segment = encodeURIComponent;

/** The evidence API over HTTP, on the portal's discovery and fetch APIs. */
export class EvidenceClient extends OpsApiClient implements EvidenceApi {
  getCriteria() {
    return this.get<Criterion[]>('/criteria');
  }

  getCoverage() {
    return this.get<CoverageReport>('/coverage');
  }

  listItems(query: ItemListQuery) {
    return this.get<Page<EvidenceItem>>('/items', { ...query });
  }

  getItem(id: string) {
    return this.get<EvidenceItemDetail>(`/items/${segment(id)}`);
  }

  verifyItem(id: string) {
    return this.post<ItemVerification>(`/items/${segment(id)}/verify`, {});
  }

  /** `multipart/form-data`: the file as `file`, what it proves as `metadata` (JSON). */
  async uploadItem(file: File, metadata: UploadMetadata) {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('metadata', JSON.stringify(metadata));
    // No Content-Type of our own: the browser writes it with the boundary.
    const response = await this.fetch('/items', { method: 'POST', body: form });
    return (await response.json()) as EvidenceItem;
  }

  setLegalHold(id: string, body: { hold: boolean; reason: string }) {
    return this.post<EvidenceItem>(`/items/${segment(id)}/legal-hold`, body);
  }

  async deleteItem(id: string) {
    await this.fetch(`/items/${segment(id)}`, { method: 'DELETE' });
  }

  async downloadItem(id: string) {
    const response = await this.fetch(`/items/${segment(id)}/content`, {
      method: 'GET',
    });
    return response.blob();
  }

  itemContentUrl(id: string) {
    return this.url(`/items/${segment(id)}/content`);
  }

  listCollectors() {
    return this.get<CollectorInfo[]>('/collectors');
  }

  runCollector(id: string, body: { entityRef?: string } = {}) {
    return this.post<CollectorRun>(`/collectors/${segment(id)}/runs`, body);
  }

  listRuns(query: RunListQuery) {
    return this.get<Page<CollectorRun>>('/runs', { ...query });
  }

  getRun(id: string) {
    return this.get<CollectorRunDetail>(`/runs/${segment(id)}`);
  }

  listExceptions(query: ExceptionListQuery) {
    return this.get<Page<EvidenceException>>('/exceptions', { ...query });
  }

  createException(body: NewException) {
    return this.post<EvidenceException>('/exceptions', body);
  }

  revokeException(id: string) {
    return this.post<EvidenceException>(
      `/exceptions/${segment(id)}/revoke`,
      {},
    );
  }

  listAccessReviews(query: PageQuery) {
    return this.get<Page<AccessReviewEntry>>('/access-reviews', { ...query });
  }

  signOffAccessReview(itemId: string, body: { comment: string }) {
    return this.post<EvidenceItem>(
      `/access-reviews/${segment(itemId)}/sign-off`,
      body,
    );
  }

  listBinders(query: PageQuery) {
    return this.get<Page<Binder>>('/binders', { ...query });
  }

  createBinder(body: NewBinder) {
    return this.post<Binder>('/binders', body);
  }

  getBinder(id: string) {
    return this.get<Binder>(`/binders/${segment(id)}`);
  }

  verifyBinder(id: string) {
    return this.post<BinderVerification>(`/binders/${segment(id)}/verify`, {});
  }

  async downloadBinder(id: string) {
    const response = await this.fetch(`/binders/${segment(id)}/download`, {
      method: 'GET',
    });
    return response.blob();
  }

  binderDownloadUrl(id: string) {
    return this.url(`/binders/${segment(id)}/download`);
  }

  async getPublicKey() {
    const response = await this.fetch('/public-key', { method: 'GET' });
    return response.text();
  }
}
