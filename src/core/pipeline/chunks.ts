/**
 * The chunk stage's unit of work: one commit read from history → its chunks and file counts (chunkOne), then
 * its cache entry, cleaned and redacted (scrubEntry) by the thread that writes the cache. Knows nothing of
 * threads: ../threads/chunkThreads runs chunkOne over commit slices on worker threads.
 */
import type { ChunkRecord, CommitInfo, CommitRecord, RepoReader, SkipReason } from '../types';
import type { createChunker } from '../chunk/index';
import type { RedactionKind } from '../dataset/redact';
import { scrubCommit, type ScrubSettings } from '../dataset/scrub';
import type { ResolvedSettings } from './options';

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

/** History options as plain data (dates as ISO strings) so they cross to a worker. */
export interface SliceHistory {
  ref: string;
  since?: string;
  until?: string;
  include?: string[];
  exclude?: string[];
  languages?: string[];
  includeMerges: boolean;
  skipBots: boolean;
  maxFileBytes: number;
  detectRenames: 'exact' | 'similarity';
}

/** The settings a commit's chunks depend on (`fileTimeout`: seconds one file may take, ChunkOptions.fileBudgetMs). */
export const CHUNK_SETTING_KEYS = ['maxChunkChars', 'contextLines', 'snippetTokens', 'contextTokens', 'context', 'redact', 'keepAuthorEmails', 'fileTimeout'] as const;

export type ChunkSettings = Pick<ResolvedSettings, (typeof CHUNK_SETTING_KEYS)[number]> & ScrubSettings;

/** History options as plain data, from the resolved settings (no commit limit: slices and re-reads name their range). */
export function sliceHistory(s: ResolvedSettings): SliceHistory {
  return {
    ref: s.ref,
    since: s.since ?? undefined,
    until: s.until ?? undefined,
    include: s.include.length ? s.include : undefined,
    exclude: s.exclude.length ? s.exclude : undefined,
    languages: s.languages.length ? s.languages : undefined,
    includeMerges: s.includeMerges,
    skipBots: s.skipBots,
    maxFileBytes: s.maxFileBytes,
    detectRenames: s.detectRenames,
  };
}

/**
 * Parsed-file analyses kept by a build's chunker (LRU; a pure cache, the output does not depend on it).
 * The chunker's default (4096) holds hundreds of MiB of analyses on tokio; 1024 keeps the hits that
 * matter (the next commit touching a file) — tokio 1,500 commits: peak RSS 894 vs 999 MiB, chunks 18.1 vs 19.5 s.
 */
const ANALYSIS_CACHE_ENTRIES = 1024;

export function chunkerOptions(s: ChunkSettings, count: (text: string, limit?: number) => number) {
  return { maxChunkChars: s.maxChunkChars, contextLines: s.contextLines, snippetTokens: s.snippetTokens, contextTokens: s.contextTokens, countTokens: count, context: s.context, cacheEntries: ANALYSIS_CACHE_ENTRIES, fileBudgetMs: s.fileTimeout * 1000 };
}

export function historyOptions(h: SliceHistory) {
  return { ...h, since: h.since ? new Date(h.since) : undefined, until: h.until ? new Date(h.until) : undefined };
}

type Chunker = Awaited<ReturnType<typeof createChunker>>;

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
    commit: s.commit, message: s.message, chunks: s.chunks, redactions: s.redactions, redacted: s.redacted,
    files: c.files, skips: c.skips, languages: c.languages, changedBytes: c.changedBytes,
    ...(s.timeouts.length ? { timeouts: s.timeouts } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
}
