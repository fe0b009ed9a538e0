import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { EvidenceException } from '@internal/plugin-evidence-common';
import type { AuditChain } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { ExceptionStore } from '../store/ExceptionStore';

export const MIN_EXCEPTION_REASON = 20;

/** Exceptions: a point knowingly not covered, for a reason, approved, until a date. */
export class ExceptionService {
  constructor(
    private readonly options: {
      db: Knex;
      exceptions: ExceptionStore;
      audit: AuditChain;
      knownPoints: Set<string>;
      clock?: () => Date;
    },
  ) {}

  #now() {
    return this.options.clock?.() ?? new Date();
  }

  async create(input: {
    point: string;
    reason: string;
    approver: string;
    expiresAt: Date;
    createdBy: string;
  }): Promise<EvidenceException> {
    const now = this.#now();
    if (!this.options.knownPoints.has(input.point)) {
      throw new InputError(`Unknown point ${input.point}`);
    }
    if (input.reason.trim().length < MIN_EXCEPTION_REASON) {
      throw new InputError(
        `The reason must say why in at least ${MIN_EXCEPTION_REASON} characters`,
      );
    }
    if (input.expiresAt <= now) {
      throw new InputError('The exception must expire in the future');
    }
    const exception: EvidenceException = {
      id: randomUUID(),
      point: input.point,
      reason: input.reason.trim(),
      approver: input.approver,
      createdBy: input.createdBy,
      createdAt: now.toISOString(),
      expiresAt: input.expiresAt.toISOString(),
      revokedAt: null,
    };
    await this.options.db.transaction(async trx => {
      await this.options.exceptions.insert(exception, trx);
      await this.options.audit.append(
        [
          {
            recordId: exception.id,
            type: 'exception.created',
            actor: input.createdBy,
            at: now,
            data: {
              point: exception.point,
              reason: exception.reason,
              approver: exception.approver,
              expiresAt: exception.expiresAt,
            },
          },
        ],
        trx,
      );
    });
    await this.options.audit.anchorHead();
    return exception;
  }

  async revoke(id: string, actor: string): Promise<EvidenceException> {
    const now = this.#now();
    await this.options.db.transaction(async trx => {
      const exception = await this.options.exceptions.get(id, trx);
      if (!exception) throw new NotFoundError(`No exception ${id}`);
      if (!(await this.options.exceptions.revoke(id, now, trx))) {
        throw new ConflictError(`Exception ${id} is no longer in force`);
      }
      await this.options.audit.append(
        [{ recordId: id, type: 'exception.revoked', actor, at: now }],
        trx,
      );
    });
    await this.options.audit.anchorHead();
    return (await this.options.exceptions.get(id))!;
  }
}
