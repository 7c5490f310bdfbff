/**
 * Reads the pre-tokenized rows of a built dataset, whichever file holds them: dataset/{split}.parquet in the default
 * layout (no JSON Lines of token ids: a trainer reads Parquet, and it is a seventh of the size), dataset/{split}.jsonl
 * in the seed layout. Parquet is read with hyparquet a row group slice at a time, so memory stays bounded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { forEachJsonl } from './jsonl';

const SLICE = 1024;

/** The file holding a split's rows (JSONL when the layout wrote one, else Parquet), relative to the output folder. */
export function rowsFile(outDir: string, split: string): string {
  const jsonl = `dataset/${split}.jsonl`;
  return fs.existsSync(path.join(outDir, ...jsonl.split('/'))) ? jsonl : `dataset/${split}.parquet`;
}

/** Calls `fn` with every row of a JSON Lines or Parquet file, in order (`columns`: only those, Parquet only). */
export async function forEachRow(file: string, fn: (row: Record<string, unknown>, index: number) => void, columns?: string[]): Promise<void> {
  if (!file.endsWith('.parquet')) return forEachJsonl(file, (r, i) => fn(r as Record<string, unknown>, i));
  const buf = fs.readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(ab);
  const n = Number(metadata.num_rows);
  let i = 0;
  for (let start = 0; start < n; start += SLICE) {
    const rows = (await parquetReadObjects({ file: ab, metadata, columns, rowStart: start, rowEnd: Math.min(n, start + SLICE) })) as Array<Record<string, unknown>>;
    for (const r of rows) fn(r, i++);
  }
}

/** Every row of a split (tests, small outputs). */
export async function readRows(outDir: string, split: string): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  await forEachRow(path.join(outDir, ...rowsFile(outDir, split).split('/')), (r) => void rows.push(r));
  return rows;
}
