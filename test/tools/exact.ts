/**
 * The trainer's view of a built dataset's text, checked with Hugging Face `tokenizers` (the Rust library, the id
 * reference) and the dataset's own tokenizer/tokenizer.json: does encoding each example's `prompt` and `completion`
 * (prompt_completion/{split}.jsonl) give exactly its ids (dataset/{split}.parquet, or .jsonl in the seed layout, row for row)? Used by the tests
 * and by `npm run bench:exact`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import { forEachJsonl } from '../../src/core/dataset/jsonl';
import { forEachRow, rowsFile } from '../../src/core/dataset/rows';

export interface ExactReport {
  examples: number;
  checked: number;
  promptExact: number;
  completionExact: number;
  /** encode(prompt + completion) = the example's ids (the property TRL checks when it tokenizes prompt-completion rows). */
  joinedExact: number;
  /** Prompts that start with the most common first token (the format's header). */
  headed: number;
  header: number | undefined;
  emptyCompletions: number;
  /** The first few mismatches: split, row, which. */
  mismatches: string[];
}

interface Row {
  split: string;
  i: number;
  ids: number[];
  np: number;
  prompt: string;
  completion: string;
}

/** Checks every `step`-th example (1: all) of the dataset in `out`. */
export async function checkExact(out: string, step = 1): Promise<ExactReport> {
  const tok = Tokenizer.fromFile(path.join(out, 'tokenizer', 'tokenizer.json'));
  const rows: Row[] = [];
  let examples = 0;
  for (const split of ['train', 'val', 'test']) {
    const texts: Array<{ prompt: string; completion: string }> = [];
    const pc = path.join(out, 'prompt_completion', `${split}.jsonl`);
    if (!fs.existsSync(pc)) throw new Error(`${pc} is missing (build with --emit prompt-completion)`);
    forEachJsonl(pc, (r) => texts.push(r as { prompt: string; completion: string }));
    let i = 0;
    await forEachRow(path.join(out, ...rowsFile(out, split).split('/')), (r) => {
      const e = r as { input_ids: number[]; prompt_tokens?: number; context_length?: number; attention_mask: number[] };
      const n = e.attention_mask.reduce((a, b) => a + b, 0);
      const t = texts[i];
      if (!t) throw new Error(`${split}: dataset row ${i + 1} has no prompt_completion row`);
      if (examples++ % step === 0) rows.push({ split, i, ids: e.input_ids.slice(0, n), np: e.prompt_tokens ?? e.context_length ?? 0, ...t });
      i++;
    });
    if (i !== texts.length) throw new Error(`${split}: ${i} dataset rows but ${texts.length} prompt_completion rows`);
  }
  const first = new Map<number, number>();
  for (const r of rows) first.set(r.ids[0], (first.get(r.ids[0]) ?? 0) + 1);
  const header = [...first.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const report: ExactReport = { examples, checked: rows.length, promptExact: 0, completionExact: 0, joinedExact: 0, headed: 0, header, emptyCompletions: 0, mismatches: [] };
  const BATCH = 256;
  for (let k = 0; k < rows.length; k += BATCH) {
    const batch = rows.slice(k, k + BATCH);
    const enc = async (texts: string[]) => (await tok.encodeBatch(texts, { addSpecialTokens: false })).map((e) => e.getIds());
    const [p, c, j] = await Promise.all([enc(batch.map((r) => r.prompt)), enc(batch.map((r) => r.completion)), enc(batch.map((r) => r.prompt + r.completion))]);
    batch.forEach((r, b) => {
      const okP = same(p[b], r.ids.slice(0, r.np));
      const okC = same(c[b], r.ids.slice(r.np));
      if (okP) report.promptExact++;
      if (okC) report.completionExact++;
      if (same(j[b], r.ids)) report.joinedExact++;
      if (r.ids[0] === header) report.headed++;
      if (r.ids.length === r.np) report.emptyCompletions++;
      if ((!okP || !okC) && report.mismatches.length < 5) report.mismatches.push(`${r.split} row ${r.i + 1}: ${okP ? '' : 'prompt '}${okC ? '' : 'completion'}`.trim());
    });
  }
  return report;
}
