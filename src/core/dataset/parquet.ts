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
import { expandExample, type CompactExample, type Example, type TextResolver, type WindowOptions } from './examples';

const LIST_COLUMNS = ['input_ids', 'labels', 'attention_mask', 'context', 'target', 'context_mask', 'target_mask'] as const;
const INT_COLUMNS = ['num_chunks', 'part', 'parts', 'context_length', 'target_length'] as const;
const STRING_COLUMNS = ['commit_hash', 'example_type'] as const;
const ROW_GROUP = 256;

type SchemaElement = Record<string, unknown>;
type Column = { name: string; path: SchemaElement[]; values: (rows: Example[]) => PageData };
interface PageData {
  values: unknown[] | Int32Array;
  definitionLevels: number[];
  repetitionLevels: number[];
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
    const start = this.writer.offset;
    const columns: unknown[] = [];
    for (const col of COLUMNS) {
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
      const result = writeColumn({ writer: this.writer, column: column as any, pageData: col.values(rows) as any });
      columns.push(result.chunk);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (this.pendingIndexes as any[]).push(result);
    }
    let total = 0n;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const c of columns as any[]) total += c.meta_data?.total_uncompressed_size ?? 0n;
    this.num_rows += BigInt(rows.length);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (this.row_groups as any[]).push({ columns, total_byte_size: total, num_rows: BigInt(rows.length), total_compressed_size: BigInt(this.writer.offset - start) });
  }
}

/**
 * Streams a Parquet file of the examples to `sink` in ~1 MB pieces (each piece is only valid during
 * the call: the sink must write or copy it). Row groups of ROW_GROUP rows keep memory bounded.
 */
export function writeExamplesParquet(examples: CompactExample[], w: WindowOptions, createdBy: string, sink: (bytes: Uint8Array) => void, resolve?: TextResolver): void {
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
  for (let i = 0; i < examples.length; i += ROW_GROUP) pw.writeRows(examples.slice(i, i + ROW_GROUP).map((c) => expandExample(c, w, resolve)));
  pw.finish();
}

/** The whole Parquet file in memory (tests, small outputs). */
export function examplesToParquet(examples: CompactExample[], w: WindowOptions, createdBy: string, resolve?: TextResolver): Buffer {
  const parts: Buffer[] = [];
  writeExamplesParquet(examples, w, createdBy, (b) => parts.push(Buffer.from(b)), resolve);
  return Buffer.concat(parts);
}
