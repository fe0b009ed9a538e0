import { TestDatabases } from '@backstage/backend-test-utils';
import { createLifecycle } from '../testing/lifecycle';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

const REGION_OF = { GDPR: 'EU', 'UK-GDPR': 'UK', CCPA: 'US' } as const;

const intakeOf = (
  subject = 'customer-42',
  jurisdiction: keyof typeof REGION_OF = 'GDPR',
) => ({
  subject: { id: subject, email: 'someone@example.com' },
  region: REGION_OF[jurisdiction],
  jurisdiction,
  priority: 'NORMAL' as const,
});

describe.each(databases.eachSupportedId())(
  'the request lifecycle on %p (no server)',
  databaseId => {
    it('queues an export at once and an erasure only after a second person approves', async () => {
      const { intake, requests, dispatched, trail } = await createLifecycle(
        databases,
        databaseId,
      );
      const exported = await intake.submit('export', intakeOf(), ALICE);
      expect(exported.request.state).toBe('queued');
      expect(dispatched).toEqual([exported.request.id]);

      const { request: erasure } = await intake.submit(
        'delete',
        intakeOf(),
        ALICE,
      );
      expect(erasure.state).toBe('awaiting_approval');
      await expect(requests.approve(erasure.id, ALICE)).rejects.toMatchObject({
        name: 'NotAllowedError',
      });
      const approved = await requests.approve(erasure.id, BOB);
      expect(approved.state).toBe('queued');
      expect(dispatched).toEqual([exported.request.id, erasure.id]);
      // Approving twice is a conflict and changes nothing.
      await expect(requests.approve(erasure.id, BOB)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      expect(await trail(erasure.id)).toEqual([
        'request.received',
        'request.state_changed',
        'request.state_changed',
      ]);
    });

    it('answers a duplicate of an open request with the open one', async () => {
      const { intake } = await createLifecycle(databases, databaseId);
      const first = await intake.submit('export', intakeOf(), ALICE);
      const again = await intake.submit('export', intakeOf(), BOB);
      expect(again).toEqual({ request: first.request, created: false });
      const byKey = await intake.submit('export', intakeOf('other'), ALICE, {
        idempotencyKey: 'k-1',
      });
      expect(
        await intake.submit('export', intakeOf('other'), ALICE, {
          idempotencyKey: 'k-1',
        }),
      ).toEqual({ request: byKey.request, created: false });
      // Scoped to the caller: Bob's k-1 is not Alice's, he never gets her request.
      const bobs = await intake.submit('export', intakeOf('bobs'), BOB, {
        idempotencyKey: 'k-1',
      });
      expect(bobs.created).toBe(true);
      expect(bobs.request.id).not.toBe(byKey.request.id);
      // Scoped to the route: the same key for an erasure is another key.
      expect(
        (
          await intake.submit('delete', intakeOf('other'), ALICE, {
            idempotencyKey: 'k-1',
          })
        ).created,
      ).toBe(true);
      // The same key with another body is refused, and creates nothing.
      await expect(
        intake.submit('export', intakeOf('someone-else'), ALICE, {
          idempotencyKey: 'k-1',
        }),
      ).rejects.toMatchObject({ name: 'IdempotencyKeyReuseError' });
    });

    it('follows the state machine: only legal moves, each audited', async () => {
      const { intake, requests, transitions } = await createLifecycle(
        databases,
        databaseId,
      );
      const { request } = await intake.submit('export', intakeOf(), ALICE);
      // queued → running → failed → (retry) queued → canceled
      expect((await transitions.start(request.id))?.state).toBe('running');
      await transitions.fail(request.id, new Error('source down'));
      expect((await requests.retry(request.id, BOB)).state).toBe('queued');
      expect((await requests.cancel(request.id, BOB)).state).toBe('canceled');
      // Nothing leaves a final state.
      await expect(requests.retry(request.id, BOB)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      await expect(requests.cancel(request.id, BOB)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      // The executor skips a request canceled under it.
      expect(await transitions.start(request.id)).toBeUndefined();
      await expect(requests.approve('missing', BOB)).rejects.toMatchObject({
        name: 'NotFoundError',
      });
    });

    it('holds erasures while a legal hold stands, and releases them to approval', async () => {
      const { intake, requests, store, trail } = await createLifecycle(
        databases,
        databaseId,
      );
      const { request: waiting } = await intake.submit(
        'delete',
        intakeOf(),
        ALICE,
      );
      const hold = await requests.placeHold('customer-42', 'litigation', BOB);
      expect(hold.held).toBe(1);
      expect((await store.get(waiting.id))?.state).toBe('on_hold');
      // A new erasure of a held subject (here in another region) goes straight to on_hold.
      const { request: later } = await intake.submit(
        'delete',
        intakeOf('customer-42', 'UK-GDPR'),
        ALICE,
      );
      expect(later.state).toBe('on_hold');
      await expect(requests.approve(waiting.id, BOB)).rejects.toMatchObject({
        name: 'ConflictError',
      });

      expect(await requests.releaseHold(hold.id, BOB)).toEqual({
        released: 2,
      });
      expect((await store.get(waiting.id))?.state).toBe('awaiting_approval');
      await expect(requests.releaseHold(hold.id, BOB)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      expect(await trail(waiting.id)).toEqual([
        'request.received',
        'request.state_changed',
        'request.state_changed',
        'request.state_changed',
      ]);
    });

    it('extends a legal deadline once, with its reason on record', async () => {
      const { intake, requests, trail } = await createLifecycle(
        databases,
        databaseId,
      );
      const { request } = await intake.submit(
        'export',
        intakeOf('customer-7', 'CCPA'),
        ALICE,
      );
      expect(request.legalDueAt).toBe('2027-01-15T09:00:00.000Z');
      const extended = await requests.extend(
        request.id,
        BOB,
        'The subject holds accounts in three products',
      );
      expect(extended.legalDueAt).toBe('2027-03-01T09:00:00.000Z');
      await expect(
        requests.extend(request.id, BOB, 'A second extension is not allowed'),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(await trail(request.id)).toContain('request.deadline_extended');
    });
  },
);
