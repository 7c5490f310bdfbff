/** Which commits a run covers, in which order: reachable from the head, not from `stop`, oldest first. */
import type { CommitInfo } from '../types';
import { GitError, isNotFound, throwIfAborted } from './errors';

export interface CommitGraph {
  readCommit(oid: string): Promise<{ info: CommitInfo; tree: string }>;
  /** Commits listed in .git/shallow: their parents are not in the repository. */
  isShallowCommit(hash: string): boolean;
}

/** Parents that are walked (none for a shallow boundary commit). */
function walkedParents(g: CommitGraph, c: CommitInfo): string[] {
  return g.isShallowCommit(c.hash) ? [] : c.parents;
}

async function reachable(g: CommitGraph, from: string, signal?: AbortSignal): Promise<Map<string, CommitInfo>> {
  const seen = new Map<string, CommitInfo>();
  const stack = [from];
  while (stack.length > 0) {
    const oid = stack.pop()!;
    if (seen.has(oid)) continue;
    if (seen.size % 512 === 0) throwIfAborted(signal);
    let info: CommitInfo;
    try {
      info = (await g.readCommit(oid)).info;
    } catch (err) {
      if (oid === from) throw err;
      // A missing ancestor (damaged repository): history stops there on this line.
      if (isNotFound(err)) continue;
      throw new GitError('corrupt-object', `Cannot read commit ${oid}: ${(err as Error).message}`, { cause: err });
    }
    seen.set(oid, info);
    for (const p of walkedParents(g, info)) if (!seen.has(p)) stack.push(p);
  }
  return seen;
}

/**
 * Commits reachable from `head` and not from `stop` (if given), parents before children;
 * among commits free to go next, the older committer date first (then the hash), so the order is
 * deterministic and, for linear history, exactly `git log --reverse`.
 */
export async function selectCommits(
  g: CommitGraph,
  head: string,
  stop: string | null,
  signal?: AbortSignal,
): Promise<CommitInfo[]> {
  const all = await reachable(g, head, signal);
  if (stop) {
    for (const oid of (await reachable(g, stop, signal)).keys()) all.delete(oid);
  }
  const byAge = [...all.values()].sort(
    (a, b) => a.committer.timestamp - b.committer.timestamp || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0),
  );
  const out: CommitInfo[] = [];
  const done = new Set<string>();
  for (const root of byAge) {
    if (done.has(root.hash)) continue;
    done.add(root.hash);
    // Iterative post-order: emit every (selected) parent before the commit itself.
    const stack: Array<{ c: CommitInfo; i: number }> = [{ c: root, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const parents = walkedParents(g, top.c);
      if (top.i < parents.length) {
        const p = all.get(parents[top.i++]);
        if (p && !done.has(p.hash)) {
          done.add(p.hash);
          stack.push({ c: p, i: 0 });
        }
        continue;
      }
      stack.pop();
      out.push(top.c);
    }
  }
  return out;
}
