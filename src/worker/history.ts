/** History requests: pages of commits, the changed files of one commit, a blob at a commit. */
import { matchesPathFilter } from '../core/git';
import type { CommitPage, FileSummary } from './protocol';
import { repositoryAt, treeOf } from './engine';

/** A filtered page looks at no more than this many commits (tree diffs only), so a rare match cannot stall the view. */
export const FILTER_SCAN = 2000;

/**
 * One page of commits, newest first; the first page reopens the repository so new commits show. With a filter,
 * only commits that changed a matching path, looking at up to FILTER_SCAN commits from `skip` (`next` says where
 * the following page goes on).
 */
export async function listCommitsPage(repoDir: string, skip: number, limit: number, filter = '', signal?: AbortSignal): Promise<CommitPage> {
  const repo = await repositoryAt(repoDir, skip === 0);
  if (repo.isEmpty) return { repo: repo.dir, commits: [], more: false, next: 0, total: 0 };
  const all = await repo.listCommits({ includeMerges: true, skipBots: false });
  const start = Math.max(0, skip);
  if (!filter.trim()) {
    const commits = all.slice(start, start + limit);
    return { repo: repo.dir, commits, more: start + limit < all.length, next: start + commits.length, total: all.length };
  }
  const commits = [];
  let i = start;
  for (; i < all.length && commits.length < limit && i - start < FILTER_SCAN; i++) {
    signal?.throwIfAborted();
    const paths = await repo.changedPaths(all[i]);
    if (paths.some((p) => matchesPathFilter(filter, p))) commits.push(all[i]);
  }
  return { repo: repo.dir, commits, more: i < all.length, next: i, total: all.length };
}

/** The files a commit changed (against its first parent), with skip reasons; texts are left out. */
export async function commitFiles(repoDir: string, commit: string, parent: string | undefined): Promise<FileSummary[]> {
  const repo = await repositoryAt(repoDir);
  const opts = { ref: commit, sinceCommit: parent, maxCommits: 1, includeMerges: true, skipBots: false };
  for await (const rec of repo.history(opts)) {
    if (rec.commit.hash !== commit) continue;
    if (rec.error) throw new Error(`commit ${commit.slice(0, 8)} cannot be read completely: ${rec.error}`);
    return rec.files.map(({ oldText: _o, newText: _n, ...rest }) => rest);
  }
  return [];
}

/** The text of `filePath` at `commit`, or null when it is not there or not text. */
export async function readBlobAt(repoDir: string, commit: string, filePath: string): Promise<string | null> {
  const repo = await repositoryAt(repoDir);
  const entry = (await treeOf(repo, commit)).get(filePath);
  if (!entry) return null;
  return repo.readText(entry.oid);
}
