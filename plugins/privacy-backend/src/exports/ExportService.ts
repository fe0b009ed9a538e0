import { NotFoundError } from '@backstage/errors';
import type { AuditChain } from '@internal/plugin-ops-node';
import { decryptBundle, deserializeBundle } from '../crypto';
import type { RegionRuntime } from '../executor/RegionRuntime';
import type { ResultStore } from '../executor/ResultStore';
import type { RequestStore } from '../requests/RequestStore';

/** What a download yields: the decrypted bundle, or the time its link expired. */
export type ExportDownload =
  | { status: 'ok'; requestId: string; zip: Buffer }
  | { status: 'expired'; expiresAt: string };

/**
 * Serves export bundles: finds the sealed bundle in its region's storage,
 * decrypts it with the region's keyring and records the download in the
 * audit chain. The bundle is one AES-256-GCM message, so it is decrypted
 * whole: its tag is checked before a byte leaves.
 */
export class ExportService {
  constructor(
    private readonly deps: {
      results: Pick<ResultStore, 'exportById'>;
      store: Pick<RequestStore, 'get'>;
      regions: Map<string, RegionRuntime>;
      audit: Pick<AuditChain, 'append'>;
    },
  ) {}

  async download(exportId: string, actor: string): Promise<ExportDownload> {
    const exported = await this.deps.results.exportById(exportId);
    if (!exported) throw new NotFoundError(`No export with id ${exportId}`);
    const now = new Date();
    if (Date.parse(exported.expiresAt) < now.getTime()) {
      return { status: 'expired', expiresAt: exported.expiresAt };
    }
    const request = await this.deps.store.get(exported.requestId);
    const runtime = request && this.deps.regions.get(request.region);
    if (!request || !runtime) {
      throw new NotFoundError(`No export with id ${exportId}`);
    }
    const sealed = await runtime.storage.getBuffer(
      `exports/${request.id}.zip.enc`,
    );
    const zip = decryptBundle(deserializeBundle(sealed), runtime.keyring);
    await this.deps.audit.append([
      {
        recordId: request.id,
        type: 'export.downloaded',
        actor,
        data: { exportId: exported.id },
      },
    ]);
    return { status: 'ok', requestId: request.id, zip };
  }
}
