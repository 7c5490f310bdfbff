/**
 * Parquet export of examples with hyparquet-writer: scalar columns plus `list<int32>` columns
 * (3-level LIST, as pyarrow / Hugging Face `datasets` expect). Deterministic bytes (no timestamps).
 *
 * hyparquet-writer writes the file structure (schema, row groups, footer, offset indexes) and the flat
 * columns. Its generic nested encoder visits every repetition/definition level and value of the padded
 * lists (most of the time of a build's write phase), so the list columns of rows that fit their
 * windows are written page by page by parquetPages.ts: the same bytes, O(rows) levels. Three paths,
 * all giving the same bytes (tests): 'fast' (default), 'columns' (the list columns' padded values and
 * levels handed to hyparquet-writer's writeColumn), 'rows' (padded Example rows, the reference).
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { COMPACT_META, COMPACT_SCALARS, expandExample, IGNORE_INDEX, type CompactExample, type Decode, type Example, type RowMeta, type WindowOptions } from '../examples/examples';
import { writeListColumn, type RowFiller, type Runs } from './parquetPages';

/** How a row group is encoded: all three give the same bytes. */
export type ParquetPath = 'fast' | 'columns' | 'rows';

const LIST_COLUMNS = ['input_ids', 'labels', 'attention_mask', 'context', 'target', 'context_mask', 'target_mask'] as const;
const INT_COLUMNS = ['num_chunks', 'part', 'parts', 'context_length', 'target_length'] as const;
const STRING_COLUMNS = ['commit_hash', 'example_type'] as const;
const ROW_GROUP = 256;
const PAGE_SIZE = 1 << 20;

type SchemaElement = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Column<R = any> = { name: string; path: SchemaElement[]; values: (rows: R[]) => PageData };
interface PageData {
  values: unknown[] | Int32Array;
  definitionLevels: ArrayLike<number>;
  repetitionLevels: ArrayLike<number>;
  maxDefinitionLevel: number;
}

const ROOT: SchemaElement = { name: 'root' };

function flat<R>(name: string, el: SchemaElement, get: (e: R) => unknown): Column<R> {
  return {
    name,
    path: [ROOT, { name, repetition_type: 'REQUIRED', ...el }],
    values: (rows) => ({ values: rows.map(get), definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 }),
  };
}

/** The schema path of a required 3-level LIST column of required `element`s. */
function listPath(name: string, element: SchemaElement): SchemaElement[] {
  return [
    ROOT,
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', ...element, repetition_type: 'REQUIRED' },
  ];
}

function list<R extends object>(name: string): Column<R> {
  const of = (r: R) => (r as unknown as Record<string, ArrayLike<number>>)[name];
  return {
    name,
    path: listPath(name, { type: 'INT32' }),
    values: (rows) => {
      let n = 0;
      for (const r of rows) n += Math.max(1, of(r).length);
      const values = new Int32Array(n);
      const def = new Array<number>(n).fill(1);
      const rep = new Array<number>(n).fill(1);
      let k = 0;
      for (const r of rows) {
        const a = of(r);
        rep[k] = 0;
        if (a.length === 0) {
          def[k] = 0; // empty list: one slot, no value
          k++;
          continue;
        }
        values.set(a, k);
        k += a.length;
      }
      const nonEmpty = rows.every((r) => of(r).length > 0);
      return { values: nonEmpty ? values : Array.from(values).filter((_, i) => def[i] === 1), definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 1 };
    },
  };
}

const UTF8: SchemaElement = { type: 'BYTE_ARRAY', converted_type: 'UTF8' };
const INT32: SchemaElement = { type: 'INT32' };
const BOOLEAN: SchemaElement = { type: 'BOOLEAN' };
const SCALAR_TYPES = { string: UTF8, int: INT32, bool: BOOLEAN } as const;

/** A list<string> column (3-level LIST of UTF8). */
export function stringList<R>(name: string, get: (r: R) => readonly string[]): Column<R> {
  return {
    name,
    path: listPath(name, UTF8),
    values: (rows) => {
      const values: string[] = [];
      const def: number[] = [];
      const rep: number[] = [];
      for (const r of rows) {
        const a = get(r);
        if (a.length === 0) {
          def.push(0); // empty list: one slot, no value
          rep.push(0);
          continue;
        }
        a.forEach((v, i) => {
          values.push(v);
          def.push(1);
          rep.push(i === 0 ? 0 : 1);
        });
      }
      return { values, definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 1 };
    },
  };
}

/** A required scalar column of the given type. */
export function scalar<R>(name: string, type: keyof typeof SCALAR_TYPES, get: (r: R) => unknown): Column<R> {
  return flat<R>(name, SCALAR_TYPES[type], get);
}

