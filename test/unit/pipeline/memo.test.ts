import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { TokenPool, TokenWorkerOutOfMemory } from '../../../src/core/threads';
import { loadTokenizer } from '../../../src/core/tokenize/index';
import { countMemo, memoTokenizer } from '../../../src/core/pipeline/memoTokenizer';
import { tokenizeCommit } from '../../../src/core/pipeline/tokenizeCommit';
import { serializeExample } from '../../../src/core/tokenize/index';
import type { ChunkRecord, CommitInfo } from '../../../src/core/types';

test('memo tokenizer: same ids as the tokenizer, repeated strings served from memory, bounded', () => {
  const tok = loadTokenizer();
  const memo = memoTokenizer(tok, 4096);
  const texts = Array.from({ length: 200 }, (_, i) => `fn f${i % 50}(x: u32) -> u32 {\n    x * ${i % 50} + 1 // ${'é'.repeat((i % 50) % 7)}\n}\n`);
  for (const t of texts) assert.deepEqual(memo.encode(t).ids, tok.encode(t).ids);
  for (const t of texts) assert.equal(memo.count(t), tok.count(t));
  assert.ok(memo.hits >= 300, `hits ${memo.hits}`);
  assert.ok(memo.misses >= 50, `misses ${memo.misses}`);
  // offsets requests go to the tokenizer itself
  assert.deepEqual(memo.encode(texts[0], { offsets: true }), tok.encode(texts[0], { offsets: true }));
  // a string larger than the young generation's budget fits nothing but still encodes right
  const big = texts.join('');
  assert.deepEqual(memo.encode(big).ids, tok.encode(big).ids);
  assert.equal(memo.vocabSize, tok.vocabSize);
  assert.equal(memo.sha256, tok.sha256);
  memo.clear();
  const before = memo.misses;
  memo.encode(texts[0]);
  assert.equal(memo.misses, before + 1, 'cleared');
});

test('limited counts: exact within the limit, above it otherwise, whatever was counted before with another limit', () => {
  const tok = loadTokenizer();
  const long = Array.from({ length: 60 }, (_, i) => `    let v${i} = compute(${i}, "${'x'.repeat(i % 9)}");\n`).join('');
  const n = tok.count(long);
  assert.ok(n > 600, `${n} tokens`);
  const check = (count: (t: string, limit?: number) => number, label: string) => {
    // a bound kept, a lower limit (answered by it), higher limits (counted again), exact, unlimited
    for (const limit of [100, 50, 400, n + 5, n, 200, Infinity]) {
      const c = count(long, limit);
      if (n <= limit) assert.equal(c, n, `${label} limit ${limit}`);
      else assert.ok(c > limit && c <= n, `${label} limit ${limit}: ${c} of ${n}`);
    }
    assert.equal(count(long), n, label);
    assert.equal(count('fn a() {}', 1) > 1, true, label);
    assert.equal(count('fn a() {}', 100), tok.count('fn a() {}'), label);
  };
  check(countMemo(tok), 'countMemo');
  check(countMemo(tok, 64), 'countMemo, nothing kept');
  const memo = memoTokenizer(tok);
  memo.encode(long); // a kept encoding answers limited counts exactly
  assert.equal(memo.count(long, 10), n);
  const fresh = memoTokenizer(tok);
  check((t, l) => fresh.count(t, l), 'memoTokenizer');
});

test('tokenizeCommit: groups equal serializeExample of each group (ids, paths), split when over budget', () => {
  const tok = loadTokenizer();
  tok.withMarkers();
  const memo = memoTokenizer(tok);
  const commit = {
    hash: 'a'.repeat(40),
    parents: [],
    author: { name: 'Ann', email: 'a@x', timestamp: 1, timezoneOffset: 0 },
    committer: { name: 'Ann', email: 'a@x', timestamp: 1, timezoneOffset: 0 },
    subject: 'Change things',
    body: 'Longer body\nwith lines',
    isMerge: false,
  };
  const chunks = Array.from({ length: 6 }, (_, i) => ({
    id: `c${i}`,
    commit: commit.hash,
    path: `src/m${i % 2}.rs`,
    language: 'rust',
    kind: 'fn' as const,
    qualifiedName: `f${i}`,
    change: 'modified' as const,
    oldRange: { start: 1, end: 3 },
    newRange: { start: 1, end: 3 },
    oldCode: `fn f${i}() -> u32 {\n    ${'1 + '.repeat(20 + i)}1\n}\n`,
    newCode: `fn f${i}() -> u64 {\n    ${'2 * '.repeat(25 + i)}2\n}\n`,
    split: false,
    context: [{ kind: 'struct' as const, symbol: 'S', path: 'src/s.rs', code: 'struct S { a: u32, b: String }', source: 'import' }],
  })) as unknown as ChunkRecord[];
  const settings = { format: 'seed' as const, mode: 'commit' as const, budgets: { message: 64, oldCode: 512, newCode: 2048, snippet: 256, example: 200 }, contextWindow: 2048 };
  const r = tokenizeCommit(memo, commit as CommitInfo, chunks, settings);
  assert.ok(r.groups.length > 1, 'the small example budget splits the commit');
  // reference: the halving done directly with serializeExample and the plain tokenizer
  const ref = (cs: ChunkRecord[]): Array<{ ctx: number[]; tgt: number[]; tt: boolean; paths: string[] }> => {
    const e = serializeExample(tok, { commit: commit as CommitInfo, chunks: cs }, 'seed', settings.budgets, settings.contextWindow);
    if (e.truncations > 0 && cs.length > 1) return [...ref(cs.slice(0, Math.ceil(cs.length / 2))), ...ref(cs.slice(Math.ceil(cs.length / 2)))];
    return [{ ctx: e.contextIds, tgt: e.targetIds, tt: e.targetTruncated, paths: cs.map((c) => c.path) }];
  };
  const want = ref(chunks);
  assert.equal(r.groups.length, want.length);
  r.groups.forEach((g, i) => {
    assert.deepEqual(Array.from(g.contextIds), want[i].ctx);
    assert.deepEqual(Array.from(g.targetIds), want[i].tgt);
    assert.equal(g.targetTruncated, want[i].tt);
    assert.deepEqual(g.meta, { paths: want[i].paths, languages: ['rust'], kinds: ['fn'] });
  });
  assert.deepEqual(
    r.chunkIds.map((c) => Array.from(c)),
    chunks.map((c) => tok.encode(c.newCode).ids),
  );
});

