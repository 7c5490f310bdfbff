/**
 * How well a built dataset's examples match their text, read with Hugging Face `tokenizers` (the Rust library, the id
 * reference) from the dataset's own tokenizer/tokenizer.json:
 *
 *   npm run bench:exact -- OUT_DIR [--sample N]
 *
 * Prints, over the sampled examples of every split: the share whose prompt ids (input_ids[:prompt_tokens]) and
 * completion ids re-encode exactly from their decoded text, the share whose `text` field re-encodes to the example's
 * ids, and the share whose prompt starts with the format's first token (the commit header).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import { forEachJsonl } from '../src/core/dataset/jsonl';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args.find((a) => !a.startsWith('--'));
  const sample = Number(args[args.indexOf('--sample') + 1]) || 500;
  if (!out || !fs.existsSync(path.join(out, 'manifest.json'))) throw new Error('usage: npm run bench:exact -- OUT_DIR [--sample N]');
  const tok = Tokenizer.fromFile(path.join(out, 'tokenizer', 'tokenizer.json'));
  const rows: Array<{ ids: number[]; np: number; text: string }> = [];
  for (const split of ['train', 'val', 'test']) {
    forEachJsonl(path.join(out, 'dataset', `${split}.jsonl`), (r) => {
      const e = r as { input_ids: number[]; prompt_tokens?: number; context_length?: number; attention_mask: number[]; text: string };
      const n = e.attention_mask.reduce((a, b) => a + b, 0);
      rows.push({ ids: e.input_ids.slice(0, n), np: e.prompt_tokens ?? e.context_length ?? 0, text: e.text });
    });
  }
  const step = Math.max(1, Math.floor(rows.length / sample));
  const picked = rows.filter((_, i) => i % step === 0).slice(0, sample);
  const first = new Map<number, number>();
  for (const r of rows) first.set(r.ids[0], (first.get(r.ids[0]) ?? 0) + 1);
  const header = [...first.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const roundTrip = async (ids: number[]) => same((await tok.encode(await tok.decode(ids, false), null, { addSpecialTokens: false })).getIds(), ids);
  let prompt = 0;
  let completion = 0;
  let text = 0;
  let headed = 0;
  for (const r of picked) {
    if (await roundTrip(r.ids.slice(0, r.np))) prompt++;
    if (await roundTrip(r.ids.slice(r.np))) completion++;
    if (same((await tok.encode(r.text, null, { addSpecialTokens: false })).getIds(), r.ids)) text++;
    if (r.ids[0] === header) headed++;
  }
  const pct = (n: number) => `${((100 * n) / Math.max(1, picked.length)).toFixed(1)}%`;
  console.log(`${out}: ${picked.length} of ${rows.length} examples`);
  console.log(`  prompt re-encodes exactly      ${pct(prompt)}`);
  console.log(`  completion re-encodes exactly  ${pct(completion)}`);
  console.log(`  text field = the example's ids ${pct(text)}`);
  console.log(`  prompt starts with the header  ${pct(headed)} (token ${header}, the most common first token)`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
