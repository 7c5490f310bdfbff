import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { getPageBoundaries } from 'hyparquet-writer/src/column.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { buildCommitExamples, buildSequentialExamples, expandExample, type CompactExample, type WindowOptions } from '../../../src/core/examples/examples';
import { examplesToParquet, parquetVia } from '../../../src/core/dataset/parquet';
import { deltaPackInt32, pageRowCounts, Runs } from '../../../src/core/dataset/parquetPages';
import { rng } from '../../fixtures/rng';

const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** Compact examples with the given (context, target) lengths, random ids below `max`. */
function rowsOf(lengths: Array<[number, number]>, seed: number, max = 151000, type: CompactExample['example_type'] = 'commit_based'): CompactExample[] {
  const r = rng(seed);
  const ids = (n: number) => Int32Array.from({ length: n }, () => Math.floor(r() * max));
  return lengths.map(([nc, nt], i) => ({
    commit_hash: `c${i}`.padEnd(40, 'f'),
    example_type: type,
    num_chunks: 1 + (i % 5),
    part: i % 3,
    parts: 3,
    ctx: ids(nc),
    tgt: ids(nt),
    meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] },
    cut: i % 2 === 0,
  }));
}

/** The fast path writes the very bytes of the reference (padded rows through hyparquet-writer), and they decode to the padded rows. */
async function assertSameAsReference(rows: CompactExample[], w: WindowOptions, what: string): Promise<Buffer> {
  const fast = examplesToParquet(rows, w, 'test');
  const reference = examplesToParquet(rows, w, 'test', undefined, true);
  assert.ok(fast.equals(reference), `${what}: fast path bytes = reference bytes`);
  assert.ok(parquetVia('columns', rows, w, 'test').equals(reference), `${what}: columns path bytes = reference bytes`);
  const back = (await parquetReadObjects({ file: ab(fast) })) as Array<Record<string, unknown>>;
  assert.equal(back.length, rows.length);
  rows.forEach((c, i) => {
    const e = expandExample(c, w);
    for (const [k, v] of Object.entries(e)) assert.deepEqual(back[i][k], v, `${what}: row ${i} column ${k}`);
  });
  return fast;
}

test('delta binary packing: same bytes as hyparquet-writer for every width, wrap-around and length', () => {
  const r = rng(7);
  const arrays: Int32Array[] = [new Int32Array(0), Int32Array.of(5), Int32Array.of(-3, 4)];
  for (const n of [2, 31, 32, 33, 127, 128, 129, 130, 257, 1000, 4099]) {
    arrays.push(new Int32Array(n).fill(151643)); // constant
    arrays.push(Int32Array.from({ length: n }, (_, i) => i * 3 - 7)); // constant delta
    arrays.push(Int32Array.from({ length: n }, () => Math.floor(r() * 151000))); // token ids
    arrays.push(Int32Array.from({ length: n }, (_, i) => (i % 200 < 150 ? Math.floor(r() * 151000) : -100))); // ids then −100 runs
    arrays.push(Int32Array.from({ length: n }, () => (r() < 0.5 ? 2147483647 : -2147483648))); // 32-bit wrapping deltas
    for (const bits of [1, 7, 8, 9, 24, 25, 26, 31]) arrays.push(Int32Array.from({ length: n }, () => Math.floor(r() * 2 ** bits) - (bits > 20 ? 2 ** (bits - 1) : 0)));
  }
  for (let k = 0; k < 40; k++) {
    // like padded rows: random stretches of ids and of one value (pad, −100, 0/1), at every alignment
    const a: number[] = [];
    while (a.length < 3000) {
      const n = 1 + Math.floor(r() * 400);
      const v = [151643, -100, 0, 1][Math.floor(r() * 4)];
      for (let i = 0; i < n; i++) a.push(k % 2 && a.length % 3 ? v : r() < 0.5 ? v : Math.floor(r() * 151000));
      for (let i = 0; i < n; i++) a.push(v);
    }
    arrays.push(Int32Array.from(a));
  }
  for (const a of arrays) {
    const w = new ByteWriter();
    deltaBinaryPack(w, a, 'INT32');
    const expected = Buffer.from(w.getBytes());
    assert.deepEqual(Buffer.from(deltaPackInt32(a)), expected, `length ${a.length} first ${a[0]}`);
    // the same bytes when told about the ranges holding one value (maximal ones, or parts of them)
    for (const shrink of [0, 1, 57]) {
      const runs = new Runs();
      for (let s = 0; s < a.length;) {
        let e = s + 1;
        while (e < a.length && a[e] === a[s]) e++;
        runs.add(s + shrink, e - shrink);
        s = e;
      }
      assert.deepEqual(Buffer.from(deltaPackInt32(a, runs)), expected, `length ${a.length} first ${a[0]} with runs (${runs.count}, shrunk by ${shrink})`);
    }
  }
});

