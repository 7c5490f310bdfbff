/**
 * Time-ordered splits by commit: commits sorted by (committer time, author time, original order, hash)
 * are cut into train / val / test by ratio. No commit is in two splits, every train commit is older than
 * (or as old as — ties are broken deterministically) every val commit, which is older than every test commit.
 */
import type { SplitName } from './dedup';

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.7, val: 0.15, test: 0.15 };

export interface SplitCommit {
  hash: string;
  /** Committer time, seconds. */
  time: number;
}

/** Returns commit hash → split. The input order (oldest first, as history yields) breaks time ties. */
export function assignSplits(commits: SplitCommit[], ratios: SplitRatios = DEFAULT_RATIOS): Map<string, SplitName> {
  const sum = ratios.train + ratios.val + ratios.test;
  if (!(sum > 0) || ratios.train < 0 || ratios.val < 0 || ratios.test < 0) throw new Error(`invalid split ratios ${JSON.stringify(ratios)}`);
  const sorted = commits.map((c, i) => ({ ...c, i })).sort((a, b) => a.time - b.time || a.i - b.i);
  const n = sorted.length;
  let nTrain = Math.round((n * ratios.train) / sum);
  let nVal = Math.round((n * ratios.val) / sum);
  // Small histories: keep at least one commit in every non-empty-ratio split when possible, train first.
  if (n >= 3) {
    if (ratios.val > 0 && nVal === 0) nVal = 1;
    const nTest0 = n - nTrain - nVal;
    if (ratios.test > 0 && nTest0 <= 0) nTrain = Math.max(1, n - nVal - 1);
  }
  if (nTrain + nVal > n) nVal = Math.max(0, n - nTrain);
  const out = new Map<string, SplitName>();
  sorted.forEach((c, k) => out.set(c.hash, k < nTrain ? 'train' : k < nTrain + nVal ? 'val' : 'test'));
  return out;
}
