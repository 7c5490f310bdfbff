import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCommitExamples, buildSequentialExamples, compactRow, expandExample, type CompactExample, type Decode, type RowMeta } from '../../../src/core/examples/examples';
import { exampleJsonl, exampleRow } from '../../../src/core/dataset/exampleJson';
import { examplesToParquet } from '../../../src/core/dataset/parquet';
import { parquetReadObjects } from 'hyparquet';

const generic = (rows: CompactExample[], w: { contextWindow: number; targetWindow: number; padId: number }, decode?: Decode) =>
  rows.map((c) => JSON.stringify(exampleRow(expandExample(c, w, decode))) + '\n').join('');
const fast = (rows: CompactExample[], w: { contextWindow: number; targetWindow: number; padId: number }, decode?: Decode) => Buffer.concat([...exampleJsonl(rows, w, decode)]).toString('utf8');
/** A stand-in decoder whose text needs JSON escapes and non-ASCII. */
const decode: Decode = (ids) => Array.from(ids, (i) => ['a', '"', '\\', '\n', '✓', '😀', '\u0001', 'é'][i % 8]).join('');
const M = { paths: ['src/a "b".rs', 'c.rs'], languages: ['rust'], kinds: ['fn', 'impl'] };

test('fast example JSONL is byte-identical to JSON.stringify of the padded rows', () => {
  const w = { contextWindow: 64, targetWindow: 16, padId: 151643 };
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  const ids = (n: number) => Int32Array.from({ length: n }, () => rnd(160000));
  const rows: CompactExample[] = [];
  for (let k = 0; k < 40; k++) {
    const b = buildCommitExamples({ commitHash: `h${k}`, numChunks: 1 + (k % 3), contextIds: ids(rnd(100)), targetIds: ids(rnd(50)), meta: M }, w);
    rows.push(...b.examples);
  }
  rows.push(...buildCommitExamples({ commitHash: 'empty', numChunks: 0, contextIds: [], targetIds: [], meta: M }, w).examples);
  rows.push(
    ...buildSequentialExamples(
      [
        { commitHash: 's1', ids: ids(150), path: 'a.rs', language: 'rust', kind: 'fn' },
        { commitHash: 's2', ids: ids(33), path: 'a.rs', language: 'rust', kind: 'fn' },
      ],
      w,
    ),
  );
  // a row longer than its windows (never built, still written like the generic path), and an empty prompt
  rows.push({ commit_hash: 'big', example_type: 'commit_based', num_chunks: 1, part: 0, parts: 1, ctx: ids(70), tgt: ids(3), meta: M, cut: true });
  rows.push({ commit_hash: 'nil', example_type: 'commit_based', num_chunks: 1, part: 0, parts: 1, ctx: ids(0), tgt: ids(5), meta: M, cut: false });
  assert.ok(rows.some((r) => r.parts > 1) && rows.some((r) => r.ctx.length === 0));
  assert.equal(fast(rows, w, decode), generic(rows, w, decode));
  assert.equal(fast([], w), '');
});

test("the default layout's compact row holds no padding; labels mask the prompt (commit) or copy the ids (sequential)", () => {
  const w = { contextWindow: 64, targetWindow: 16, padId: 151643 };
  let seed = 11;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  const ids = (n: number) => Int32Array.from({ length: n }, () => rnd(160000));
  const rows: CompactExample[] = [];
  for (let k = 0; k < 300; k++) rows.push(...buildCommitExamples({ commitHash: `h${k}`, numChunks: 1, contextIds: ids(rnd(100)), targetIds: ids(rnd(50)), meta: M }, w).examples);
  rows.push(...buildSequentialExamples([{ commitHash: 's1', ids: ids(150), path: 'a.rs', language: 'rust', kind: 'fn' }], w));
  rows.push(...buildCommitExamples({ commitHash: 'empty', numChunks: 0, contextIds: [], targetIds: [], meta: M }, w).examples);
  rows.push({ commit_hash: 'cut', example_type: 'commit_based', num_chunks: 1, part: 0, parts: 1, ctx: ids(5), tgt: ids(5), meta: { paths: [], languages: [], kinds: [] }, cut: true });
  const meta = (c: CompactExample): RowMeta => ({ split: c.commit_hash.length % 2 ? 'train' : 'val', repo: 'my "repo"', date: '2024-01-31T00:00:00.000Z' });
  for (const c of rows) {
    const r = JSON.parse(JSON.stringify(compactRow(c, meta(c))));
    assert.equal(r.input_ids.length, r.prompt_tokens + r.completion_tokens, 'no padding');
    assert.ok(r.attention_mask.every((x: number) => x === 1));
    if (r.example_type === 'commit_based')
      assert.ok(r.labels.slice(0, r.prompt_tokens).every((x: number) => x === -100) && r.labels.slice(r.prompt_tokens).every((x: number, i: number) => x === r.input_ids[r.prompt_tokens + i]));
    else assert.deepEqual(r.labels, r.input_ids);
  }
});

