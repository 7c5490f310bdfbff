/**
 * How exactly a built dataset's text gives its ids, read with Hugging Face `tokenizers` (the Rust library, the id
 * reference) from the dataset's own tokenizer/tokenizer.json:
 *
 *   npm run bench:exact -- OUT_DIR [--step N]      (every N-th example; default every one)
 *
 * Prints the share of examples whose `prompt` and `completion` (prompt_completion/{split}.jsonl) encode exactly into
 * the example's prompt and completion ids (dataset/{split}.parquet; .jsonl in the seed layout), whose prompt + completion encodes into all its ids
 * (what TRL checks), whose prompt starts with the header, and the count of empty completions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkExact } from '../test/tools/exact';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const step = Number(args[args.indexOf('--step') + 1]) || 1;
  if (!out || !fs.existsSync(path.join(out, 'manifest.json'))) throw new Error('usage: npm run bench:exact -- OUT_DIR [--step N]');
  const t0 = performance.now();
  const r = await checkExact(out, step);
  const pct = (n: number) => `${((100 * n) / Math.max(1, r.checked)).toFixed(2)}%`;
  console.log(`${out}: ${r.checked} of ${r.examples} examples (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`  prompt encodes exactly             ${pct(r.promptExact)}`);
  console.log(`  completion encodes exactly         ${pct(r.completionExact)}`);
  console.log(`  prompt + completion = all the ids  ${pct(r.joinedExact)}`);
  console.log(`  prompt starts with the header      ${pct(r.headed)} (token ${r.header}, the most common first token)`);
  console.log(`  empty completions                  ${r.emptyCompletions}`);
  for (const m of r.mismatches) console.log(`  mismatch: ${m}`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