test('the editor worker script (src/worker/worker.ts) serves as a token worker: same result as the main thread', async () => {
  const tok = loadTokenizer();
  tok.withMarkers();
  const commit = {
    hash: 'b'.repeat(40),
    parents: [],
    author: { name: 'Bo', email: 'b@x', timestamp: 1, timezoneOffset: 0 },
    committer: { name: 'Bo', email: 'b@x', timestamp: 1, timezoneOffset: 0 },
    subject: 'Fix',
    body: '',
    isMerge: false,
  } as CommitInfo;
  const chunk = {
    id: 'c',
    commit: commit.hash,
    path: 'src/a.rs',
    language: 'rust',
    kind: 'fn',
    qualifiedName: 'a',
    change: 'modified',
    oldRange: null,
    newRange: null,
    oldCode: 'fn a() {}',
    newCode: 'fn a() -> u8 { 1 }',
    split: false,
    context: [],
  } as unknown as ChunkRecord;
  const settings = { format: 'seed' as const, mode: 'commit' as const, budgets: { message: 64, oldCode: 512, newCode: 2048, snippet: 256, example: 4096 }, contextWindow: 2048 };
  const pool = new TokenPool(path.resolve(__dirname, '../../../src/worker/worker.ts'), 1, undefined, settings);
  try {
    const r = await pool.run(JSON.stringify({ commit, chunks: [chunk] }));
    const want = tokenizeCommit(tok, commit, [chunk], settings);
    assert.deepEqual(Array.from(r.groups[0].contextIds), Array.from(want.groups[0].contextIds));
    assert.deepEqual(Array.from(r.groups[0].targetIds), Array.from(want.groups[0].targetIds));
    assert.deepEqual(r.groups[0].meta, want.groups[0].meta);
    assert.deepEqual(Array.from(r.chunkIds[0]), Array.from(want.chunkIds[0]));
  } finally {
    await pool.close();
  }
});

test('a token job larger than a worker heap is rejected as TokenWorkerOutOfMemory, the worker replaced; a worker that cannot even start fails the pool', async () => {
  const commit = {
    hash: 'c'.repeat(40),
    parents: [],
    author: { name: 'Cy', email: 'c@x', timestamp: 1, timezoneOffset: 0 },
    committer: { name: 'Cy', email: 'c@x', timestamp: 1, timezoneOffset: 0 },
    subject: 'Big',
    body: '',
    isMerge: false,
  } as CommitInfo;
  const chunk = (i: number, code: string) =>
    ({
      id: `c${i}`,
      commit: commit.hash,
      path: `src/f${i}.rs`,
      language: 'rust',
      kind: 'fn',
      qualifiedName: `f${i}`,
      change: 'added',
      oldRange: null,
      newRange: null,
      oldCode: '',
      newCode: code,
      split: false,
      context: [],
    }) as unknown as ChunkRecord;
  const settings = { format: 'seed' as const, mode: 'commit' as const, budgets: { message: 64, oldCode: 512, newCode: 2048, snippet: 256, example: 4096 }, contextWindow: 2048 };
  const script = path.resolve(__dirname, '../../../src/worker/worker.ts');
  const pool = new TokenPool(script, 1, undefined, settings, 160);
  try {
    // ~48 MB of distinct code in one commit: its JSON, the parsed strings and their ids do not fit 160 MiB
    const big = Array.from({ length: 400 }, (_, i) => chunk(i, `fn f${i}() { let v = [${Array.from({ length: 12000 }, (_, k) => (k * 7919 + i * 104729) % 1000003).join(', ')}]; }`));
    await assert.rejects(pool.run(JSON.stringify({ commit, chunks: big })), TokenWorkerOutOfMemory);
    const small = await pool.run(JSON.stringify({ commit, chunks: [chunk(0, 'fn a() {}')] }));
    assert.ok(small.groups[0].targetIds.length > 0, 'the replacement worker serves the next job');
  } finally {
    await pool.close();
  }
  const tiny = new TokenPool(script, 1, undefined, settings, 16);
  try {
    await assert.rejects(tiny.run(JSON.stringify({ commit, chunks: [chunk(0, 'fn a() {}')] })), /while starting/);
  } finally {
    await tiny.close();
  }
});