/** The seed layout's padded rows. */
const COLUMNS: Array<Column<Example>> = [
  ...STRING_COLUMNS.map((c) => flat<Example>(c, UTF8, (e) => e[c])),
  ...INT_COLUMNS.map((c) => flat<Example>(c, INT32, (e) => e[c])),
  ...LIST_COLUMNS.map((c) => list<Example>(c)),
  flat<Example>('text', UTF8, (e) => e.text),
];

/** A compact row as the default layout's columns read it: the example and its metadata. */
interface CompactRowIn {
  c: CompactExample;
  m: RowMeta;
}

/** An unpadded list<int32> column: each row's `len(r)` values written by `fill` (no intermediate arrays). */
function compactList(name: string, len: (r: CompactRowIn) => number, fill: (r: CompactRowIn, out: Int32Array, o: number) => void): Column<CompactRowIn> {
  return {
    name,
    path: list(name).path,
    values: (rows) => {
      let n = 0;
      for (const r of rows) n += Math.max(1, len(r));
      const values = new Int32Array(n);
      const def = new Uint8Array(n).fill(1);
      const rep = new Uint8Array(n).fill(1);
      let k = 0;
      let empty = false;
      for (const r of rows) {
        const l = len(r);
        rep[k] = 0;
        if (l === 0) {
          def[k++] = 0; // empty list: one slot, no value
          empty = true;
          continue;
        }
        fill(r, values, k);
        k += l;
      }
      return { values: empty ? Array.from(values).filter((_, i) => def[i] === 1) : values, definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 1 };
    },
  };
}

const realTokens = (r: CompactRowIn) => r.c.ctx.length + r.c.tgt.length;

/** The default layout's compact rows (the fields of examples/examples.ts compactRow, in its order). */
const COMPACT_COLUMNS: Array<Column<CompactRowIn>> = [
  ...COMPACT_SCALARS.map((f) => scalar<CompactRowIn>(f.name, f.type, (r) => f.get(r.c, r.m))),
  ...COMPACT_META.map((k) => stringList<CompactRowIn>(k, (r) => r.c.meta[k])),
  compactList('input_ids', realTokens, (r, out, o) => {
    out.set(r.c.ctx, o);
    out.set(r.c.tgt, o + r.c.ctx.length);
  }),
  compactList('labels', realTokens, (r, out, o) => {
    if (r.c.example_type === 'sequential') out.set(r.c.ctx, o);
    else out.fill(IGNORE_INDEX, o, o + r.c.ctx.length);
    out.set(r.c.tgt, o + r.c.ctx.length);
  }),
  compactList('attention_mask', realTokens, (r, out, o) => out.fill(1, o, o + realTokens(r))),
];

export function parquetSchema(columns: Column[] = COLUMNS): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap((c) => c.path.slice(1))];
}

/** A list column's rows for parquetPages.ts (the fast path) instead of its padded page data. */
interface FastList {
  rows: CompactExample[];
  len: number;
  fill: RowFiller;
}

class ExampleParquetWriter extends ParquetWriter {
  writeRows(rows: unknown[], cols: Column[] = COLUMNS): void {
    this.writeColumns(
      rows.length,
      cols.map((col) => col.values(rows)),
      cols,
    );
  }

  /** One row group of `numRows` rows from each column's page data or fast list (in `cols` order). */
  writeColumns(numRows: number, pages: Array<PageData | FastList>, cols: Column[] = COLUMNS): void {
    const start = this.writer.offset;
    const columns: unknown[] = [];
    for (const [ci, col] of cols.entries()) {
      const data = pages[ci];
      let result;
      if ('fill' in data) {
        result = writeListColumn(
          this.writer,
          { schemaPath: col.path as Array<{ name: string }>, len: data.len, fill: data.fill },
          data.rows,
          this.compressors.SNAPPY as (b: Uint8Array) => Uint8Array,
          PAGE_SIZE,
        );
      } else {
        const element = col.path[col.path.length - 1];
        const column = {
          columnName: col.path
            .slice(1)
            .map((s) => s.name)
            .join('.'),
          element,
          schemaPath: col.path,
          codec: 'SNAPPY',
          compressors: this.compressors,
          stats: false,
          pageSize: PAGE_SIZE,
          offsetIndex: true,
          columnIndex: false,
          encoding: element.type === 'INT32' && col.path.length > 2 ? 'DELTA_BINARY_PACKED' : undefined,
        };
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        result = writeColumn({ writer: this.writer, column: column as any, pageData: data as any });
      }
      columns.push(result.chunk);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (this.pendingIndexes as any[]).push(result);
    }
    let total = 0n;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const c of columns as any[]) total += c.meta_data?.total_uncompressed_size ?? 0n;
    this.num_rows += BigInt(numRows);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (this.row_groups as any[]).push({ columns, total_byte_size: total, num_rows: BigInt(numRows), total_compressed_size: BigInt(this.writer.offset - start) });
  }
}

