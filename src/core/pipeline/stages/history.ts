/**
 * Stage 1, history: the commits to build from, oldest first, and which of them the chunk cache lacks.
 *
 *   run settings → History { order, timeOf, options, slice, missing }
 */
import type { CommitInfo } from '../../types';
import { emptyStats, type HistoryOptions, type HistoryStats } from '../../git/options';
import type { Run } from '../run';
import type { ResolvedSettings } from '../options';

export interface History {
  /** Commit hashes, oldest first. */
  order: string[];
  /** Committer time of each commit (temporal splits). */
  timeOf: Map<string, number>;
  /** The walk's options (re-reads and the chunk stage walk the same history). */
  options: HistoryOptions;
  /** The same as plain data, for chunk threads. */
  slice: SliceHistory;
  /** The commit before `order[0]` in the whole history, when `order` is a shard's part of it (its walks start there). */
  before?: string;
  /** Commits without a chunk cache entry, oldest first. */
  missing: string[];
  /** Commits the selection left out, by reason. */
  skipped: HistoryStats['commitsSkipped'];
}

/** The history the settings select; with `shard`, its part [from, to) only (checked against what the plan listed). */
export async function readHistory(run: Run, shard?: ShardRange): Promise<History> {
  const end = run.begin('history');
  // the commit the ref named when the run opened (or the plan pinned): every walk of this run reads the same history
  const slice = { ...sliceHistory(run.settings), ref: run.head };
  const options = { ...historyOptions(slice), maxCommits: run.settings.maxCommits ?? undefined };
  const stats = emptyStats();
  const listed = await run.repo.listCommits(options, stats);
  const whole = listed.map((c: CommitInfo) => c.hash).reverse();
  const order = shard ? shardOf(whole, shard) : whole;
  const missing = order.filter((h) => !run.cache.has(run.chunkNs, h));
  end({ commits: order.length, cached: order.length - missing.length, skipped_by_message: stats.commitsSkipped.message });
  run.log(`history: ${order.length} commits (${order.length - missing.length} cached)`);
  run.checkAbort();
  const before = shard && shard.from > 0 ? whole[shard.from - 1] : undefined;
  return { order, before, timeOf: new Map(listed.map((c: CommitInfo) => [c.hash, c.committer.timestamp])), options, slice, missing, skipped: stats.commitsSkipped };
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
  messageFilter: boolean;
  maxFileBytes: number;
  detectRenames: 'exact' | 'similarity';
}

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
    messageFilter: s.messageFilter,
    maxFileBytes: s.maxFileBytes,
    detectRenames: s.detectRenames,
  };
}

export function historyOptions(h: SliceHistory) {
  return { ...h, since: h.since ? new Date(h.since) : undefined, until: h.until ? new Date(h.until) : undefined };
}

/** A shard of a planned history: commits [from, to) of `total`, the first and last named (checked against the plan). */
export interface ShardRange {
  from: number;
  to: number;
  first: string;
  last: string;
  total: number;
}

function shardOf(order: string[], s: ShardRange): string[] {
  if (order.length !== s.total)
    throw new Error(`the history at the planned head lists ${order.length} commits, not the plan's ${s.total} (were the settings or the repository changed since the plan was made?)`);
  if (order[s.from] !== s.first || order[s.to - 1] !== s.last)
    throw new Error(`commits ${s.from} to ${s.to - 1} of the history are not the ones the plan names (${s.first.slice(0, 12)}…${s.last.slice(0, 12)}): make the plan again`);
  return order.slice(s.from, s.to);
}
