/**
 * An independent reader of the Parquet files: DuckDB (its own Parquet implementation, from npm) reads every split a
 * real build wrote, in both example modes; each file has the JSONL's rows, columns and values, in the same order.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runPipeline } from '../../../src/core/pipeline';
import { SPLITS } from '../../../src/core/dataset/write';
import { forEachJsonl } from '../../../src/core/dataset/jsonl';
import { readRows } from '../../../src/core/dataset/rows';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from '../pipeline/fixture';

let repo: FixtureRepo;
let tmp: string;
let db: DuckDBConnection;

before(async () => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-duckdb-'));
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => {
  db?.closeSync();
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every row of a Parquet file as DuckDB reads it, as plain JSON values (lists of numbers, numbers, strings). */
async function parquetRows(file: string): Promise<Array<Record<string, unknown>>> {
  const r = await db.runAndReadAll(`select to_json(t) as row from read_parquet('${file.replace(/'/g, "''")}') t`);
  return r.getRowObjectsJson().map((o) => JSON.parse(String(o.row)) as Record<string, unknown>);
}

for (const [mode, layout] of [
  ['commit', 'default'],
  ['sequential', 'default'],
  ['commit', 'seed'],
] as const) {
  test(`DuckDB reads every Parquet file of a ${mode}-mode build in the ${layout} layout: the rows, columns and values of the JSONL (seed) or of our own reader (default)`, async () => {
    const out = path.join(tmp, `${mode}-${layout}`);
    await runPipeline({ repo: repo.dir, out, cache: false, mode, layout, contextWindow: 256, targetWindow: 64, emit: ['prompt-completion', 'text'] });
    let total = 0;
    for (const split of SPLITS) {
      // the seed layout's JSONL rows; in the default layout (Parquet only) the rows as our own reader (hyparquet) sees them
      const jsonl = await readRows(out, split);
      // the trainer-shaped files: the same rows in their Parquet and JSONL, row for row with the dataset's
      for (const dir of ['prompt_completion', 'text']) {
        const lines: Array<Record<string, unknown>> = [];
        forEachJsonl(path.join(out, dir, `${split}.jsonl`), (row) => void lines.push(row as Record<string, unknown>));
        const read = await parquetRows(path.join(out, dir, `${split}.parquet`));
        assert.equal(read.length, jsonl.length, `${dir}/${split}: a row per example`);
        read.forEach((r, i) => assert.deepEqual(r, lines[i], `${dir}/${split} row ${i + 1}`));
        read.forEach((r, i) => assert.equal(r.commit_hash, jsonl[i].commit_hash));
        if (read.length) assert.ok(typeof (dir === 'text' ? read[0].text : read[0].prompt) === 'string' && Array.isArray(read[0].paths) && typeof read[0].completion_cut === 'boolean');
      }
      const rows = await parquetRows(path.join(out, 'dataset', `${split}.parquet`));
      assert.equal(rows.length, jsonl.length, `${split}: row count`);
      const described = await db.runAndReadAll(`describe select * from read_parquet('${path.join(out, 'dataset', `${split}.parquet`)}')`);
      const types = Object.fromEntries(described.getRowObjectsJson().map((o) => [String(o.column_name), String(o.column_type)]));
      if (jsonl.length) {
        assert.deepEqual(Object.keys(types), Object.keys(jsonl[0]), `${split}: the JSONL's columns, in order`);
        for (const k of ['input_ids', 'labels', 'attention_mask']) assert.equal(types[k], 'INTEGER[]', k);
        assert.equal(types.commit_hash, 'VARCHAR');
        if (layout === 'default') {
          for (const k of ['paths', 'languages', 'kinds']) assert.equal(types[k], 'VARCHAR[]', k);
          assert.equal(types.completion_cut, 'BOOLEAN');
        }
      }
      rows.forEach((r, i) => assert.deepEqual(r, jsonl[i], `${split} row ${i + 1}`));
      total += rows.length;
    }
    assert.ok(total > 0, 'the build has examples');
  });
}
