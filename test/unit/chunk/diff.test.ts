import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffLines, type Hunk } from '../../../src/core/chunk/diff';
import { rng } from '../../fixtures/rng';

/** b rebuilt from a and the hunks (each replaces a's lines [oldStart, oldEnd] with b's [newStart, newEnd]). */
function apply(a: string[], b: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let i = 1;
  for (const h of hunks) {
    assert.ok(h.oldStart >= i, 'hunks in order, not overlapping');
    while (i < h.oldStart) out.push(a[i++ - 1]);
    assert.equal(out.length, h.newStart - 1, 'the hunk starts at the same place on both sides');
    for (let j = h.newStart; j <= h.newEnd; j++) out.push(b[j - 1]);
    i = h.oldEnd + 1;
  }
  while (i <= a.length) out.push(a[i++ - 1]);
  return out;
}

/** Length of the longest common subsequence (dynamic programming: the reference for a shortest edit script). */
function lcs(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = [0];
    for (let j = 1; j <= b.length; j++) cur.push(x === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]));
    prev = cur;
  }
  return prev[b.length];
}

test('diffLines: hunks turn a into b with the fewest changed lines, whichever side is empty', () => {
  const next = rng(7);
  const line = () => ['fn a() {', '}', '', '    x += 1;', 'use std::io;', '// note'][Math.floor(next() * 6)];
  for (let round = 0; round < 400; round++) {
    const a = round % 5 === 1 ? [] : Array.from({ length: Math.floor(next() * 30) }, line);
    const b = round % 5 === 0 ? [] : round % 7 === 0 ? [...a.slice(0, 3), ...Array.from({ length: 20 }, line)] : Array.from({ length: Math.floor(next() * 30) }, line);
    const hunks = diffLines(a, b);
    assert.deepEqual(apply(a, b, hunks), b);
    const changed = hunks.reduce((n, h) => n + Math.max(0, h.oldEnd - h.oldStart + 1) + Math.max(0, h.newEnd - h.newStart + 1), 0);
    assert.equal(changed, a.length + b.length - 2 * lcs(a, b), `round ${round}: a shortest edit`);
  }
});

test('diffLines: an added or deleted file is one hunk, a big one too', () => {
  const big = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
  assert.deepEqual(diffLines([], big), [{ oldStart: 1, oldEnd: 0, newStart: 1, newEnd: 200_000 }]);
  assert.deepEqual(diffLines(big, []), [{ oldStart: 1, oldEnd: 200_000, newStart: 1, newEnd: 0 }]);
  // a common head and tail around an insertion
  assert.deepEqual(diffLines(['a', 'z'], ['a', 'b', 'c', 'z']), [{ oldStart: 2, oldEnd: 1, newStart: 2, newEnd: 3 }]);
});
