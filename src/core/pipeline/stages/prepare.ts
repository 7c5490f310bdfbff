/**
 * Stage 3, prepare: each commit's entry (already scrubbed where it was chunked: message cleaned, secrets
 * redacted) → exact dedup, the commit's token job and its commits.jsonl row, in commit order.
 *
 *   ChunkStage.take(hash) → Prepared (into the token stage's queue); CommitPreparer keeps the rows and tallies
 *
 * Its output depends only on the order of the commits.
 */
import type { CommitCacheEntry, ChunkStage } from './chunk';
import type { ResolvedSettings } from '../options';
import type { BoundedQueue } from '../queue';
import type { Run } from '../run';
import type { SpillRef, SpillStore } from '../spill';
import { exactKey, type SplitName } from '../../examples/dedup';
import type { CommitRow } from '../../dataset/model';
import { sha256 } from '../../dataset/output';

/** A commit's token job: what the token pass needs of it. */
export interface PreparedJob {
  split: SplitName;
  /** JSON of { commit, chunks }: the redacted commit and its chunks that survived exact dedup. */
  job: string;
  /** sha256 of the job: validates the commit's token cache entry. */
  key: string;
  /** [start, end) of each chunk's JSON within the job: its chunks.jsonl row is that JSON with three more keys. */
  spans: number[];
  /** Redactions made in each chunk. */
  redactions: number[];
}

/** Counts of a run's prepared commits, for stats.json and chunking_stats.json. */
export interface PrepareTally {
  chunks: number;
  splitChunks: number;
  contextItems: number;
  exactDupes: number;
  changedBytes: number;
  filesChanged: number;
  commitErrors: number;
  languages: Record<string, number>;
  kinds: Record<string, number>;
  skips: Record<string, number>;
  fileLanguages: Record<string, number>;
  /** Redactions by kind. */
  redactions: Record<string, number>;
}

export class CommitPreparer {
  /** commits.jsonl rows, in the order commits were prepared. */
  readonly rows: CommitRow[] = [];
  readonly tally: PrepareTally = {
    chunks: 0,
    splitChunks: 0,
    contextItems: 0,
    exactDupes: 0,
    changedBytes: 0,
    filesChanged: 0,
    commitErrors: 0,
    languages: {},
    kinds: {},
    skips: {},
    fileLanguages: {},
    redactions: {},
  };
  private readonly seenExact = new Set<string>();
  /** The repository whose commits are being prepared (its name in the rows). */
  repo = '';

  constructor(
    private readonly settings: ResolvedSettings,
    private readonly splitOf: Map<string, SplitName>,
  ) {}

  prepare(h: string, e: CommitCacheEntry): PreparedJob {
    const { settings, tally } = this;
    for (const [k, v] of Object.entries(e.skips)) tally.skips[k] = (tally.skips[k] ?? 0) + (v ?? 0);
    for (const [k, v] of Object.entries(e.languages)) tally.fileLanguages[k] = (tally.fileLanguages[k] ?? 0) + v;
    for (const [k, v] of Object.entries(e.redacted)) tally.redactions[k] = (tally.redactions[k] ?? 0) + (v ?? 0);
    tally.changedBytes += e.changedBytes;
    tally.filesChanged += e.files;
    if (e.error) tally.commitErrors++;
    const { commit, message } = e;
    // = JSON.stringify({ commit, chunks }), each redacted chunk's JSON made once (the job, the key, its row)
    let job = `{"commit":${JSON.stringify(commit)},"chunks":[`;
    const spans: number[] = [];
    const redactions: number[] = [];
    for (let i = 0; i < e.chunks.length; i++) {
      const r = e.chunks[i];
      if (settings.dedup) {
        const k = exactKey(r.oldCode, r.newCode);
        if (this.seenExact.has(k)) {
          tally.exactDupes++;
          continue;
        }
        this.seenExact.add(k);
      }
      if (spans.length) job += ',';
      spans.push(job.length);
      job += JSON.stringify(r);
      spans.push(job.length);
      redactions.push(e.redactions[i]);
      tally.chunks++;
      const language = r.language ?? 'unknown';
      tally.languages[language] = (tally.languages[language] ?? 0) + 1;
      tally.kinds[r.kind] = (tally.kinds[r.kind] ?? 0) + 1;
      if (r.split) tally.splitChunks++;
      tally.contextItems += r.context.length;
    }
    job += ']}';
    const split = this.splitOf.get(h)!;
    this.rows.push({
      hash: h,
      repo: this.repo,
      parents: commit.parents,
      author: { name: commit.author.name, email: commit.author.email, timestamp: commit.author.timestamp, timezoneOffset: commit.author.timezoneOffset },
      committer_time: commit.committer.timestamp,
      subject: commit.subject,
      message,
      split,
      files_changed: e.files,
      num_chunks: spans.length / 2,
      ...(e.error ? { error: e.error } : {}),
    });
    return { split, job, key: sha256(job), spans, redactions };
  }
}

/** A commit ready for tokens: its job (JSON of { commit, chunks }), spilled while chunking runs. */
export interface Prepared extends Omit<PreparedJob, 'job'> {
  h: string;
  job: string | SpillRef;
}

/**
 * The prepare pass: every commit of `order` from the chunk stage into `queue` (which fails with the pass's error).
 * While chunking runs it follows right behind it on this otherwise idle thread, far ahead of the token pass: the
 * jobs it makes meanwhile wait in the spill file.
 */
export async function preparePass(run: Run, order: string[], chunks: ChunkStage, preparer: CommitPreparer, queue: BoundedQueue<Prepared>, spill: SpillStore): Promise<void> {
  try {
    for (const h of order) {
      run.checkAbort();
      const p = preparer.prepare(h, await chunks.take(h));
      await queue.push({ h, ...p, job: chunks.running ? spill.put(p.job) : p.job });
    }
  } catch (e) {
    queue.fail(e);
    throw e;
  }
}
