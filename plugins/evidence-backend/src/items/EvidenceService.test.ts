import { TestDatabases } from '@backstage/backend-test-utils';
import { contentAddressedKey } from '@internal/plugin-ops-node';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evidenceTestServices } from '../__testUtils__/evidenceTestServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

describe.each(databases.eachSupportedId())(
  'evidence store on %p',
  databaseId => {
    // Filed in 2015, so seven years of retention have passed by the real
    // date: PostgreSQL's own guard compares with its clock, not the test's.
    const FILED = new Date('2015-06-01T12:00:00Z');
    let now = FILED;
    const clock = () => now;

    async function setUp() {
      now = FILED;
      const knex = await databases.init(databaseId);
      return { knex, ...(await evidenceTestServices(knex, { clock })) };
    }

    const filing = (
      content: string,
      overrides: Record<string, unknown> = {},
    ) => ({
      type: 'manual',
      title: 'Security policy',
      points: ['CC1.1', 'CC5.3'],
      cadence: 'yearly' as const,
      collector: null,
      runId: null,
      entityRef: null,
      periodStart: new Date('2026-01-01T00:00:00Z'),
      periodEnd: new Date('2026-12-31T00:00:00Z'),
      filedBy: 'user:default/compliance',
      fileName: 'policy.txt',
      mediaType: 'text/plain',
      content,
      ...overrides,
    });

    it('files a row, its content-addressed file and a chain event naming its hash', async () => {
      const { evidence, blobs, audit } = await setUp();
      const item = await evidence.file(filing('the policy'));
      expect(item).toMatchObject({
        type: 'manual',
        points: ['CC1.1', 'CC5.3'],
        sha256: sha256('the policy'),
        sizeBytes: 10,
        legalHold: false,
        collectedAt: FILED.toISOString(),
        retainUntil: '2022-06-01T12:00:00.000Z',
      });
      expect(
        (await blobs.getBuffer(contentAddressedKey(item.sha256))).toString(),
      ).toBe('the policy');
      const withChain = await evidence.get(item.id);
      expect(withChain.chain?.position).toBeGreaterThan(0);
      const [event] = await audit.forRecord(item.id);
      expect(event).toMatchObject({
        type: 'evidence.filed',
        data: { sha256: item.sha256 },
      });
      expect(await evidence.verify(item.id)).toMatchObject({
        ok: true,
        sha256: { expected: item.sha256, actual: item.sha256 },
        chain: { ok: true },
      });
    });

    it('refuses a delete before the retention date and changes nothing', async () => {
      const { evidence, blobs, items } = await setUp();
      const item = await evidence.file(filing('keep me'));
      now = new Date('2022-06-01T11:59:59Z');
      await expect(
        evidence.delete(item.id, 'user:default/admin'),
      ).rejects.toThrow(/retained until 2022-06-01/);
      expect(await items.get(item.id)).toBeDefined();
      expect(await blobs.head(contentAddressedKey(item.sha256))).toBeDefined();
    });

    it('lets a legal hold block expiry, and expiry after retention leaves a tombstone', async () => {
      const { evidence, items, audit } = await setUp();
      const held = await evidence.file(filing('held'));
      const plain = await evidence.file(filing('plain'));
      await evidence.setLegalHold(
        held.id,
        true,
        'litigation 2026-17',
        'user:default/legal',
      );
      now = new Date();
      expect(await evidence.expire()).toBe(1);
      expect(await items.get(plain.id)).toBeUndefined();
      expect(await items.get(held.id)).toMatchObject({ legalHold: true });
      await expect(
        evidence.delete(held.id, 'user:default/admin'),
      ).rejects.toThrow(/legal hold/);
      const events = await audit.forRecord(plain.id);
      expect(events.map(e => e.type)).toEqual([
        'evidence.filed',
        'evidence.expired',
      ]);
      expect(events[1].data).toMatchObject({
        sha256: plain.sha256,
        type: 'manual',
      });
      expect((await audit.verify()).ok).toBe(true);
    });

    it('keeps a file two items share until the last of them goes', async () => {
      const { evidence, blobs } = await setUp();
      const first = await evidence.file(filing('same bytes'));
      now = new Date('2016-06-01T12:00:00Z');
      const second = await evidence.file(filing('same bytes'));
      const key = contentAddressedKey(first.sha256);
      now = new Date('2022-06-02T00:00:00Z');
      await evidence.delete(first.id, 'user:default/admin');
      expect(await blobs.head(key)).toBeDefined();
      await expect(
        evidence.delete(second.id, 'user:default/admin'),
      ).rejects.toThrow(/retained until 2023-06-01/);
      now = new Date();
      await evidence.delete(second.id, 'user:default/admin');
      expect(await blobs.head(key)).toBeUndefined();
    });

    it('sweeps a file whose row never came, and leaves the rest', async () => {
      const { evidence, blobs, knex } = await setUp();
      const kept = await evidence.file(filing('kept'));
      // A process that died between writing the file and committing its row.
      const orphan = await blobs.putContentAddressed(Buffer.from('orphan'));
      await knex('evidence_blob_intents').insert({
        blob_key: orphan.key,
        created_at: new Date('2015-06-01T11:00:00Z'),
      });
      expect(
        await evidence.sweepIntents(new Date('2015-06-01T11:30:00Z')),
      ).toBe(1);
      expect(await blobs.head(orphan.key)).toBeUndefined();
      expect(await blobs.head(contentAddressedKey(kept.sha256))).toBeDefined();
      expect(await knex('evidence_blob_intents')).toEqual([]);
    });

    it('names a file that changed on disk when verifying', async () => {
      const { evidence, folder } = await setUp();
      const item = await evidence.file(filing('original'));
      // Someone with access to the storage rewrites the file behind our back.
      await writeFile(
        join(folder, contentAddressedKey(item.sha256)),
        'tampered',
      );
      const result = await evidence.verify(item.id);
      expect(result.ok).toBe(false);
      expect(result.sha256.actual).toBe(sha256('tampered'));
      expect(result.problems).toContain(
        'the stored file does not have the recorded SHA-256',
      );
    });

    if (databaseId === 'POSTGRES_15') {
      it('has the database refuse deletes before retention, rewrites and truncation', async () => {
        const { evidence, knex } = await setUp();
        now = new Date();
        const item = await evidence.file(filing('guarded'));
        await expect(
          knex('evidence_items').where({ id: item.id }).delete(),
        ).rejects.toThrow(/cannot be deleted/);
        await expect(
          knex('evidence_items')
            .where({ id: item.id })
            .update({ sha256: 'f'.repeat(64) }),
        ).rejects.toThrow(/append-only/);
        await expect(
          knex.raw('TRUNCATE evidence_items CASCADE'),
        ).rejects.toThrow(/cannot be truncated/);
        // The hold is the one column that may change.
        await knex('evidence_items')
          .where({ id: item.id })
          .update({ legal_hold: true });
        expect(
          (await knex('evidence_items').where({ id: item.id }).first()).sha256,
        ).toBe(item.sha256);
      });
    }
  },
);
