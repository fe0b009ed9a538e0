import { GitCommandError, runGit, type GitRunOptions } from './git';
import { checkRef } from './locations';

/** A period; `start` is included, `end` is not. */
export interface Period {
  start: Date;
  end: Date;
}

export interface GitPerson {
  name: string;
  email: string;
}

export interface GitStamp extends GitPerson {
  /** ISO 8601 as git wrote it (with the writer's offset). */
  date: string;
}

/**
 * git's signature check result (`%G?`), in words: `good` (G), `bad` (B),
 * `good-unknown-validity` (U), `good-expired-signature` (X),
 * `good-expired-key` (Y), `good-revoked-key` (R), `unverifiable` (E: signed,
 * but the key or the tool to check it is missing here), `unsigned` (N).
 */
export type SignatureStatus =
  | 'good'
  | 'bad'
  | 'good-unknown-validity'
  | 'good-expired-signature'
  | 'good-expired-key'
  | 'good-revoked-key'
  | 'unverifiable'
  | 'unsigned';

export interface SignatureInfo {
  status: SignatureStatus;
  /** Carries a signature, whatever its check said. */
  signed: boolean;
  /** The check said good (G or U). */
  verified: boolean;
  signer: string | null;
  key: string | null;
}

export interface Trailer {
  key: string;
  value: string;
}

export interface CommitRecord {
  sha: string;
  parents: string[];
  author: GitStamp;
  committer: GitStamp;
  subject: string;
  signature: SignatureInfo;
  /** `Reviewed-by:` and `Approved-by:` trailers. */
  trailers: Trailer[];
}

export type ReviewEvidence =
  | { kind: 'trailer'; key: string; value: string }
  | { kind: 'authored-by-others'; authors: GitPerson[] };

export interface MergeRecord {
  sha: string;
  parents: string[];
  /** The merge commit's author: who merged. */
  mergedBy: GitStamp;
  committer: GitStamp;
  subject: string;
  /** Commits the merge brought in (reachable from the other parents only). */
  branchCommits: number;
  branchAuthors: GitPerson[];
  reviewed: boolean;
  reviewEvidence: ReviewEvidence[];
}

export interface TagRecord {
  name: string;
  ref: string;
  annotated: boolean;
  /** The commit the tag names. */
  commit: string;
  tagger: GitStamp | null;
  /** Tagger date (annotated) or the commit's committer date (lightweight). */
  date: string;
  subject: string;
  signature: SignatureInfo;
}

export interface DeploymentRecord {
  ref: string;
  name: string;
  /** What was deployed. */
  commit: string;
  /** Who deployed it: the tagger. */
  deployedBy: GitStamp;
  signature: SignatureStatus;
}

export interface GitHistorySummary {
  commits: number;
  merges: number;
  reviewedMerges: number;
  signedCommits: number;
  verifiedCommits: number;
  tags: number;
  signedTags: number;
  deployments: number;
}

export interface GitHistory {
  ref: string;
  head: string;
  period: { start: string; end: string };
  summary: GitHistorySummary;
  commits: CommitRecord[];
  merges: MergeRecord[];
  tags: TagRecord[];
  deployments: DeploymentRecord[];
}

/** What each count means; copied into the evidence so it explains itself. */
export const GIT_DEFINITIONS = {
  commits:
    'Commits reachable from the ref whose committer date falls in the period (start included, end not).',
  merges: 'Those commits with two or more parents.',
  reviewedMerges:
    'Merges with a Reviewed-by: or Approved-by: trailer naming someone other than the merger (the merge commit author), ' +
    'or whose branch commits (reachable from the other parents, not the first) were all authored by people other than the merger. ' +
    'People are compared by e-mail address, case-insensitively, or by name where there is no address.',
  signedCommits:
    'Commits carrying a signature (git %G? other than N), whether or not it could be verified here; verifiedCommits counts those whose signature checked out ' +
    '(G: good by a trusted key or allowed ssh signer; U: good, signer not known as trusted here).',
  tags: 'Tags under refs/tags/ whose tagger date (annotated) or commit date (lightweight) falls in the period.',
  signedTags:
    'Those tags carrying a signature; its status comes from git verify-tag.',
  deployments:
    'Annotated tags under refs/tags/ and refs/deploy/ whose tagger date falls in the period: the tagger is who deployed, the tagged commit is what. ' +
    'Lightweight tags name no person and are not counted as deployments.',
} as const;

