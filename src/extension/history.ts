/**
 * Thin read of the workspace's history for the extension shell, straight through isomorphic-git.
 * The real history engine lives in src/core/git (issue 3); this file goes away when the command
 * calls the pipeline.
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';

export interface CommitSummary {
  hash: string;
  subject: string;
  author: string;
  /** Seconds since the epoch (committer time). */
  timestamp: number;
}

/** Finds the repository root at or above `dir`; a clear error when there is none. */
export async function findRepositoryRoot(dir: string): Promise<string> {
  try {
    return await git.findRoot({ fs, filepath: dir });
  } catch {
    throw new Error(`"${dir}" is not inside a git repository.`);
  }
}

/**
 * Every commit reachable from HEAD (all parents, newest first), up to `limit` when given.
 * An empty repository (no commit yet) gives an empty list.
 */
export async function listCommits(dir: string, limit?: number): Promise<CommitSummary[]> {
  let entries;
  try {
    entries = await git.log({ fs, dir, ref: 'HEAD', depth: limit && limit > 0 ? limit : undefined });
  } catch (err) {
    if (err instanceof Error && (err as { code?: string }).code === 'NotFoundError') return [];
    throw err;
  }
  return entries.map((e) => ({
    hash: e.oid,
    subject: e.commit.message.split('\n', 1)[0] ?? '',
    author: e.commit.author.name,
    timestamp: e.commit.committer.timestamp,
  }));
}
