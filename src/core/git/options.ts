/** Options and statistics of a history run. */
import type { ChangeType, SkipReason } from '../types';

export interface HistoryOptions {
  /** Branch, tag, full or abbreviated commit hash. Default 'HEAD'. */
  ref?: string;
  /** Only commits whose committer date is at or after `since` / at or before `until`. */
  since?: Date;
  until?: Date;
  /** The newest N commits (after the other filters), still streamed oldest first. */
  maxCommits?: number;
  /** Path globs (see glob.ts). Files outside are listed with skip 'excluded-path'. */
  include?: string[];
  exclude?: string[];
  /** Language ids (see languageOf). Other files are listed with skip 'excluded-language'. */
  languages?: string[];
  /** Default false (merges are skipped); true = a merge is diffed against its first parent. */
  includeMerges?: boolean;
  /** Default true: skip commits whose author name or email contains "[bot]" or "bot@". */
  skipBots?: boolean;
  /** Default false: keep only commits whose subject passes hygiene/message.ts goodMessage (CommitPackFT style). */
  messageFilter?: boolean;
  /** Default DEFAULT_MAX_FILE_BYTES (1 MB, The Stack's limit). */
  maxFileBytes?: number;
  /** Incremental: only commits reachable from `ref` and not from this commit (`sinceCommit..ref`). */
  sinceCommit?: string;
  /**
   * Default 'exact' (renames by identical blob oid; edited renames are delete + add).
   * 'similarity': also a deleted and an added text file of the same commit that are at least 50%
   * similar (git's default `-M` scoring on line chunks) are listed as one rename.
   */
  detectRenames?: 'exact' | 'similarity';
}

export const DEFAULT_MAX_FILE_BYTES = 1_000_000;

export interface HistoryStats {
  /** Commits selected by ref / sinceCommit / dates before the merge, bot and maxCommits filters. */
  commitsSeen: number;
  commitsYielded: number;
  commitsSkipped: { merges: number; bots: number; message: number; maxCommits: number };
  /** Commits yielded with `error` (missing or corrupt tree/commit objects). */
  commitErrors: number;
  files: Record<ChangeType, number>;
  /** Files whose contents were not decoded, by reason. */
  skips: Partial<Record<SkipReason, number>>;
  /** Blob objects actually read (inflated), and blob requests answered from the cache. */
  blobsRead: number;
  blobCacheHits: number;
  treesRead: number;
  /** UTF-8 bytes of text handed out in FileChange.oldText/newText. */
  textBytes: number;
  elapsedMs: number;
}

export function emptyStats(): HistoryStats {
  return {
    commitsSeen: 0,
    commitsYielded: 0,
    commitsSkipped: { merges: 0, bots: 0, message: 0, maxCommits: 0 },
    commitErrors: 0,
    files: { added: 0, modified: 0, deleted: 0, renamed: 0 },
    skips: {},
    blobsRead: 0,
    blobCacheHits: 0,
    treesRead: 0,
    textBytes: 0,
    elapsedMs: 0,
  };
}

export function isBotAuthor(name: string, email: string): boolean {
  const s = `${name}\n${email}`.toLowerCase();
  return s.includes('[bot]') || s.includes('bot@');
}
