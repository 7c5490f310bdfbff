import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import {
  buildCommitExamples as buildCompact,
  buildSequentialExamples as buildSeqCompact,
  expandExample,
  IGNORE_INDEX,
  type CommitExampleInput,
  type StreamSegment,
  type WindowOptions,
} from '../../../src/core/examples/examples';
import { examplesToParquet } from '../../../src/core/dataset/parquet';
import { chunkTokenParts, decodeSafetensors, encodeChunkTokens, encodeSafetensors } from '../../../src/core/dataset/safetensors';
import { AtomicDir, PARTIAL_MARKER, percentiles, stableJson, jsonl } from '../../../src/core/dataset/output';

const W = { contextWindow: 8, targetWindow: 4, padId: 0 };
const buildCommitExamples = (i: CommitExampleInput, w: WindowOptions) => {
  const r = buildCompact(i, w);
  return { ...r, compact: r.examples, examples: r.examples.map((e) => expandExample(e, w)) };
};
const buildSequentialExamples = (s: StreamSegment[], w: WindowOptions) => buildSeqCompact(s, w).map((e) => expandExample(e, w));

test('commit example: padded windows, masks, labels −100 on context and padding', () => {
  const { examples } = buildCommitExamples({ commitHash: 'h', numChunks: 2, contextIds: [11, 12, 13], targetIds: [21, 22], meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } }, W);
  assert.equal(examples.length, 1);
  const e = examples[0];
  assert.deepEqual(e.context, [11, 12, 13, 0, 0, 0, 0, 0]);
  assert.deepEqual(e.context_mask, [1, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(e.target, [21, 22, 0, 0]);
  assert.deepEqual(e.target_mask, [1, 1, 0, 0]);
  assert.deepEqual(e.input_ids, [11, 12, 13, 21, 22, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(e.labels, [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 21, 22, ...Array(7).fill(IGNORE_INDEX)]);
  assert.deepEqual(e.attention_mask, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(e.example_type, 'commit_based');
});

test('a long target is split into parts, nothing cut; long context keeps its end', () => {
  const target = Array.from({ length: 10 }, (_, i) => 100 + i);
  const context = Array.from({ length: 10 }, (_, i) => 1 + i);
  const { examples, contextTokensDropped } = buildCommitExamples(
    { commitHash: 'h', numChunks: 1, contextIds: context, targetIds: target, meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } },
    W,
  );
  assert.equal(examples.length, 3);
  const got = examples.flatMap((e) => e.target.filter((_, i) => e.target_mask[i] === 1));
  assert.deepEqual(got, target);
  assert.deepEqual(examples[0].context, [3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(examples[1].context, [7, 8, 9, 10, 100, 101, 102, 103]);
  assert.deepEqual(
    examples.map((e) => [e.part, e.parts]),
    [
      [0, 3],
      [1, 3],
      [2, 3],
    ],
  );
  assert.equal(contextTokensDropped, 2 + 6 + 10);
});

test('sequential windows cover the stream exactly', () => {
  const segs = [
    { commitHash: 'a', ids: Array.from({ length: 7 }, (_, i) => i + 1), path: 'a.rs', language: 'rust', kind: 'fn' },
    { commitHash: 'b', ids: Array.from({ length: 10 }, (_, i) => i + 50), path: 'a.rs', language: 'rust', kind: 'fn' },
  ];
  const ex = buildSequentialExamples(segs, W);
  assert.equal(ex.length, 2);
  assert.deepEqual(
    ex.flatMap((e) => e.input_ids.filter((_, i) => e.attention_mask[i])),
    [...segs[0].ids, ...segs[1].ids],
  );
  assert.equal(ex[1].commit_hash, 'b');
  assert.equal(ex[0].num_chunks, 2);
  assert.ok(ex[1].labels.slice(5).every((l) => l === IGNORE_INDEX));
});

test('parquet round-trips with list columns', async () => {
  const { examples, compact } = buildCommitExamples(
    { commitHash: 'abc', numChunks: 1, contextIds: [1, 2], targetIds: [3, 4, 5, 6, 7], meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } },
    W,
  );
  const buf = examplesToParquet(compact, W, 'test');
  assert.deepEqual(examplesToParquet(compact, W, 'test'), buf, 'deterministic bytes');
  const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1].input_ids, examples[1].input_ids);
  assert.deepEqual(rows[1].labels, examples[1].labels);
  assert.equal(rows[0].text, '', 'no decoder: no text');
  assert.equal(rows[0].commit_hash, 'abc');
  const empty = examplesToParquet([], W, 'test');
  const none = await parquetReadObjects({ file: empty.buffer.slice(empty.byteOffset, empty.byteOffset + empty.byteLength) as ArrayBuffer });
  assert.equal(none.length, 0);
  // more rows than one row group
  const many = Array.from({ length: 1100 }, (_, i) => ({ ...compact[i % 2], num_chunks: i }));
  const mb = examplesToParquet(many, W, 'test');
  const back = (await parquetReadObjects({ file: mb.buffer.slice(mb.byteOffset, mb.byteOffset + mb.byteLength) as ArrayBuffer, columns: ['num_chunks', 'labels'] })) as Array<Record<string, unknown>>;
  assert.equal(back.length, 1100);
  assert.equal(back[1050].num_chunks, 1050);
  assert.deepEqual(back[1051].labels, examples[1].labels);
});

test('safetensors layout: header length, sorted header, LE data, offsets', () => {
  const buf = encodeChunkTokens([[1, 2, 3], [], [151643, 7]], { format: 'seed' });
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  assert.deepEqual(header.token_ids, { dtype: 'I32', shape: [5], data_offsets: [32, 52] });
  assert.deepEqual(header.offsets, { dtype: 'I64', shape: [4], data_offsets: [0, 32] });
  assert.equal(buf.readInt32LE(8 + n + 32 + 12), 151643);
  const d = decodeSafetensors(buf);
  assert.deepEqual(Array.from(d.tensors.token_ids.data as Int32Array), [1, 2, 3, 151643, 7]);
  assert.deepEqual(Array.from(d.tensors.offsets.data as BigInt64Array).map(Number), [0, 3, 3, 5]);
  assert.equal(d.metadata.format, 'seed');
});

test('safetensors streamed chunk by chunk: the same bytes as the tensors written whole, across its 1 MB pieces', () => {
  // a chunk longer than a piece, pieces that fill exactly, empty chunks: every boundary of the streamed writer
  const sizes = [0, 5, 262_144, 0, 300_000, 1, 262_143, 70_000, 200_000, 0];
  let x = 7;
  const chunks = sizes.map((n) => Int32Array.from({ length: n }, () => (x = Math.imul(x, 1103515245) + 12345) | 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const ids = new Int32Array(total);
  const offsets = new BigInt64Array(sizes.length + 1);
  let pos = 0;
  chunks.forEach((c, i) => {
    offsets[i] = BigInt(pos);
    ids.set(c, pos);
    pos += c.length;
  });
  offsets[sizes.length] = BigInt(pos);
  const whole = encodeSafetensors({ token_ids: { dtype: 'I32', shape: [total], data: ids }, offsets: { dtype: 'I64', shape: [sizes.length + 1], data: offsets } }, { tokenizer_sha256: 'ab' });
  let asked = 0;
  const parts = [...chunkTokenParts({ lengths: sizes, ids: (i) => (asked++, chunks[i]) }, { tokenizer_sha256: 'ab' })];
  assert.ok(parts.length > 4 && parts.every((p) => p.length <= 4 * 300_000), 'written in pieces');
  assert.equal(asked, sizes.length, 'each chunk read once');
  assert.ok(Buffer.concat(parts).equals(whole));
  assert.throws(() => [...chunkTokenParts({ lengths: [3], ids: () => [1, 2] })], /2 token ids, 3 expected/);
});

test('atomic dir: nothing visible until commit, abort leaves nothing, replace works', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-atomic-'));
  try {
    const target = path.join(root, 'out');
    // what a killed run leaves: its temp folder with the marker; a folder of the same shape without it is not ours
    fs.mkdirSync(path.join(root, '.out.tmp-999999999-1'));
    fs.writeFileSync(path.join(root, '.out.tmp-999999999-1', PARTIAL_MARKER), '');
    fs.mkdirSync(path.join(root, '.out.tmp-999999999-2'));
    fs.writeFileSync(path.join(root, '.out.tmp-999999999-2', 'mine.txt'), 'a user file');
    const a = new AtomicDir(target);
    assert.ok(!fs.existsSync(path.join(root, '.out.tmp-999999999-1')), 'stale temp folder of a dead process removed');
    assert.ok(fs.existsSync(path.join(root, '.out.tmp-999999999-2', 'mine.txt')), 'a folder without the marker is left alone');
    a.write('x/a.txt', 'hello');
    assert.ok(!fs.existsSync(target));
    a.abort();
    assert.deepEqual(fs.readdirSync(root), ['.out.tmp-999999999-2']);
    const b = new AtomicDir(target);
    const f = b.write('a.jsonl', jsonl([{ a: 1 }, { b: 2 }]));
    // a folder is replaced only when its manifest says this tool wrote every file in it
    b.write('manifest.json', JSON.stringify({ tool: { name: 'commit-corpus' }, files: [{ path: 'a.jsonl' }] }));
    assert.equal(f.bytes, 16);
    assert.ok(!fs.existsSync(target), 'not visible before commit');
    await b.commit();
    assert.equal(fs.readFileSync(path.join(target, 'a.jsonl'), 'utf8'), '{"a":1}\n{"b":2}\n');
    const c = new AtomicDir(target);
    c.write('b.txt', 'new');
    c.write('manifest.json', JSON.stringify({ tool: { name: 'commit-corpus' }, files: [{ path: 'b.txt' }, { path: 's/d.txt' }] }));
    const s = c.stream('s/d.txt');
    s.write('streamed');
    s.close();
    const aborted = new AtomicDir(path.join(root, 'other'));
    aborted.write('z.txt', 'z');
    const pending = aborted.commit();
    aborted.abort();
    await assert.rejects(pending, /aborted/);
    await c.commit();
    assert.equal(fs.readFileSync(path.join(target, 's', 'd.txt'), 'utf8'), 'streamed');
    assert.deepEqual(fs.readdirSync(target).sort(), ['b.txt', 'manifest.json', 's']);
    assert.deepEqual(fs.readdirSync(root).sort(), ['.out.tmp-999999999-2', 'out']);
    assert.equal(stableJson({ b: 1, a: { d: 1, c: 2 } }), '{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}\n');
    assert.deepEqual(percentiles([5, 1, 3, 2, 4]), { p50: 3, p90: 5, p95: 5, p99: 5, min: 1, max: 5, mean: 3 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('atomic dir through its writer thread: files larger than the ring, interleaved streams, exact bytes and sha256s; a failing write is an error, not a hang', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-writer-'));
  try {
    const target = path.join(root, 'out');
    const d = new AtomicDir(target);
    // 40 MB of multi-byte text in one string, 20 MB of bytes in one array (both more than the 16 MiB ring)
    const big = 'é€𝄞ab\n'.repeat(3_500_000);
    const bytes = new Uint8Array(20_000_000).map((_, i) => (i * 7919) % 251);
    const a = d.stream('a.txt');
    const b = d.stream('sub/b.bin');
    const want = { a: [] as Buffer[], b: [] as Buffer[] };
    for (let i = 0; i < 300; i++) {
      const line = `${i} ${'x'.repeat(i * 37)}\n`;
      a.write(line);
      want.a.push(Buffer.from(line));
      const chunk = bytes.subarray(i * 1000, i * 1000 + 999);
      b.write(chunk);
      want.b.push(Buffer.from(chunk));
    }
    a.write(big);
    want.a.push(Buffer.from(big));
    b.write(bytes);
    want.b.push(Buffer.from(bytes));
    const fa = a.close();
    const fb = b.close();
    const fc = d.write('c.json', ['{', '"k":', '1', '}']);
    await d.commit();
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    for (const [f, rel, parts] of [
      [fa, 'a.txt', want.a],
      [fb, 'sub/b.bin', want.b],
    ] as const) {
      const disk = fs.readFileSync(path.join(target, rel));
      assert.ok(disk.equals(Buffer.concat(parts)), `${rel} bytes`);
      assert.equal(f.bytes, disk.length);
      assert.equal(f.sha256, sha(disk));
    }
    assert.equal(fs.readFileSync(path.join(target, 'c.json'), 'utf8'), '{"k":1}');
    assert.equal(fc.sha256, sha(Buffer.from('{"k":1}')));
    assert.deepEqual(fs.readdirSync(root), ['out']);

    // a file that cannot be created (its name is taken by a folder): the error names the cause
    const e = new AtomicDir(path.join(root, 'bad'));
    fs.mkdirSync(path.join(e.tmp, 'taken'));
    assert.throws(() => e.write('taken', 'x'), /writing the output failed: .*EISDIR/);
    e.abort();
    assert.deepEqual(fs.readdirSync(root), ['out']);

    // aborted in the middle of a large file: nothing left
    const f = new AtomicDir(path.join(root, 'cut'));
    const s = f.stream('big.txt');
    s.write(big);
    f.abort();
    assert.deepEqual(fs.readdirSync(root), ['out']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('verify matching treats placeholders and chunker elisions as wildcards, nothing else', async () => {
  const { matchesWithPlaceholders: m } = await import('../../../src/core/dataset/verify');
  assert.ok(m('fn a() { … }\nfn b() {}', 'fn a() {\n  x\n}\nfn b() {}'));
  assert.ok(m('impl A {\n  …\n  fn c() {}\n}', 'impl A {\n  fn b() {}\n  fn c() {}\n}'));
  assert.ok(m('let k = "<REDACTED_AWS_KEY_1>";', 'let k = "AKIAIOSFODNN7EXAMPLE";'));
  assert.ok(!m('fn b() {}\n  …\nfn a() {}', 'fn a() {}\nfn b() {}'), 'order matters');
  assert.ok(!m('fn z() {}', 'fn a() {}'));
});

test('a run killed between moving the previous output aside and renaming the new one in: the next run puts the previous output back', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-recover-'));
  try {
    const target = path.join(root, 'out');
    const aside = path.join(root, '.out.tmp-999999998-3.old');
    fs.mkdirSync(path.join(aside, 'dataset'), { recursive: true });
    fs.writeFileSync(path.join(aside, 'dataset', 'train.jsonl'), '{"a":1}\n');
    fs.writeFileSync(path.join(aside, 'manifest.json'), JSON.stringify({ tool: { name: 'commit-corpus' }, files: [{ path: 'dataset/train.jsonl' }] }));
    const half = path.join(root, '.out.tmp-999999998-3');
    fs.mkdirSync(half);
    fs.writeFileSync(path.join(half, PARTIAL_MARKER), '');
    const d = new AtomicDir(target);
    assert.equal(fs.readFileSync(path.join(target, 'dataset', 'train.jsonl'), 'utf8'), '{"a":1}\n', 'the previous output is back in place');
    assert.ok(!fs.existsSync(aside) && !fs.existsSync(half));
    d.abort();
    assert.deepEqual(fs.readdirSync(root), ['out']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