type ListName = (typeof LIST_COLUMNS)[number];

/** Each list column's padded length and how one compact row (that fits its windows) fills it. */
function listFillers(w: WindowOptions): Record<ListName, { len: number; fill: RowFiller }> {
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  const total = cw + tw;
  return {
    input_ids: {
      len: total,
      fill: (c, out, o, runs) => {
        out.set(c.ctx, o);
        out.set(c.tgt, o + c.ctx.length);
        run(out, o + c.ctx.length + c.tgt.length, o + total, padId, runs);
      },
    },
    labels: {
      len: total,
      fill: (c, out, o, runs) => {
        if (c.example_type === 'sequential') out.set(c.ctx, o);
        else run(out, o, o + c.ctx.length, IGNORE_INDEX, runs);
        out.set(c.tgt, o + c.ctx.length);
        run(out, o + c.ctx.length + c.tgt.length, o + total, IGNORE_INDEX, runs);
      },
    },
    attention_mask: { len: total, fill: (c, out, o, runs) => mask(out, o, c.ctx.length + c.tgt.length, total, runs) },
    context: { len: cw, fill: (c, out, o, runs) => padded(out, o, c.ctx, cw, padId, runs) },
    target: { len: tw, fill: (c, out, o, runs) => padded(out, o, c.tgt, tw, padId, runs) },
    context_mask: { len: cw, fill: (c, out, o, runs) => mask(out, o, c.ctx.length, cw, runs) },
    target_mask: { len: tw, fill: (c, out, o, runs) => mask(out, o, c.tgt.length, tw, runs) },
  };
}

/** out[start, end) = value, a run the delta encoder may skip. */
function run(out: Int32Array, start: number, end: number, value: number, runs?: Runs): void {
  out.fill(value, start, end);
  runs?.add(start, end);
}

function padded(out: Int32Array, o: number, ids: Int32Array, len: number, padId: number, runs?: Runs): void {
  out.set(ids, o);
  run(out, o + ids.length, o + len, padId, runs);
}

function mask(out: Int32Array, o: number, ones: number, len: number, runs?: Runs): void {
  run(out, o, o + ones, 1, runs);
  run(out, o + ones, o + len, 0, runs);
}

/** The flat (scalar and string) columns' values of compact rows. */
function flatValues(rows: CompactExample[], decode?: Decode): Record<string, unknown[]> {
  return {
    commit_hash: rows.map((c) => c.commit_hash),
    example_type: rows.map((c) => c.example_type),
    num_chunks: rows.map((c) => c.num_chunks),
    part: rows.map((c) => c.part),
    parts: rows.map((c) => c.parts),
    context_length: rows.map((c) => c.ctx.length),
    target_length: rows.map((c) => c.tgt.length),
    text: rows.map((c) => (decode ? decode(c.ctx) + decode(c.tgt) : '')),
  };
}

const flatPage = (values: unknown[]): PageData => ({ values, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 });

/** 'fast': flat columns through hyparquet-writer, list columns by parquetPages.ts. */
function fastColumns(rows: CompactExample[], w: WindowOptions, decode?: Decode): Array<PageData | FastList> {
  const lists = listFillers(w);
  const flat = flatValues(rows, decode);
  return COLUMNS.map((col) => (col.name in lists ? { rows, ...lists[col.name as ListName] } : flatPage(flat[col.name])));
}

/** 'columns': every column's padded values and levels handed to hyparquet-writer's writeColumn. */
function compactPages(rows: CompactExample[], w: WindowOptions, decode?: Decode): PageData[] {
  const lists = listFillers(w);
  const flat = flatValues(rows, decode);
  return COLUMNS.map((col) => {
    if (!(col.name in lists)) return flatPage(flat[col.name]);
    const { len, fill } = lists[col.name as ListName];
    const values = new Int32Array(rows.length * len);
    rows.forEach((c, r) => fill(c, values, r * len));
    const def = new Uint8Array(values.length).fill(1);
    const rep = new Uint8Array(values.length).fill(1);
    for (let i = 0; i < rep.length; i += len) rep[i] = 0;
    return { values, definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 1 };
  });
}

/**
 * Streams a Parquet file of the examples to `sink` in ~1 MB pieces (each piece is only valid during
 * the call: the sink must write or copy it). Row groups of ROW_GROUP rows keep memory bounded.
 */
