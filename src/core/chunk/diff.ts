/**
 * Line diff (Myers' O(ND) algorithm) used for top-level chunks and for languages without a grammar.
 */

/** A run of changed lines: old lines [oldStart, oldEnd] replaced by new lines [newStart, newEnd] (1-based, inclusive; empty when end < start). */
export interface Hunk {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

import { allLines, type LineIndex } from './lines';

/** Beyond this edit distance the middle part is reported as one replaced block (keeps time and memory bounded). */
const MAX_EDITS = 4000;

export function diffLines(a: string[], b: string[]): Hunk[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  if (A.length === 0 && B.length === 0) return [];
  // one side empty (an added or deleted file): one hunk, what Myers would find after as many steps as lines
  if (A.length === 0 || B.length === 0) return [{ oldStart: pre + 1, oldEnd: pre + A.length, newStart: pre + 1, newEnd: pre + B.length }];
  // intern lines as numbers
  const ids = new Map<string, number>();
  const id = (s: string): number => {
    let v = ids.get(s);
    if (v === undefined) ids.set(s, (v = ids.size));
    return v;
  };
  const x = A.map(id);
  const y = B.map(id);
  const ops = myers(x, y);
  if (!ops) return [{ oldStart: pre + 1, oldEnd: pre + A.length, newStart: pre + 1, newEnd: pre + B.length }];
  // ops: per matched pair list [i, j] of equal lines, in order
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...ops, [x.length, y.length] as [number, number]]) {
    if (mi > i || mj > j) hunks.push({ oldStart: pre + i + 1, oldEnd: pre + mi, newStart: pre + j + 1, newEnd: pre + mj });
    i = mi + 1;
    j = mj + 1;
  }
  return hunks;
}

/** Returns the matched (equal) index pairs of a shortest edit script, or null past MAX_EDITS. */
function myers(a: number[], b: number[]): Array<[number, number]> | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  // trace: the state after d-1 steps, diagonals -d-1..d+1, for every d, in one growing buffer (snapshot d at d*(d+2))
  let trace = new Int32Array(1024);
  let found = -1;
  for (let d = 0; d <= max; d++) {
    const at = d * (d + 2);
    if (at + 2 * d + 3 > trace.length) {
      const grown = new Int32Array(Math.min(Math.max(trace.length * 2, at + 2 * d + 3), (max + 1) * (max + 3)));
      grown.set(trace);
      trace = grown;
    }
    trace.set(v.subarray(off - d - 1, off + d + 2), at);
    const nv = v;
    for (let k = -d; k <= d; k += 2) {
      let xx: number;
      if (k === -d || (k !== d && nv[off + k - 1] < nv[off + k + 1])) xx = nv[off + k + 1];
      else xx = nv[off + k - 1] + 1;
      let yy = xx - k;
      while (xx < n && yy < m && a[xx] === b[yy]) {
        xx++;
        yy++;
      }
      nv[off + k] = xx;
      if (xx >= n && yy >= m) {
        found = d;
        break;
      }
    }
    v = nv;
    if (found >= 0) break;
  }
  if (found < 0) return null;
  // backtrack
  const pairs: Array<[number, number]> = [];
  let xx = n;
  let yy = m;
  for (let d = found; d > 0; d--) {
    const base = d * (d + 2) + d + 1;
    const k = xx - yy;
    const at = (kk: number): number => trace[base + kk];
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const px = at(prevK);
    const py = px - prevK;
    while (xx > px && yy > py) {
      xx--;
      yy--;
      pairs.push([xx, yy]);
    }
    xx = px;
    yy = py;
  }
  while (xx > 0 && yy > 0) {
    xx--;
    yy--;
    pairs.push([xx, yy]);
  }
  return pairs.reverse();
}

let memo: { a: LineIndex; b: LineIndex; hunks: Hunk[] } | null = null;

/**
 * diffLines of the lines of two texts. The last result is remembered: the chunker diffs the same pair twice
 * (edits for the incremental parse, then top-level chunks). Callers must not modify the returned hunks.
 */
export function diffTexts(a: LineIndex, b: LineIndex): Hunk[] {
  if (memo && memo.a === a && memo.b === b) return memo.hunks;
  const hunks = diffLines(allLines(a), allLines(b));
  memo = { a, b, hunks };
  return hunks;
}
