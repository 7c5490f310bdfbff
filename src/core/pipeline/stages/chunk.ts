/**
 * Stage 2, chunks (with their cross-file context): every commit the cache lacks, read from history and cut into
 * chunks, its cache entry cleaned and redacted by the thread that writes the cache; then each commit's entry, in
 * commit order, for the prepare pass.
 *
 *   History.missing → cache entries;  take(hash) → CommitCacheEntry (waits while that commit is being chunked)
 *
 * Its unit of work is chunkOne (one commit → its chunks and file counts) then scrubEntry. The stage knows nothing
 * of threads: the orchestrator may hand it an offload (the executor's chunk threads, which run chunkOne over
 * commit slices and post each commit); what is left, it chunks here.
 */
import type { ChunkRecord, CommitInfo, CommitRecord, RepoReader, SkipReason } from '../../types';
import { createChunker } from '../../chunk/index';
import type { RedactionKind } from '../../hygiene/redact';
import { scrubCommit, type ScrubSettings } from '../../hygiene/scrub';
import { openRepository } from '../../git/index';
import type { ResolvedSettings } from '../options';
import { Arrivals } from '../queue';
import { settingsOf, type OptionsOf } from '../schema';
import { pick, type Repository, type Run } from '../run';
import type { History } from './history';
export { historyOptions, type SliceHistory } from './history';

/** A commit's chunk-cache entry: its scrubbed commit and chunks plus the file counts the stats need. */
export interface CommitCacheEntry {
  /** The commit, message cleaned and redacted (see scrubCommit). */
  commit: CommitInfo;
  /** The cleaned, redacted message ('' when trivial). */
  message: string;
  chunks: ChunkRecord[];
  /** Redactions in each chunk (same order as `chunks`). */
  redactions: number[];
  /** Redactions of the commit by kind. */
  redacted: Partial<Record<RedactionKind, number>>;
  files: number;
  skips: Partial<Record<SkipReason, number>>;
  languages: Record<string, number>;
  changedBytes: number;
  /** Paths (redacted) of the files over the per-file time budget: the log names them on every build. */
  timeouts?: string[];
  error?: string;
}

/** Is a value read from the cache a whole entry of commit `hash`? (A damaged or foreign one is chunked again.) */
export function isEntryOf(hash: string): (v: CommitCacheEntry) => boolean {
  return (v) => v.commit?.hash === hash && Array.isArray(v.chunks) && Array.isArray(v.redactions) && v.redactions.length === v.chunks.length && typeof v.message === 'string';
}

/**
 * The settings a commit's chunks depend on (`fileTimeout`: seconds one file may take, ChunkOptions.fileBudgetMs;
 * `maxFileBytes`: a file of the tree larger than the history reads is not context either).
 */
export const CHUNK_SETTING_KEYS = [...settingsOf('chunks'), 'maxFileBytes' as const];

export type ChunkSettings = Pick<ResolvedSettings, OptionsOf<'chunks'> | 'maxFileBytes'> & ScrubSettings;

/**
 * Parsed-file analyses kept by a build's chunker (LRU; a pure cache, the output does not depend on it): fewer
 * than the chunker's default (4096) keep the hits that matter (the next commit touching a file) at a lower peak
 * memory (README, Benchmarks).
 */
const ANALYSIS_CACHE_ENTRIES = 1024;

export function chunkerOptions(s: ChunkSettings, count: (text: string, limit?: number) => number) {
  return {
    maxChunkChars: s.maxChunkChars,
    contextLines: s.contextLines,
    snippetTokens: s.snippetTokens,
    contextTokens: s.contextTokens,
    countTokens: count,
    context: s.context,
    cacheEntries: ANALYSIS_CACHE_ENTRIES,
    fileBudgetMs: s.fileTimeout * 1000,
    maxFileBytes: s.maxFileBytes,
  };
}

/** One commit as the chunk stage makes it, before hygiene: never cached, never logged (see scrubEntry). */
export interface ChunkedCommit {
  commit: CommitInfo;
  chunks: ChunkRecord[];
  files: number;
  skips: Partial<Record<SkipReason, number>>;
  languages: Record<string, number>;
  changedBytes: number;
  /** Paths of the files over the per-file time budget. */
  timeouts: string[];
  error?: string;
}