export interface ReadGitHistoryOptions {
  /** Branch or ref; default HEAD. */
  ref?: string;
  period: Period;
  signal?: AbortSignal;
  /** For signature checks: e.g. `{ GNUPGHOME }`. */
  env?: Record<string, string>;
  /** For signature checks: e.g. `{ 'gpg.ssh.allowedSignersFile': path }`. */
  config?: Record<string, string>;
}

const FS = '\x1f';
const RS = '\x1e';
const TRAILER_SEP = '\x1d';

const LOG_FORMAT = `%x1e${[
  '%H',
  '%P',
  '%an',
  '%ae',
  '%aI',
  '%cn',
  '%ce',
  '%cI',
  '%G?',
  '%GS',
  '%GK',
  '%s',
  '%(trailers:key=Reviewed-by,key=Approved-by,unfold,separator=%x1d)',
].join('%x1f')}`;

const TAG_FORMAT = `${[
  '%(refname)',
  '%(objecttype)',
  '%(objectname)',
  '%(*objectname)',
  '%(*objecttype)',
  '%(taggername)',
  '%(taggeremail)',
  '%(taggerdate:iso-strict)',
  '%(creatordate:iso-strict)',
  '%(contents:subject)',
  '%(contents:signature)',
].join('%1f')}%1e`;

const STATUS_BY_LETTER: Record<string, SignatureStatus> = {
  G: 'good',
  B: 'bad',
  U: 'good-unknown-validity',
  X: 'good-expired-signature',
  Y: 'good-expired-key',
  R: 'good-revoked-key',
  E: 'unverifiable',
  N: 'unsigned',
};

/**
 * Reads a repository's change history for a period with the real git: every
 * commit with its signature status and review trailers, merges and whether
 * each was reviewed, tags and their signatures, and deployments (see
 * {@link GIT_DEFINITIONS}). `dir` is a work tree or a bare repository.
 */
export async function readGitHistory(
  dir: string,
  options: ReadGitHistoryOptions,
): Promise<GitHistory> {
  const ref = checkRef(options.ref ?? 'HEAD');
  const git: GitRunOptions = {
    cwd: dir,
    signal: options.signal,
    env: options.env,
    config: await withSshSigners(dir, options),
  };
  const head = await resolveCommit(ref, git);
  const { period } = options;

  const commits = (await logCommits(head, period, git)).filter(c =>
    inPeriod(c.committer.date, period),
  );
  const merges: MergeRecord[] = [];
  for (const commit of commits.filter(c => c.parents.length > 1)) {
    merges.push(await describeMerge(commit, git));
  }
  const inPeriodRefs: TagRecord[] = [];
  for (const { record, object } of await listTagRefs(git)) {
    if (!inPeriod(record.date, period)) continue;
    if (record.signature.signed) {
      record.signature = await verifyTag(object, git);
    }
    inPeriodRefs.push(record);
  }
  const tags = inPeriodRefs
    .filter(r => r.ref.startsWith('refs/tags/'))
    .sort(byDateThenName);
  const deployments: DeploymentRecord[] = inPeriodRefs
    .filter(r => r.annotated && r.tagger)
    .sort(byDateThenName)
    .map(r => ({
      ref: r.ref,
      name: r.name,
      commit: r.commit,
      deployedBy: r.tagger!,
      signature: r.signature.status,
    }));

  return {
    ref,
    head,
    period: {
      start: period.start.toISOString(),
      end: period.end.toISOString(),
    },
    summary: {
      commits: commits.length,
      merges: merges.length,
      reviewedMerges: merges.filter(m => m.reviewed).length,
      signedCommits: commits.filter(c => c.signature.signed).length,
      verifiedCommits: commits.filter(c => c.signature.verified).length,
      tags: tags.length,
      signedTags: tags.filter(t => t.signature.signed).length,
      deployments: deployments.length,
    },
    commits,
    merges,
    tags,
    deployments,
  };
}

const SSH_SIGNERS = 'gpg.ssh.allowedSignersFile';

/**
 * Without an allowed-signers file git reports ssh-signed commits as unsigned
 * (N). When neither the options nor git's own config name one, an empty file
 * makes git check the signature itself: good but of unknown signer (U).
 */
