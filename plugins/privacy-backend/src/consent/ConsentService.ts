import type {
  ConsentPurpose,
  ConsentState,
} from '@internal/plugin-privacy-common';
import type { IdentifierProtection } from '../identifiers';
import type { ConsentLedger } from './ConsentLedger';

/**
 * Consent by subject id: the id is hashed with the identifier key before it
 * reaches the ledger, which never holds it.
 */
export class ConsentService {
  constructor(
    private readonly deps: {
      ledger: ConsentLedger;
      identifiers: Pick<IdentifierProtection, 'hash'>;
    },
  ) {}

  /** Records a grant or withdrawal and answers the subject's new state. */
  async record(
    change: {
      subject: { id: string };
      purpose: ConsentPurpose;
      granted: boolean;
      source: string;
    },
    actor: string,
  ): Promise<ConsentState> {
    await this.deps.ledger.record({
      subjectHash: this.deps.identifiers.hash(change.subject.id),
      purpose: change.purpose,
      granted: change.granted,
      source: change.source,
      actor,
    });
    return this.state(change.subject.id);
  }

  /** The latest decision per purpose, and every change, oldest first. */
  async state(subjectId: string): Promise<ConsentState> {
    const subjectHash = this.deps.identifiers.hash(subjectId);
    return {
      subjectId,
      current: await this.deps.ledger.current(subjectHash),
      history: await this.deps.ledger.history(subjectHash),
    };
  }
}
