/**
 * Parquet export of examples with hyparquet-writer: scalar columns plus `list<int32>` columns
 * (3-level LIST, as pyarrow / Hugging Face `datasets` expect). Deterministic bytes (no timestamps).
 *
 * hyparquet-writer's generic nested encoder visits every value; our lists are never null nor empty,
 * so their repetition/definition levels are computed directly here and each column chunk is handed
 * to its `writeColumn` (row groups of ROW_GROUP rows keep memory bounded).
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { expandExample, IGNORE_INDEX, type CompactExample, type Example, type TextResolver, type WindowOptions } from './examples';

const LIST_COLUMNS = ['input_ids', 'labels', 'attention_mask', 'context', 'target', 'context_mask', 'target_mask'] as const;
const INT_COLUMNS = ['num_chunks', 'part', 'parts', 'context_length', 'target_length'] as const;
const STRING_COLUMNS = ['commit_hash', 'example_type'] as const;
const ROW_GROUP = 256;

type SchemaElement = Record<string, unknown>;
type Column = { name: string; path: SchemaElement[]; values: (rows: Example[]) => PageData };
interface PageData {
  values: unknown[] | Int32Array;
  definitionLevels: ArrayLike<number>;
  repetitionLevels: ArrayLike<number>;
  maxDefinitionLevel: number;
}

const ROOT: SchemaElement = { name: 'root' };

function flat(name: string, el: SchemaElement, get: (e: Example) => unknown): Column {
  return {
    name,
    path: [ROOT, { name, repetition_type: 'REQUIRED', ...el }],
    values: (rows) => ({ values: rows.map(get), definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 }),
  };
}

function list(name: (typeof LIST_COLUMNS)[number]): Column {
  return {
    name,
    path: [
      ROOT,
      { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' },
    ],
    values: (rows) => {
      let n = 0;
      for (const r of rows) n += Math.max(1, r[name].length);
      const values = new Int32Array(n);
      const def = new Array<number>(n).fill(1);
      const rep = new Array<number>(n).fill(1);
      let k = 0;
      for (const r of rows) {
        const a = r[name];
        rep[k] = 0;
        if (a.length === 0) {
          def[k] = 0; // empty list: one slot, no value
          k++;
          continue;
        }
        values.set(a, k);
        k += a.length;
      }
      const nonEmpty = rows.every((r) => r[name].length > 0);
      return { values: nonEmpty ? values : Array.from(values).filter((_, i) => def[i] === 1), definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 1 };
    },
  };
}

const COLUMNS: Column[] = [
  ...STRING_COLUMNS.map((c) => flat(c, { type: 'BYTE_ARRAY', converted_type: 'UTF8' }, (e) => e[c])),
  ...INT_COLUMNS.map((c) => flat(c, { type: 'INT32' }, (e) => e[c])),
  ...LIST_COLUMNS.map(list),
  flat('text', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }, (e) => e.text),
];

export function parquetSchema(): SchemaElement[] {
  return [{ name: 'root', num_children: COLUMNS.length }, ...COLUMNS.flatMap((c) => c.path.slice(1))];
}

class ExampleParquetWriter extends ParquetWriter {
  writeRows(rows: Example[]): void {
    this.writeColumns(rows.length, COLUMNS.map((col) => col.values(rows)));
  }

  /** One row group of `numRows` rows from each column's page data (in COLUMNS order). */
  writeColumns(numRows: number, pages: PageData[]): void {
    const start = this.writer.offset;
    const columns: unknown[] = [];
    for (const [ci, col] of COLUMNS.entries()) {
      const element = col.path[col.path.length - 1];
      const column = {
        columnName: col.path.slice(1).map((s) => s.name).join('.'),
        element,
        schemaPath: col.path,
        codec: 'SNAPPY',
        compressors: this.compressors,
        stats: false,
        pageSize: 1 << 20,
        offsetIndex: true,
        columnIndex: false,
        encoding: element.type === 'INT32' && col.path.length > 2 ? 'DELTA_BINARY_PACKED' : undefined,
      };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const result = writeColumn({ writer: this.writer, column: column as any, pageData: pages[ci] as any });
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

/**
 * Fast path: the page data of every column straight from compact rows that fit their windows (the
 * padded lists have a fixed length per column, so their levels are the same for every row group of a
 * size and are shared). Same values, same levels, so the same bytes as writeRows(expanded rows).
 */
const levelCache = new Map<string, { def: Uint8Array; rep: Uint8Array }>();

function levels(rows: number, len: number): { def: Uint8Array; rep: Uint8Array } {
  const key = `${rows}:${len}`;
  let l = levelCache.get(key);
  if (!l) {
    const def = new Uint8Array(rows * len).fill(1);
    const rep = new Uint8Array(rows * len).fill(1);
    for (let r = 0; r < rows; r++) rep[r * len] = 0;
    if (levelCache.size > 16) levelCache.clear();
    levelCache.set(key, (l = { def, rep }));
  }
  return l;
}

function compactPages(rows: CompactExample[], w: WindowOptions, resolve?: TextResolver): PageData[] {
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  const total = cw + tw;
  const n = rows.length;
  const lists: Record<(typeof LIST_COLUMNS)[number], Int32Array> = {
    input_ids: new Int32Array(n * total),
    labels: new Int32Array(n * total),
    attention_mask: new Int32Array(n * total),
    context: new Int32Array(n * cw),
    target: new Int32Array(n * tw),
    context_mask: new Int32Array(n * cw),
    target_mask: new Int32Array(n * tw),
  };
  rows.forEach((c, r) => {
    const nc = c.ctx.length;
    const nt = c.tgt.length;
    let o = r * total;
    const ids = lists.input_ids;
    ids.set(c.ctx, o);
    ids.set(c.tgt, o + nc);
    ids.fill(padId, o + nc + nt, o + total);
    const lab = lists.labels;
    if (c.example_type === 'sequential') lab.set(c.ctx, o);
    else lab.fill(IGNORE_INDEX, o, o + nc);
    lab.set(c.tgt, o + nc);
    lab.fill(IGNORE_INDEX, o + nc + nt, o + total);
    lists.attention_mask.fill(1, o, o + nc + nt); // the rest stays 0
    o = r * cw;
    lists.context.set(c.ctx, o);
    lists.context.fill(padId, o + nc, o + cw);
    lists.context_mask.fill(1, o, o + nc);
    o = r * tw;
    lists.target.set(c.tgt, o);
    lists.target.fill(padId, o + nt, o + tw);
    lists.target_mask.fill(1, o, o + nt);
  });
  const lens: Record<(typeof LIST_COLUMNS)[number], number> = { input_ids: total, labels: total, attention_mask: total, context: cw, target: tw, context_mask: cw, target_mask: tw };
  const flatValues: Record<string, unknown[]> = {
    commit_hash: rows.map((c) => c.commit_hash),
    example_type: rows.map((c) => c.example_type),
    num_chunks: rows.map((c) => c.num_chunks),
    part: rows.map((c) => c.part),
    parts: rows.map((c) => c.parts),
    context_length: rows.map((c) => c.ctx.length),
    target_length: rows.map((c) => c.tgt.length),
    text: rows.map((c) => (typeof c.text === 'string' ? c.text : resolve ? resolve(c.text) : '')),
  };
  return COLUMNS.map((col) => {
    if (col.name in lens) {
      const name = col.name as (typeof LIST_COLUMNS)[number];
      const l = levels(n, lens[name]);
      return { values: lists[name], definitionLevels: l.def, repetitionLevels: l.rep, maxDefinitionLevel: 1 };
    }
    return { values: flatValues[col.name], definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 };
  });
}

/**
 * Streams a Parquet file of the examples to `sink` in ~1 MB pieces (each piece is only valid during
 * the call: the sink must write or copy it). Row groups of ROW_GROUP rows keep memory bounded.
 */
export function writeExamplesParquet(
  examples: CompactExample[],
  w: WindowOptions,
  createdBy: string,
  sink: (bytes: Uint8Array) => void,
  resolve?: TextResolver,
  /** Always go through padded Example rows (the reference the fast path is tested against). */
  expanded = false,
): void {
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pw = new ExampleParquetWriter({ writer, schema: parquetSchema() as any, createdBy, statistics: false });
  for (let i = 0; i < examples.length; i += ROW_GROUP) {
    const rows = examples.slice(i, i + ROW_GROUP);
    if (!expanded && rows.every((c) => c.ctx.length <= w.contextWindow && c.tgt.length <= w.targetWindow)) pw.writeColumns(rows.length, compactPages(rows, w, resolve));
    else pw.writeRows(rows.map((c) => expandExample(c, w, resolve)));
  }
  pw.finish();
}

/** The whole Parquet file in memory (tests, small outputs). */
export function examplesToParquet(examples: CompactExample[], w: WindowOptions, createdBy: string, resolve?: TextResolver, expanded = false): Buffer {
  const parts: Buffer[] = [];
  writeExamplesParquet(examples, w, createdBy, (b) => parts.push(Buffer.from(b)), resolve, expanded);
  return Buffer.concat(parts);
}