async function withSshSigners(
  dir: string,
  options: ReadGitHistoryOptions,
): Promise<Record<string, string>> {
  const config = { ...options.config };
  if (config[SSH_SIGNERS]) return config;
  const { exitCode } = await runGit(['config', '--get', SSH_SIGNERS], {
    cwd: dir,
    env: options.env,
    signal: options.signal,
    okExitCodes: [1],
  });
  if (exitCode === 1) config[SSH_SIGNERS] = '/dev/null';
  return config;
}

async function resolveCommit(ref: string, git: GitRunOptions) {
  const { stdout, exitCode } = await runGit(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    { ...git, okExitCodes: [1] },
  );
  if (exitCode !== 0 || !stdout.trim()) {
    throw new Error(`'${ref}' names no commit in this repository`);
  }
  return stdout.trim();
}

async function logCommits(
  head: string,
  period: Period,
  git: GitRunOptions,
): Promise<CommitRecord[]> {
  // --since-as-filter (git 2.37+) visits the whole history instead of
  // stopping at the first old commit, so merged branches with older dates
  // are not lost; the exact period is applied again on the parsed dates.
  const range = [
    `--since-as-filter=${isoSeconds(new Date(period.start.getTime() - 1000))}`,
    `--until=${isoSeconds(new Date(period.end.getTime() + 1000))}`,
  ];
  const args = (dates: string[]) => [
    'log',
    ...dates,
    `--format=${LOG_FORMAT}`,
    '--end-of-options',
    head,
  ];
  let stdout: string;
  try {
    ({ stdout } = await runGit(args(range), git));
  } catch (error) {
    if (
      !(
        error instanceof GitCommandError && /since-as-filter/.test(error.stderr)
      )
    ) {
      throw error;
    }
    ({ stdout } = await runGit(args(range.slice(1)), git));
  }
  return stdout
    .split(RS)
    .slice(1)
    .map(record => {
      const f = record.replace(/\n+$/, '').split(FS);
      return {
        sha: f[0],
        parents: f[1] ? f[1].split(' ') : [],
        author: { name: f[2], email: f[3], date: f[4] },
        committer: { name: f[5], email: f[6], date: f[7] },
        signature: signatureOf(f[8], f[9], f[10]),
        subject: f[11],
        trailers: parseTrailers(f[12] ?? ''),
      };
    });
}

function signatureOf(
  letter: string,
  signer: string,
  key: string,
): SignatureInfo {
  const status = STATUS_BY_LETTER[letter] ?? 'unverifiable';
  return {
    status,
    signed: status !== 'unsigned',
    verified: status === 'good' || status === 'good-unknown-validity',
    signer: signer || null,
    key: key || null,
  };
}

function parseTrailers(raw: string): Trailer[] {
  return raw
    .split(TRAILER_SEP)
    .map(line => line.trim())
    .filter(Boolean)
    .map(line => {
      const at = line.indexOf(':');
      return {
        key: line.slice(0, at).trim(),
        value: line.slice(at + 1).trim(),
      };
    });
}

async function describeMerge(
  commit: CommitRecord,
  git: GitRunOptions,
): Promise<MergeRecord> {
  const [first, ...others] = commit.parents;
  const { stdout } = await runGit(
    ['log', '--format=%an%x1f%ae', ...others, `^${first}`],
    git,
  );
  const authors = stdout
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [name, email] = line.split(FS);
      return { name, email };
    });
  const merger = commit.author;
  const evidence: ReviewEvidence[] = commit.trailers
    .filter(t => !samePerson(personOfTrailer(t.value), merger))
    .map(t => ({ kind: 'trailer' as const, key: t.key, value: t.value }));
  const branchAuthors = uniquePeople(authors);
  if (
    authors.length > 0 &&
    authors.every(author => !samePerson(author, merger))
  ) {
    evidence.push({ kind: 'authored-by-others', authors: branchAuthors });
  }
  return {
    sha: commit.sha,
    parents: commit.parents,
    mergedBy: commit.author,
    committer: commit.committer,
    subject: commit.subject,
    branchCommits: authors.length,
    branchAuthors,
    reviewed: evidence.length > 0,
    reviewEvidence: evidence,
  };
}

function personOfTrailer(value: string): GitPerson {
  const match = /^(.*?)\s*<([^>]*)>\s*$/.exec(value);
  return match
    ? { name: match[1], email: match[2] }
    : { name: value, email: '' };
}

