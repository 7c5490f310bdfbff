/**
 * Parquet export of examples with hyparquet-writer: scalar columns plus `list<int32>` columns
 * (3-level LIST, as pyarrow / Hugging Face `datasets` expect). Deterministic bytes (no timestamps).
 */
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { Example } from './examples';

const LIST_COLUMNS = ['input_ids', 'labels', 'attention_mask', 'context', 'target', 'context_mask', 'target_mask'] as const;

type SchemaElement = Record<string, unknown>;

function listSchema(name: string): SchemaElement[] {
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' },
  ];
}

export function examplesToParquet(examples: Example[], createdBy: string): Buffer {
  const columnData: Array<{ name: string; data: unknown[] }> = [
    { name: 'commit_hash', data: examples.map((e) => e.commit_hash) },
    { name: 'example_type', data: examples.map((e) => e.example_type) },
    { name: 'num_chunks', data: examples.map((e) => e.num_chunks) },
    { name: 'part', data: examples.map((e) => e.part) },
    { name: 'parts', data: examples.map((e) => e.parts) },
    { name: 'context_length', data: examples.map((e) => e.context_length) },
    { name: 'target_length', data: examples.map((e) => e.target_length) },
    ...LIST_COLUMNS.map((c) => ({ name: c, data: examples.map((e) => e[c]) })),
    { name: 'text', data: examples.map((e) => e.text) },
  ];
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columnData.length },
    { name: 'commit_hash', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'example_type', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'num_chunks', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'part', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'parts', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'context_length', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'target_length', type: 'INT32', repetition_type: 'REQUIRED' },
    ...LIST_COLUMNS.flatMap(listSchema),
    { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  ];
  const writer = new ByteWriter();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  parquetWrite({ writer, columnData: columnData as any, schema: schema as any, createdBy, rowGroupSize: 2000, statistics: false } as any);
  return Buffer.from(writer.getBuffer());
}
