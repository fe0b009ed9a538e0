import { readGitHistory, tagSignatureFrom } from './gitHistory';
import { scratchDir } from './testing/gitFixture';
import {
  ALICE,
  BOB,
  DEPLOY_BOT,
  EXPECTED_SUMMARY,
  PERIOD,
  RELEASE_BOT,
  buildScenario,
  type Scenario,
} from './testing/scenario';

// Real git and gpg on a busy machine: generous limits, no timing asserted.
jest.setTimeout(60_000);

describe('readGitHistory', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let scenario: Scenario;

  beforeAll(async () => {
    scratch = await scratchDir('cm-history-');
    scenario = await buildScenario(scratch.path);
  }, 60_000);

  afterAll(async () => {
    await scenario?.stop();
    await scratch?.cleanup();
  });

  it('counts commits, merges, reviews, signatures, tags and deployments in the period', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: PERIOD,
      env: scenario.env,
      config: scenario.config,
    });
    expect(history.summary).toEqual(EXPECTED_SUMMARY);
    expect(history.head).toBe(scenario.commits.late);
    expect(history.period).toEqual({
      start: '2026-01-10T00:00:00.000Z',
      end: '2026-01-17T00:00:00.000Z',
    });
    const shas = history.commits.map(c => c.sha);
    expect(shas).not.toContain(scenario.commits.initial);
    expect(shas).not.toContain(scenario.commits.late);
    expect(shas).toContain(scenario.commits.a1);
  });

  it('says why each merge counts as reviewed or not', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: PERIOD,
    });
    const bySha = new Map(history.merges.map(m => [m.sha, m]));

    const a = bySha.get(scenario.commits.mergeA)!;
    expect(a.reviewed).toBe(true);
    expect(a.mergedBy).toMatchObject(ALICE);
    expect(a.branchCommits).toBe(2);
    expect(a.reviewEvidence).toEqual([
      { kind: 'authored-by-others', authors: [BOB] },
    ]);

    const b = bySha.get(scenario.commits.mergeB)!;
    expect(b.reviewed).toBe(true);
    expect(b.reviewEvidence).toEqual([
      {
        kind: 'trailer',
        key: 'Reviewed-by',
        value: 'Carol Checker <carol@example.test>',
      },
    ]);

    expect(bySha.get(scenario.commits.mergeC)!.reviewed).toBe(false);
    const d = bySha.get(scenario.commits.mergeD)!;
    expect(d.reviewed).toBe(false);
    expect(d.reviewEvidence).toEqual([]);
  });

  it('reports signatures it cannot check as signed but unverified', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: PERIOD,
      env: { GNUPGHOME: `${scratch.path}/empty-gnupg` },
    });
    expect(history.summary.signedCommits).toBe(2);
    const bySha = new Map(history.commits.map(c => [c.sha, c]));
    // No public key here: gpg cannot check it at all.
    expect(bySha.get(scenario.commits.gpgSigned)!.signature).toMatchObject({
      status: 'unverifiable',
      signed: true,
      verified: false,
    });
    // ssh signatures carry their key: git checks the signature, but the
    // signer is in no allowed-signers file.
    expect(bySha.get(scenario.commits.sshSigned)!.signature).toMatchObject({
      status: 'good-unknown-validity',
      signed: true,
      signer: null,
    });
    expect(history.summary.verifiedCommits).toBe(1);
    const v11 = history.tags.find(t => t.name === 'v1.1')!;
    expect(v11.signature).toMatchObject({
      status: 'unverifiable',
      signed: true,
    });
  });

  it('verifies signatures with the keys it is given', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: PERIOD,
      env: scenario.env,
      config: scenario.config,
    });
    const bySha = new Map(history.commits.map(c => [c.sha, c]));
    expect(bySha.get(scenario.commits.gpgSigned)!.signature).toMatchObject({
      status: 'good',
      signed: true,
      verified: true,
      signer: 'Release Signer <signer@example.test>',
    });
    expect(bySha.get(scenario.commits.sshSigned)!.signature).toMatchObject({
      status: 'good',
      verified: true,
      signer: ALICE.email,
    });
    expect(bySha.get(scenario.commits.c1)!.signature.status).toBe('unsigned');

    expect(
      history.tags.map(t => [t.name, t.annotated, t.signature.status]),
    ).toEqual([
      ['light', false, 'unsigned'],
      ['v1.0', true, 'unsigned'],
      ['v1.1', true, 'good'],
    ]);
    expect(
      history.deployments.map(d => [d.ref, d.deployedBy.email, d.signature]),
    ).toEqual([
      ['refs/tags/v1.0', RELEASE_BOT.email, 'unsigned'],
      ['refs/tags/v1.1', RELEASE_BOT.email, 'good'],
      ['refs/deploy/prod', DEPLOY_BOT.email, 'unsigned'],
    ]);
    expect(history.deployments[0].commit).toBe(scenario.commits.sshSigned);
  });

  it('reads the history of another ref and refuses refs that name nothing', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: PERIOD,
      ref: 'feature-a',
    });
    expect(history.summary.commits).toBe(3);
    expect(history.summary.merges).toBe(0);
    await expect(
      readGitHistory(scenario.repo.dir, { period: PERIOD, ref: 'nope' }),
    ).rejects.toThrow("'nope' names no commit");
    await expect(
      readGitHistory(scenario.repo.dir, {
        period: PERIOD,
        ref: '--output=/tmp/x',
      }),
    ).rejects.toThrow('not a usable git ref');
  });

  it('narrows the period exactly, start included and end excluded', async () => {
    const history = await readGitHistory(scenario.repo.dir, {
      period: {
        start: new Date('2026-01-12T09:00:00Z'),
        end: new Date('2026-01-13T09:00:00Z'),
      },
    });
    expect(history.commits.map(c => c.sha)).toEqual([
      scenario.commits.b1,
      scenario.commits.mergeA,
    ]);
  });
});

describe('tagSignatureFrom', () => {
  it('reads gpg status lines', () => {
    expect(
      tagSignatureFrom(
        1,
        '[GNUPG:] NEWSIG\n[GNUPG:] BADSIG ABCD Someone <s@example.test>\n',
      ),
    ).toMatchObject({ status: 'bad', verified: false, key: 'ABCD' });
    expect(
      tagSignatureFrom(1, '[GNUPG:] ERRSIG ABCD 22 10 00 1700000000 9 -\n'),
    ).toMatchObject({ status: 'unverifiable', signed: true });
    expect(
      tagSignatureFrom(
        0,
        '[GNUPG:] GOODSIG ABCD Signer <s@example.test>\n[GNUPG:] VALIDSIG FFFF 2026\n[GNUPG:] TRUST_UNDEFINED 0 pgp\n',
      ),
    ).toEqual({
      status: 'good-unknown-validity',
      signed: true,
      verified: true,
      signer: 'Signer <s@example.test>',
      key: 'FFFF',
    });
  });
});