/** One commit's chunks plus the file counts the stats need. */
export async function chunkOne(chunker: Chunker, rec: CommitRecord, repo: RepoReader): Promise<ChunkedCommit> {
  const chunks: ChunkRecord[] = rec.error ? [] : await chunker.chunkCommit(rec, repo);
  // counted after chunking: a file over its time budget has the skip reason `timeout` now
  const skips: Partial<Record<SkipReason, number>> = {};
  const languages: Record<string, number> = {};
  const timeouts: string[] = [];
  let changedBytes = 0;
  for (const f of rec.files) {
    if (f.skip) skips[f.skip] = (skips[f.skip] ?? 0) + 1;
    if (f.skip === 'timeout') timeouts.push(f.path);
    if (f.language) languages[f.language] = (languages[f.language] ?? 0) + 1;
    changedBytes += (f.newText?.length ?? 0) + (f.oldText?.length ?? 0);
  }
  return { commit: rec.commit, chunks, files: rec.files.length, skips, languages, changedBytes, timeouts, ...(rec.error ? { error: rec.error } : {}) };
}

/**
 * The cache entry of a chunked commit: its message cleaned and every string redacted (scrubCommit). Done by the
 * thread that writes the cache, right before it does, so that nothing unredacted is ever stored; on chunk
 * threads that is the pipeline thread, beside them, not the chunk thread itself.
 */
