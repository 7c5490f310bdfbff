/** Which commits a run covers, in which order: reachable from the head, not from `stop`, oldest first. */
import type { CommitInfo } from '../types';
import { throwIfAborted } from './errors';

export interface CommitGraph {
  readCommit(oid: string): Promise<{ info: CommitInfo; tree: string }>;
  /** Commits listed in .git/shallow: their parents are not in the repository. */
  isShallowCommit(hash: string): boolean;
  /**
   * A parent of `child` that cannot be read: null to go on without it (history stops there on that
   * line: a partial clone, or missing objects allowed), or the error to throw.
   */
  unreadableParent(oid: string, child: string, err: unknown): Error | null;
}

/** Parents that are walked (none for a shallow boundary commit). */
function walkedParents(g: CommitGraph, c: CommitInfo): string[] {
  return g.isShallowCommit(c.hash) ? [] : c.parents;
}

async function reachable(g: CommitGraph, from: string, signal?: AbortSignal): Promise<Map<string, CommitInfo>> {
  const seen = new Map<string, CommitInfo>();
  const stack = [from];
  const children = ['']; // the commit that named each stacked one as a parent
  while (stack.length > 0) {
    const oid = stack.pop()!;
    const child = children.pop()!;
    if (seen.has(oid)) continue;
    if (seen.size % 512 === 0) throwIfAborted(signal);
    let info: CommitInfo;
    try {
      info = (await g.readCommit(oid)).info;
    } catch (err) {
      if (oid === from) throw err;
      const fatal = g.unreadableParent(oid, child, err);
      if (fatal) throw fatal;
      continue;
    }
    seen.set(oid, info);
    for (const p of walkedParents(g, info)) {
      if (seen.has(p)) continue;
      stack.push(p);
      children.push(oid);
    }
  }
  return seen;
}

/**
 * Commits reachable from `head` and not from `stop` (if given), parents before children;
 * among commits free to go next, the older committer date first (then the hash), so the order is
 * deterministic and, for linear history, exactly `git log --reverse`.
 */
export async function selectCommits(g: CommitGraph, head: string, stop: string | null, signal?: AbortSignal): Promise<CommitInfo[]> {
  const all = await reachable(g, head, signal);
  if (stop) {
    for (const oid of (await reachable(g, stop, signal)).keys()) all.delete(oid);
  }
  const byAge = [...all.values()].sort((a, b) => a.committer.timestamp - b.committer.timestamp || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
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
