/**
 * The workspace's history as the extension shell shows it, read through the engine's history
 * stage (src/core/git). Until the command runs the whole pipeline, it lists every commit
 * reachable from HEAD (merges and bot commits included).
 */
import { openRepository } from '../core/git';

export interface CommitSummary {
  hash: string;
  subject: string;
  author: string;
  /** Seconds since the epoch (committer time). */
  timestamp: number;
}

export interface HistoryListing {
  /** Repository root (work tree). */
  root: string;
  /** Newest first. */
  commits: CommitSummary[];
}

/** Every commit reachable from HEAD, newest first (at most `limit`); a clear error outside a repository. */
export async function listCommits(dir: string, limit?: number): Promise<HistoryListing> {
  const repo = await openRepository(dir);
  try {
    if (repo.isEmpty) return { root: repo.dir, commits: [] };
    const infos = await repo.listCommits({ includeMerges: true, skipBots: false, limit: limit && limit > 0 ? limit : undefined });
    return {
      root: repo.dir,
      commits: infos.map((c) => ({ hash: c.hash, subject: c.subject, author: c.author.name, timestamp: c.committer.timestamp })),
    };
  } finally {
    repo.close();
  }
}