export function scrubEntry(c: ChunkedCommit, settings: ScrubSettings): CommitCacheEntry {
  const s = scrubCommit(c.commit, c.chunks, c.error, settings, c.timeouts);
  return {
    commit: s.commit,
    message: s.message,
    chunks: s.chunks,
    redactions: s.redactions,
    redacted: s.redacted,
    files: c.files,
    skips: c.skips,
    languages: c.languages,
    changedBytes: c.changedBytes,
    ...(s.timeouts.length ? { timeouts: s.timeouts } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
}

type Chunker = Awaited<ReturnType<typeof createChunker>>;

/**
 * Chunks `missing` elsewhere (the executor's chunk threads) and posts each commit as JSON (a ChunkedCommit, not
 * yet scrubbed); resolves with the files found stuck (`commit\0path`), which the stage then skips.
 */
export type ChunkOffload = (missing: string[], settings: ChunkSettings, onEntry: (hash: string, json: string) => void, signal: AbortSignal) => Promise<string[]>;

export class ChunkStage {
  /** Settles once every missing commit was chunked (or failed with the stage's error). */
  readonly done: Promise<void>;
  /** Commits chunked by this run. */
  processed = 0;
  readonly settings: ChunkSettings;
  private readonly arrivals = new Arrivals<string>();
  /** Commits a chunk thread posted that take() has not taken yet: it scrubs them and writes their cache entries. */
  private readonly posted = new Map<string, string>();
  /** Entries kept in memory: only when there is no cache to reload them from. */
  private readonly entries = new Map<string, CommitCacheEntry>();
  private readonly toChunk: Set<string>;
  private chunker: Chunker | null = null;
  private rechunker: { repo: Repository; chunker: Chunker } | null = null;

  /** Starts chunking at once; `signal` stops it (the run failed or was cancelled). */
  constructor(
    private readonly run: Run,
    private readonly history: History,
    offload: ChunkOffload | undefined,
    signal: AbortSignal,
  ) {
    this.settings = pick(run.settings, [...CHUNK_SETTING_KEYS]);
    this.toChunk = new Set(history.missing);
    this.done = this.chunkAll(offload, signal).catch((e: unknown) => {
      this.arrivals.fail(e);
      throw e;
    });
    this.done.catch(() => undefined); // awaited by the orchestrator; never an unhandled rejection meanwhile
  }

  /** True while commits are being chunked. */
  get running(): boolean {
    return this.arrivals.open;
  }

  private async chunkAll(offload: ChunkOffload | undefined, signal: AbortSignal): Promise<void> {
    const { run, history } = this;
    const end = run.begin('chunks', history.missing.length);
    let missing = history.missing;
    let stuck = new Set<string>();
    if (offload && missing.length) {
      const posted = (h: string, json: string) => {
        this.posted.set(h, json);
        this.arrived(h);
      };
      stuck = new Set(await offload(missing, this.settings, posted, signal).catch((e: unknown) => (run.checkAbort(signal), Promise.reject(e))));
      run.checkAbort(signal);
      missing = missing.filter((h) => !this.arrivals.has(h));
      if (missing.length) run.log(`chunks: ${missing.length} commits left to the main thread (a chunk thread ran out of heap)`);
    }
    if (missing.length) await this.chunkHere(missing, stuck, signal);
    end({ processed: this.processed, cached: history.order.length - this.processed });
    run.log(`chunks: processed ${this.processed} commits, reused ${history.order.length - this.processed} from the cache`);
    // history is not read again: its caches (blob ring, trees, delta bases, parsed commits) go now
    run.repo.close();
    this.arrivals.end();
  }

  /** Chunks `missing` on this thread, walking history once (from the last cached commit when only a suffix is missing). */
  private async chunkHere(missing: string[], stuck: Set<string>, signal: AbortSignal): Promise<void> {
    const { run, history } = this;
    const chunker = (this.chunker = await createChunker({ ...chunkerOptions(this.settings, run.countTokens), skipFile: (commit, path) => stuck.has(`${commit}\0${path}`) }));
    const wanted = new Set(missing);
    const first = history.order.indexOf(missing[0]);
    const suffix = missing.length === history.order.length - first;
    const sinceCommit = !suffix ? undefined : first > 0 ? history.order[first - 1] : history.before;
    for await (const rec of run.repo.history({ ...history.options, sinceCommit }, signal) as AsyncIterable<CommitRecord>) {
      run.checkAbort(signal);
      if (!wanted.has(rec.commit.hash)) continue;
      const entry = scrubEntry(await chunkOne(chunker, rec, run.repo), this.settings);
      run.cache.put(run.chunkNs, rec.commit.hash, entry);
      if (!run.cache.enabled) this.entries.set(rec.commit.hash, entry);
      this.arrived(rec.commit.hash);
    }
    chunker.dispose();
    this.chunker = null;
  }

  private arrived(h: string): void {
    this.processed++;
    this.arrivals.arrive(h);
    this.run.progress('chunks', this.processed, this.history.missing.length);
  }

  /** Commit `h`'s entry (in commit order): waits while it is being chunked; a damaged or missing one is chunked again. */
  async take(h: string): Promise<CommitCacheEntry> {
    const { run } = this;
    if (this.running) {
      // behind the chunk threads: wait for this commit's entry; let their messages in between commits
      if (this.toChunk.has(h)) await this.arrivals.wait(h);
      await new Promise(setImmediate);
      run.checkAbort();
    }
    const json = this.posted.get(h);
    let e: CommitCacheEntry | undefined;
    if (json !== undefined) {
      // a chunk thread's commit: scrubbed here, then cached
      e = scrubEntry(JSON.parse(json) as ChunkedCommit, this.settings);
      run.cache.put(run.chunkNs, h, e);
    } else e = this.entries.get(h) ?? run.cache.get<CommitCacheEntry>(run.chunkNs, h, isEntryOf(h)) ?? (await this.rechunk(h));
    this.posted.delete(h);
    this.entries.delete(h);
    for (const f of e.timeouts ?? []) run.log(`chunks: ${f} at ${h.slice(0, 12)} took longer than ${run.settings.fileTimeout} s (--file-timeout); skipped (timeout)`);
    return e;
  }

  /**
   * A cache entry that is damaged (it does not parse, fails its checksum or is not this commit's) is not trusted:
   * the commit is chunked again, alone, by a reader and chunker of its own (same output: a commit's chunks depend
   * on the commit and the repository only).
   */
  private async rechunk(h: string): Promise<CommitCacheEntry> {
    const { run, history } = this;
    run.log(`cache: the entry of commit ${h.slice(0, 12)} is damaged or missing; chunking the commit again`);
    this.rechunker ??= {
      repo: await openRepository(run.repoDir, { allowMissingObjects: run.settings.allowMissingObjects }),
      chunker: await createChunker(chunkerOptions(this.settings, run.countTokens)),
    };
    const { repo, chunker } = this.rechunker;
    const i = history.order.indexOf(h);
    for await (const rec of repo.history({ ...history.options, ref: h, sinceCommit: i > 0 ? history.order[i - 1] : history.before }, run.signal) as AsyncIterable<CommitRecord>) {
      if (rec.commit.hash !== h) continue;
      const entry = scrubEntry(await chunkOne(chunker, rec, repo), this.settings);
      run.cache.put(run.chunkNs, h, entry);
      return entry;
    }
    throw new Error(`commit ${h} is listed by history but could not be read again`);
  }

  dispose(): void {
    this.chunker?.dispose();
    this.rechunker?.chunker.dispose();
    this.rechunker?.repo.close();
  }
}