function samePerson(a: GitPerson, b: GitPerson): boolean {
  if (a.email && b.email) {
    return a.email.toLowerCase() === b.email.toLowerCase();
  }
  return a.name.trim().toLowerCase() === b.name.trim().toLowerCase();
}

function uniquePeople(people: GitPerson[]): GitPerson[] {
  const seen = new Map<string, GitPerson>();
  for (const person of people) {
    const key = (person.email || person.name).toLowerCase();
    if (!seen.has(key)) seen.set(key, person);
  }
  return [...seen.values()].sort((a, b) => a.email.localeCompare(b.email));
}

interface TagRef {
  record: TagRecord;
  /** The tag object (annotated) or commit (lightweight) the ref names. */
  object: string;
}

async function listTagRefs(git: GitRunOptions): Promise<TagRef[]> {
  const { stdout } = await runGit(
    ['for-each-ref', `--format=${TAG_FORMAT}`, 'refs/tags', 'refs/deploy'],
    git,
  );
  const refs: TagRef[] = [];
  for (const record of stdout.split(RS)) {
    const f = record.replace(/^\n/, '').split(FS);
    if (f.length < 11) continue;
    const [ref, type, object, peeled, peeledType] = f;
    const annotated = type === 'tag';
    if ((annotated ? peeledType : type) !== 'commit') continue;
    const signed = annotated && f[10].trim().length > 0;
    refs.push({
      object,
      record: {
        ref,
        name: ref.replace(/^refs\/(tags|deploy)\//, ''),
        annotated,
        commit: annotated ? peeled : object,
        tagger: annotated
          ? { name: f[5], email: f[6].replace(/^<|>$/g, ''), date: f[7] }
          : null,
        date: annotated ? f[7] : f[8],
        subject: annotated ? f[9] : '',
        signature: {
          status: signed ? 'unverifiable' : 'unsigned',
          signed,
          verified: false,
          signer: null,
          key: null,
        },
      },
    });
  }
  return refs;
}

/** `git verify-tag --raw`: gpg's status lines (or ssh-keygen's words). */
async function verifyTag(
  object: string,
  git: GitRunOptions,
): Promise<SignatureInfo> {
  const { stderr, exitCode } = await runGit(['verify-tag', '--raw', object], {
    ...git,
    okExitCodes: [1, 128],
  });
  return tagSignatureFrom(exitCode, stderr);
}

/** Reads `verify-tag --raw` output into the same words as `%G?`. */
export function tagSignatureFrom(
  exitCode: number,
  output: string,
): SignatureInfo {
  const line = (word: string) =>
    new RegExp(`^\\[GNUPG:\\] ${word} (.*)$`, 'm').exec(output)?.[1];
  let status: SignatureStatus;
  if (line('BADSIG') !== undefined) status = 'bad';
  else if (line('EXPKEYSIG') !== undefined) status = 'good-expired-key';
  else if (line('REVKEYSIG') !== undefined) status = 'good-revoked-key';
  else if (line('EXPSIG') !== undefined) status = 'good-expired-signature';
  else if (exitCode !== 0) status = 'unverifiable';
  else if (line('TRUST_(UNDEFINED|NEVER)') !== undefined) {
    status = 'good-unknown-validity';
  } else status = 'good';

  const good = line('GOODSIG');
  const ssh = /Good "git" signature for (.+?) with \S+ key (\S+)/.exec(output);
  const signer = good?.replace(/^\S+\s*/, '') || ssh?.[1] || null;
  const keyLine = [
    'VALIDSIG',
    'GOODSIG',
    'BADSIG',
    'EXPKEYSIG',
    'REVKEYSIG',
    'EXPSIG',
    'ERRSIG',
  ]
    .map(line)
    .find(found => found !== undefined);
  const key = keyLine?.split(' ')[0] || ssh?.[2] || null;
  return {
    status,
    signed: true,
    verified: status === 'good' || status === 'good-unknown-validity',
    signer,
    key,
  };
}

function inPeriod(date: string, period: Period): boolean {
  const at = Date.parse(date);
  return at >= period.start.getTime() && at < period.end.getTime();
}

function byDateThenName(a: TagRecord, b: TagRecord): number {
  return Date.parse(a.date) - Date.parse(b.date) || a.ref.localeCompare(b.ref);
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