test('fast example JSONL across many pieces (rows larger in total than one buffer)', () => {
  const w = { contextWindow: 2048, targetWindow: 256, padId: 0 };
  const rows = Array.from(
    { length: 300 },
    (_, k) =>
      buildCommitExamples(
        {
          commitHash: `c${k}`,
          numChunks: 1,
          contextIds: Int32Array.from({ length: 1500 + k }, (_, i) => (i * 7919 + k) % 151000),
          targetIds: Int32Array.from({ length: 100 }, (_, i) => i),
          meta: M,
        },
        w,
      ).examples[0],
  );
  const pieces = [...exampleJsonl(rows, w)];
  assert.ok(pieces.length > 1);
  assert.equal(Buffer.concat(pieces).toString('utf8'), generic(rows, w));
});

test('Parquet fast path (columns straight from compact rows) writes the same bytes as padded rows', async () => {
  const w = { contextWindow: 48, targetWindow: 12, padId: 151643 };
  let seed = 3;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  const ids = (n: number) => Int32Array.from({ length: n }, () => rnd(160000));
  const rows: CompactExample[] = [];
  for (let k = 0; k < 300; k++) rows.push(...buildCommitExamples({ commitHash: `h${k}`, numChunks: 1 + (k % 3), contextIds: ids(rnd(80)), targetIds: ids(rnd(30)), meta: M }, w).examples);
  rows.push(...buildSequentialExamples([{ commitHash: 's1', ids: ids(500), path: 'a.rs', language: 'rust', kind: 'fn' }], w));
  rows.push({ commit_hash: 'nil', example_type: 'commit_based', num_chunks: 1, part: 0, parts: 1, ctx: ids(0), tgt: ids(12), meta: M, cut: false });
  const fastBytes = examplesToParquet(rows, w, 'test', decode);
  assert.ok(fastBytes.equals(examplesToParquet(rows, w, 'test', decode, true)));
  const read = (await parquetReadObjects({ file: fastBytes.buffer.slice(fastBytes.byteOffset, fastBytes.byteOffset + fastBytes.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
  assert.equal(read.length, rows.length);
  assert.equal(read[read.length - 1].text, decode(rows[rows.length - 1].tgt), 'text = prompt + completion (an empty prompt here)');
  assert.deepEqual(read[0].input_ids, expandExample(rows[0], w).input_ids);
});

test('windows keep the head: every part whose context exceeds the window starts with the header and message, then the latest tokens', () => {
  const w = { contextWindow: 40, targetWindow: 16, padId: 0 };
  const head = [900, 901, 902, 903, 904];
  const ctx = [...head, ...Array.from({ length: 30 }, (_, i) => 100 + i)];
  const tgt = Array.from({ length: 70 }, (_, i) => 500 + i);
  const b = buildCommitExamples({ commitHash: 'h', numChunks: 1, contextIds: ctx, targetIds: tgt, headLength: head.length, meta: M }, w);
  assert.equal(b.examples.length, 5);
  for (const e of b.examples) {
    assert.ok(e.ctx.length <= w.contextWindow);
    assert.deepEqual(Array.from(e.ctx.subarray(0, head.length)), head, `part ${e.part} starts with the head`);
    const all = [...ctx, ...tgt.slice(0, e.part * w.targetWindow)];
    if (all.length > w.contextWindow) assert.deepEqual(Array.from(e.ctx.subarray(head.length)), all.slice(all.length - (w.contextWindow - head.length)), 'then the latest tokens');
    else assert.deepEqual(Array.from(e.ctx), all);
  }
  assert.equal(
    b.contextTokensDropped,
    b.examples.reduce((n, e) => n + Math.max(0, ctx.length + e.part * w.targetWindow - w.contextWindow), 0),
  );
});
