/**
 * An independent reader of our Parquet files: arrow-rs's Parquet reader (npm parquet-wasm, the Rust
 * Parquet implementation compiled to wasm), standing in for pyarrow / Hugging Face `datasets` that
 * cannot be installed here. The Arrow table it decodes is read straight from wasm memory through the
 * Arrow C data interface (wasm32 struct layout), so no JS Parquet or Arrow code is involved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readParquet, wasmMemory } from 'parquet-wasm/node';
import { buildCommitExamples, buildSequentialExamples, expandExample, type CompactExample, type Example, type WindowOptions } from '../../../src/core/examples/examples';
import { examplesToParquet } from '../../../src/core/dataset/parquet';
import { rng } from '../../fixtures/rng';

type Column = { name: string; format: string; values: unknown[] };

/** Columns of one ArrowArray (a struct: a record batch) of the given ArrowSchema, as JS values. */
function readStruct(mem: ArrayBuffer, arrayAddr: number, schemaAddr: number): Column[] {
  const v = new DataView(mem);
  const u8 = new Uint8Array(mem);
  const cstr = (p: number) => {
    let e = p;
    while (u8[e] !== 0) e++;
    return Buffer.from(u8.subarray(p, e)).toString('utf8');
  };
  const schema = (p: number) => ({ format: cstr(v.getUint32(p, true)), name: cstr(v.getUint32(p + 4, true)), nChildren: Number(v.getBigInt64(p + 24, true)), children: v.getUint32(p + 32, true) });
  const array = (p: number) => ({
    length: Number(v.getBigInt64(p, true)),
    nullCount: Number(v.getBigInt64(p + 8, true)),
    offset: Number(v.getBigInt64(p + 16, true)),
    buffers: v.getUint32(p + 40, true),
    children: v.getUint32(p + 44, true),
  });
  const buffer = (a: { buffers: number }, i: number) => v.getUint32(a.buffers + 4 * i, true);
  const int32 = (base: number, i: number) => v.getInt32(base + 4 * i, true);
  const values = (ap: number, sp: number): unknown[] => {
    const a = array(ap);
    const s = schema(sp);
    assert.equal(a.nullCount, 0, `${s.name}: no nulls`);
    const out: unknown[] = [];
    if (s.format === 'i') {
      for (let i = 0; i < a.length; i++) out.push(int32(buffer(a, 1), a.offset + i));
    } else if (s.format === 'u') {
      const offs = buffer(a, 1);
      const data = buffer(a, 2);
      for (let i = 0; i < a.length; i++) out.push(Buffer.from(u8.subarray(data + int32(offs, a.offset + i), data + int32(offs, a.offset + i + 1))).toString('utf8'));
    } else if (s.format === '+l') {
      const offs = buffer(a, 1);
      const child = values(v.getUint32(a.children, true), v.getUint32(s.children, true));
      for (let i = 0; i < a.length; i++) out.push(child.slice(int32(offs, a.offset + i), int32(offs, a.offset + i + 1)));
    } else throw new Error(`${s.name}: unexpected Arrow format ${s.format}`);
    return out;
  };
  const root = schema(schemaAddr);
  const rootArray = array(arrayAddr);
  assert.equal(root.format, '+s');
  assert.equal(rootArray.offset, 0);
  return Array.from({ length: root.nChildren }, (_, i) => {
    const cs = v.getUint32(root.children + 4 * i, true);
    const { name, format } = schema(cs);
    const childFormat = format === '+l' ? `+l<${schema(v.getUint32(schema(cs).children, true)).format}>` : format;
    return { name, format: childFormat, values: values(v.getUint32(rootArray.children + 4 * i, true), cs) };
  });
}

/** Every row of a Parquet file, read by arrow-rs, as { column: value } plus each column's Arrow format. */
function readWithArrowRs(file: Buffer): { rows: Array<Record<string, unknown>>; formats: Record<string, string> } {
  const table = readParquet(new Uint8Array(file));
  const stream = table.intoFFI();
  try {
    const mem = wasmMemory().buffer;
    const rows: Array<Record<string, unknown>> = [];
    const formats: Record<string, string> = {};
    for (let b = 0; b < stream.numArrays(); b++) {
      const cols = readStruct(mem, stream.arrayAddr(b), stream.schemaAddr());
      const n = cols[0]?.values.length ?? 0;
      for (const c of cols) formats[c.name] = c.format;
      for (let i = 0; i < n; i++) rows.push(Object.fromEntries(cols.map((c) => [c.name, c.values[i]])));
    }
    return { rows, formats };
  } finally {
    stream.free();
  }
}

function assertArrowReads(rows: CompactExample[], w: WindowOptions): void {
  const file = examplesToParquet(rows, w, 'test');
  const { rows: back, formats } = readWithArrowRs(file);
  const expected: Example[] = rows.map((c) => expandExample(c, w));
  assert.equal(back.length, expected.length);
  const names = Object.keys(expected[0] ?? {});
  assert.deepEqual(Object.keys(formats).sort(), names.sort(), 'same columns');
  for (const n of names) {
    const sample = (expected[0] as unknown as Record<string, unknown>)[n];
    assert.equal(formats[n], Array.isArray(sample) ? '+l<i>' : typeof sample === 'string' ? 'u' : 'i', `Arrow type of ${n}`);
  }
  expected.forEach((e, i) => {
    for (const n of names) assert.deepEqual(back[i][n], (e as unknown as Record<string, unknown>)[n], `row ${i} column ${n}`);
  });
}

test('arrow-rs (parquet-wasm) reads every column of every row as written: several row groups and pages', () => {
  const w = { contextWindow: 2048, targetWindow: 256, padId: 151643 };
  const r = rng(11);
  const ids = (n: number) => Int32Array.from({ length: n }, () => Math.floor(r() * 151000));
  const rows: CompactExample[] = [];
  for (let i = 0; rows.length < 300; i++) {
    const nc = i % 40 === 0 ? 2048 : 50 + Math.floor(r() * 1999);
    const nt = i % 30 === 0 ? 700 : 10 + Math.floor(r() * 247); // 700: a target split into parts
    rows.push(
      ...buildCommitExamples(
        { commitHash: `${i}`.padStart(40, '0'), numChunks: 1 + (i % 4), contextIds: ids(nc), targetIds: ids(nt), meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } },
        w,
      ).examples,
    );
  }
  assertArrowReads(rows, w);
});

test('arrow-rs (parquet-wasm) reads sequential examples, a 1-row file and exact window sizes', () => {
  const w = { contextWindow: 8, targetWindow: 4, padId: 0 };
  const segs = [
    { commitHash: 'a'.repeat(40), ids: Array.from({ length: 29 }, (_, i) => i + 1), path: 'a.rs', language: 'rust', kind: 'fn' },
    { commitHash: 'b'.repeat(40), ids: Array.from({ length: 5 }, (_, i) => 500 + i), path: 'b.rs', language: 'rust', kind: 'fn' },
  ];
  assertArrowReads(buildSequentialExamples(segs, w), w);
  assertArrowReads(
    buildCommitExamples({ commitHash: 'c', numChunks: 1, contextIds: [1, 2, 3, 4, 5, 6, 7, 8], targetIds: [9, 10, 11, 12], meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] } }, w).examples,
    w,
  );
});