test('page boundaries per row = hyparquet-writer getPageBoundaries over every value', () => {
  for (const [rows, len, pageSize] of [
    [256, 2304, 1 << 20],
    [256, 2048, 1 << 20],
    [256, 256, 1 << 20],
    [1, 5000, 1 << 10],
    [37, 13, 64],
    [10, 1, 4],
    [10, 16, 64],
    [9, 16, 68],
  ] as const) {
    const values = new Int32Array(rows * len);
    const rep = Array.from({ length: rows * len }, (_, i) => (i % len === 0 ? 0 : 1));
    const expected = getPageBoundaries(values, 'INT32', undefined, pageSize, rep).map((b) => (b.end - b.start) / len);
    assert.deepEqual(pageRowCounts(rows, len, pageSize), expected, `${rows} rows of ${len}, page ${pageSize}`);
  }
});

test('fast path = reference: 1-row file, exact window sizes, empty sides, row groups of different sizes', async () => {
  const w = { contextWindow: 8, targetWindow: 4, padId: 0 };
  await assertSameAsReference(rowsOf([[3, 2]], 1), w, '1 row');
  await assertSameAsReference(
    rowsOf(
      [
        [8, 4],
        [8, 4],
        [0, 4],
        [8, 0],
        [1, 1],
      ],
      2,
    ),
    w,
    'at the window sizes',
  );
  const r = rng(3);
  const lengths = Array.from({ length: 600 }, (): [number, number] => [Math.floor(r() * 9), Math.floor(r() * 5)]);
  const buf = await assertSameAsReference(rowsOf(lengths, 4), w, '600 rows');
  const meta = parquetMetadata(ab(buf));
  assert.deepEqual(
    meta.row_groups.map((g) => Number(g.num_rows)),
    [256, 256, 88],
  );
  const empty = examplesToParquet([], w, 'test');
  assert.ok(empty.equals(examplesToParquet([], w, 'test', undefined, true)));
  assert.equal((await parquetReadObjects({ file: ab(empty) })).length, 0);
});

test('fast path = reference: sequential examples (labels on the context) and built examples', async () => {
  const w = { contextWindow: 6, targetWindow: 3, padId: 99 };
  const segs = [
    { commitHash: 'a', ids: Array.from({ length: 22 }, (_, i) => i + 1), path: 'a.rs', language: 'rust', kind: 'fn' },
    { commitHash: 'b', ids: Array.from({ length: 7 }, (_, i) => 1000 + i), path: 'a.rs', language: 'rust', kind: 'fn' },
  ];
  const seq = buildSequentialExamples(segs, w);
  assert.ok(
    seq.some((c) => c.tgt.length < w.targetWindow),
    'a short last window',
  );
  await assertSameAsReference(seq, w, 'sequential');
  const built = buildCommitExamples(
    { commitHash: 'h', numChunks: 2, contextIds: [5, 6, 7, 8, 9, 10, 11, 12], targetIds: Array.from({ length: 10 }, (_, i) => 50 + i), meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } },
    w,
  ).examples;
  await assertSameAsReference([...built, ...seq], w, 'mixed');
});

test('fast path = reference: several pages per column chunk (tokio-sized windows), padId and −100 runs', async () => {
  const w = { contextWindow: 2048, targetWindow: 256, padId: 151643 };
  const r = rng(5);
  const lengths = Array.from({ length: 258 }, (_, i): [number, number] => (i % 50 === 0 ? [2048, 256] : [50 + Math.floor(r() * 1999), 10 + Math.floor(r() * 247)]));
  const buf = await assertSameAsReference(rowsOf(lengths, 6), w, 'tokio windows');
  const meta = parquetMetadata(ab(buf));
  assert.deepEqual(
    meta.row_groups.map((g) => Number(g.num_rows)),
    [256, 2],
  );
  const inputIds = meta.row_groups[0].columns.find((c) => c.meta_data?.path_in_schema[0] === 'input_ids')!;
  assert.ok(inputIds.offset_index_length, 'input_ids of the first row group spans several pages (offset index)');
});

test('a row group with a row longer than its windows goes through padded rows; the others stay fast', async () => {
  const w = { contextWindow: 8, targetWindow: 4, padId: 0 };
  const rows = rowsOf(
    Array.from({ length: 300 }, (_, i): [number, number] => [(i * 7) % 9, (i * 5) % 5]),
    8,
  );
  rows[10] = { ...rows[10], ctx: Int32Array.from({ length: 12 }, (_, i) => i + 1) };
  const fast = examplesToParquet(rows, w, 'test');
  assert.ok(fast.equals(examplesToParquet(rows, w, 'test', undefined, true)));
  const back = (await parquetReadObjects({ file: ab(fast), columns: ['context_length', 'input_ids'], rowStart: 256 })) as Array<Record<string, unknown>>;
  assert.deepEqual(back[3].input_ids, expandExample(rows[259], w).input_ids);
});

test('a target window of 0 (empty target lists) goes through padded rows', async () => {
  const w = { contextWindow: 4, targetWindow: 0, padId: 0 };
  const rows = rowsOf(
    [
      [2, 0],
      [4, 0],
    ],
    9,
  );
  const fast = examplesToParquet(rows, w, 'test');
  assert.ok(fast.equals(examplesToParquet(rows, w, 'test', undefined, true)));
  const back = (await parquetReadObjects({ file: ab(fast), columns: ['context'] })) as Array<Record<string, unknown>>;
  assert.deepEqual(
    back.map((b) => b.context),
    [[...rows[0].ctx, 0, 0], [...rows[1].ctx]],
  );
});