export function writeExamplesParquet(
  examples: Iterable<CompactExample>,
  w: WindowOptions,
  createdBy: string,
  sink: (bytes: Uint8Array) => void,
  decode?: Decode,
  /** Always go through padded Example rows (the reference the fast path is tested against). */
  expanded = false,
): void {
  writeParquetVia(expanded ? 'rows' : 'fast', examples, w, createdBy, sink, decode);
}

/**
 * writeExamplesParquet through a chosen path (tests and bench/parquet.ts compare them). A row group
 * with a row longer than its windows, or windows of 0 (empty lists), always goes through padded rows.
 */
export function writeParquetVia(path: ParquetPath, examples: Iterable<CompactExample>, w: WindowOptions, createdBy: string, sink: (bytes: Uint8Array) => void, decode?: Decode): void {
  const writer = pieceWriter(sink);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pw = new ExampleParquetWriter({ writer, schema: parquetSchema() as any, createdBy, statistics: false });
  const fits = (c: CompactExample) => c.ctx.length <= w.contextWindow && c.tgt.length <= w.targetWindow;
  const nonEmptyLists = w.contextWindow >= 1 && w.targetWindow >= 1; // the fast levels assume it
  for (const rows of batches(examples, ROW_GROUP)) {
    if (path === 'rows' || !nonEmptyLists || !rows.every(fits)) pw.writeRows(rows.map((c) => expandExample(c, w, decode)));
    else if (path === 'columns') pw.writeColumns(rows.length, compactPages(rows, w, decode));
    else pw.writeColumns(rows.length, fastColumns(rows, w, decode));
  }
  pw.finish();
}

/** `rows` in arrays of `n` (the last one shorter): a row group at a time, whatever holds the rows. */
function* batches<T>(rows: Iterable<T>, n: number): Generator<T[]> {
  let batch: T[] = [];
  for (const r of rows) {
    batch.push(r);
    if (batch.length === n) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The whole Parquet file in memory (tests, small outputs). */
export function examplesToParquet(examples: CompactExample[], w: WindowOptions, createdBy: string, decode?: Decode, expanded = false): Buffer {
  return parquetVia(expanded ? 'rows' : 'fast', examples, w, createdBy, decode);
}

/** examplesToParquet through a chosen path. */
export function parquetVia(path: ParquetPath, examples: CompactExample[], w: WindowOptions, createdBy: string, decode?: Decode): Buffer {
  const parts: Buffer[] = [];
  writeParquetVia(path, examples, w, createdBy, (b) => parts.push(Buffer.from(b)), decode);
  return Buffer.concat(parts);
}

/**
 * Streams a Parquet file of the default layout's compact rows to `sink`, like writeExamplesParquet: the same rows
 * as compactRow (a test reads both back), its lists unpadded.
 */
export function writeCompactParquet(examples: Iterable<CompactExample>, meta: (c: CompactExample) => RowMeta, createdBy: string, sink: (bytes: Uint8Array) => void): void {
  const writer = pieceWriter(sink);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pw = new ExampleParquetWriter({ writer, schema: parquetSchema(COMPACT_COLUMNS) as any, createdBy, statistics: false });
  for (const rows of batches(examples, ROW_GROUP))
    pw.writeRows(
      rows.map((c) => ({ c, m: meta(c) })),
      COMPACT_COLUMNS,
    );
  pw.finish();
}

/**
 * Streams a Parquet file of any rows to `sink`: the given columns, ROW_GROUP rows per row group (the trainer-shaped
 * files of dataset/emit.ts).
 */
export function writeRowsParquet<R>(rows: Iterable<R>, columns: Array<Column<R>>, createdBy: string, sink: (bytes: Uint8Array) => void): void {
  const writer = pieceWriter(sink);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pw = new ExampleParquetWriter({ writer, schema: parquetSchema(columns) as any, createdBy, statistics: false });
  let group: R[] = [];
  for (const r of rows) {
    group.push(r);
    if (group.length === ROW_GROUP) {
      pw.writeRows(group, columns);
      group = [];
    }
  }
  if (group.length) pw.writeRows(group, columns);
  pw.finish();
}

export type { Column };

/** A ByteWriter that hands ~1 MB pieces to `sink` as it fills (each piece valid only during the call). */
function pieceWriter(sink: (bytes: Uint8Array) => void): ByteWriter {
  const writer = new ByteWriter(1 << 21);
  const flush = () => {
    if (writer.index > 0) sink(new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
  };
  const ensure = writer.ensure.bind(writer);
  writer.ensure = (size: number) => {
    if (writer.index > 1 << 20) flush();
    ensure(size);
  };
  writer.finish = flush;
  return writer;
}
