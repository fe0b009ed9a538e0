/**
 * One repository with a known week of changes, built with the real git, for
 * the change-management tests. Only tests import this file.
 */
import { join } from 'node:path';
import {
  GitFixture,
  throwawayGpgKey,
  throwawaySshKey,
  type Who,
} from './gitFixture';

export const ALICE: Who = { name: 'Alice Author', email: 'alice@example.test' };
export const BOB: Who = { name: 'Bob Builder', email: 'bob@example.test' };
export const DAVE: Who = { name: 'Dave Solo', email: 'dave@example.test' };
export const RELEASE_BOT: Who = {
  name: 'Release Bot',
  email: 'release@example.test',
};
export const DEPLOY_BOT: Who = {
  name: 'Deploy Bot',
  email: 'deploy@example.test',
};

/** The week the scenario's counts are about. */
export const PERIOD = {
  start: new Date('2026-01-10T00:00:00Z'),
  end: new Date('2026-01-17T00:00:00Z'),
};

/** What the scenario holds inside {@link PERIOD}. */
export const EXPECTED_SUMMARY = {
  commits: 12,
  merges: 4,
  reviewedMerges: 2,
  signedCommits: 2,
  verifiedCommits: 2,
  tags: 3,
  signedTags: 1,
  deployments: 3,
};

export interface Scenario {
  repo: GitFixture;
  /** For reading signatures: `GNUPGHOME`. */
  env: Record<string, string>;
  /** For reading signatures: the ssh allowed-signers file. */
  config: Record<string, string>;
  commits: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Builds the scenario in `dir/repo`, with a throwaway gpg key (in
 * `dir/gnupg`) and ssh key (in `dir`) for the signed commits and tag:
 *
 * - outside the period: `initial` (Jan 1), tag `v0.9` (Jan 2), `late` (Jan 18)
 * - merge of `feature-a` (Bob's two commits) by Alice: reviewed, other authors
 * - merge of `feature-b` (Alice's) by Alice with `Reviewed-by: Carol`: reviewed
 * - merge of `feature-c` (Alice's) by Alice: not reviewed
 * - merge of `feature-d` (Dave's) by Dave with `Approved-by: Dave` (his own,
 *   address in capitals): not reviewed
 * - a gpg-signed and an ssh-signed commit
 * - tags in the period: `v1.0` (annotated), `light` (lightweight), `v1.1`
 *   (annotated, gpg-signed); `refs/deploy/prod` (annotated, by Deploy Bot)
 */
export async function buildScenario(dir: string): Promise<Scenario> {
  const gpg = await throwawayGpgKey(join(dir, 'gnupg'));
  if (!gpg) throw new Error('gpg is not installed');
  const ssh = await throwawaySshKey(dir, ALICE.email);
  const env = { GNUPGHOME: gpg.home };
  const repo = await GitFixture.init(join(dir, 'repo'), { env });
  const commits: Record<string, string> = {};

  commits.initial = await repo.commit('initial', ALICE, '2026-01-01T09:00:00Z');
  await repo.git(
    ['tag', '-a', 'v0.9', '-m', 'release 0.9'],
    GitFixture.as(RELEASE_BOT, '2026-01-02T09:00:00Z'),
  );
  commits.c1 = await repo.commit('main work', ALICE, '2026-01-11T09:00:00Z');

  await repo.git(['checkout', '--quiet', '-b', 'feature-a']);
  commits.a1 = await repo.commit('a one', BOB, '2026-01-11T10:00:00Z');
  commits.a2 = await repo.commit('a two', BOB, '2026-01-11T11:00:00Z');
  await repo.git(['checkout', '--quiet', 'main']);
  commits.mergeA = await repo.merge(
    'feature-a',
    'Merge feature-a',
    ALICE,
    '2026-01-12T09:00:00Z',
  );

  await repo.git(['checkout', '--quiet', '-b', 'feature-b']);
  commits.b1 = await repo.commit('b one', ALICE, '2026-01-12T12:00:00Z');
  await repo.git(['checkout', '--quiet', 'main']);
  commits.mergeB = await repo.merge(
    'feature-b',
    'Merge feature-b\n\nReviewed-by: Carol Checker <carol@example.test>',
    ALICE,
    '2026-01-13T09:00:00Z',
  );

  await repo.git(['checkout', '--quiet', '-b', 'feature-c']);
  commits.c5 = await repo.commit('c one', ALICE, '2026-01-13T12:00:00Z');
  await repo.git(['checkout', '--quiet', 'main']);
  commits.mergeC = await repo.merge(
    'feature-c',
    'Merge feature-c',
    ALICE,
    '2026-01-14T09:00:00Z',
  );

  await repo.git(['checkout', '--quiet', '-b', 'feature-d']);
  commits.d1 = await repo.commit('d one', DAVE, '2026-01-14T10:00:00Z');
  await repo.git(['checkout', '--quiet', 'main']);
  commits.mergeD = await repo.merge(
    'feature-d',
    'Merge feature-d\n\nApproved-by: Dave Solo <DAVE@example.test>',
    DAVE,
    '2026-01-14T12:00:00Z',
  );

  commits.gpgSigned = await repo.commit(
    'signed with gpg',
    ALICE,
    '2026-01-15T09:00:00Z',
    { sign: [`-S${gpg.fingerprint}`] },
  );
  await repo.git(['config', 'gpg.format', 'ssh']);
  await repo.git(['config', 'user.signingkey', ssh.key]);
  commits.sshSigned = await repo.commit(
    'signed with ssh',
    ALICE,
    '2026-01-15T10:00:00Z',
    { sign: ['-S'] },
  );
  await repo.git(['config', '--unset', 'gpg.format']);
  await repo.git(['config', '--unset', 'user.signingkey']);

  await repo.git(
    ['tag', '-a', 'v1.0', '-m', 'release 1.0'],
    GitFixture.as(RELEASE_BOT, '2026-01-15T12:00:00Z'),
  );
  await repo.git(['tag', 'light']);
  await repo.git(
    ['tag', '-s', '-u', gpg.fingerprint, 'v1.1', '-m', 'release 1.1'],
    GitFixture.as(RELEASE_BOT, '2026-01-16T09:00:00Z'),
  );
  await repo.git(
    ['tag', '-a', 'prod-deploy', '-m', 'deploy to prod'],
    GitFixture.as(DEPLOY_BOT, '2026-01-16T12:00:00Z'),
  );
  await repo.git(['update-ref', 'refs/deploy/prod', 'refs/tags/prod-deploy']);
  await repo.git(['tag', '-d', 'prod-deploy']);

  commits.late = await repo.commit('late', ALICE, '2026-01-18T09:00:00Z');

  return {
    repo,
    env,
    config: { 'gpg.ssh.allowedSignersFile': ssh.allowedSigners },
    commits,
    stop: gpg.stop,
  };
}
