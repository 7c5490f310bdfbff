/** History requests: pages of commits, the changed files of one commit, a blob at a commit. */
import type { CommitPage, FileSummary } from './protocol';
import { repositoryAt, treeOf } from './engine';

/** One page of commits, newest first; the first page reopens the repository so new commits show. */
export async function listCommitsPage(repoDir: string, skip: number, limit: number): Promise<CommitPage> {
  const repo = await repositoryAt(repoDir, skip === 0);
  if (repo.isEmpty) return { repo: repo.dir, commits: [], more: false };
  const commits = await repo.listCommits({ includeMerges: true, skipBots: false, skip, limit: limit + 1 });
  return { repo: repo.dir, commits: commits.slice(0, limit), more: commits.length > limit };
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
