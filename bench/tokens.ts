/**
 * Tokenizer throughput: this engine vs the Hugging Face Rust reference (npm `tokenizers`), same text, one run.
 *
 *   npm run bench:tokens -- [tokenizer.json | model folder | -] [source dir]
 *
 * Default tokenizer: the bundled Qwen3. Default text: bench/.work/tokio if present (see README of the
 * issue: `git --git-dir=<mirror> archive HEAD | tar -x -C bench/.work/tokio`), else this repository's
 * src/ + test/ plus generated Rust. Each file is encoded separately, as the pipeline does.
 * Both sides run on one thread (RAYON_NUM_THREADS=1, sequential calls). Ids are compared file by file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';
import { Tokenizer as HfReference } from 'tokenizers';
import { loadTokenizer } from '../src/core/tokenize/index';
import { assetPath } from '../src/core/assets';

const EXT = /\.(rs|ts|tsx|js|py|go)$/;

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === '.git' ? [] : walk(p);
      return EXT.test(e.name) ? [p] : [];
    });
}

function generatedRust(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += `/// Doc for item ${i}.\npub struct Item${i} { id: u64, name: String, tags: Vec<&'static str> }\n\n`;
    s += `impl Item${i} {\n    pub fn new(id: u64) -> Self {\n        Self { id, name: format!("item-{}", id * ${i + 7}), tags: vec!["a", "b"] }\n    }\n\n`;
    s += `    pub async fn run(&mut self) -> Result<(), Box<dyn std::error::Error>> {\n        if self.id % 3 == 0 { return Err("bad".into()); }\n        Ok(())\n    }\n}\n\n`;
  }
  return s;
}

function referenceJson(file: string): string {
  // Special tokens are never recognised in plain text by this engine: neutralise them in the reference
  // (same ids, content that cannot occur) so both sides tokenize code the same way.
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const t of j.added_tokens ?? []) if (t.special) t.content = `\u0000special-${t.id}\u0000`;
  return JSON.stringify(j);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tokArg = args[0] && args[0] !== '-' ? args[0] : undefined; // '-' or '' → bundled
  const tokFile = tokArg ?? assetPath('tokenizer-qwen3');
  let texts: Array<{ name: string; text: string }>;
  const dir = args[1] ?? (fs.existsSync('bench/.work/tokio') ? 'bench/.work/tokio' : undefined);
  if (dir) {
    texts = walk(dir).map((p) => ({ name: p, text: fs.readFileSync(p, 'utf8') }));
  } else {
    texts = [...walk('src'), ...walk('test')].map((p) => ({ name: p, text: fs.readFileSync(p, 'utf8') }));
    for (let k = 0; k < 40; k++) texts.push({ name: `generated-${k}.rs`, text: generatedRust(50 + k) });
  }
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
  const mb = bytes / 1e6;
  console.log(`text: ${dir ?? 'repo sources + generated Rust'} — ${texts.length} files, ${mb.toFixed(2)} MB`);
  console.log(`tokenizer: ${tokFile}`);

  let t = process.hrtime.bigint();
  const tok = loadTokenizer(tokArg);
  const loadMs = Number(process.hrtime.bigint() - t) / 1e6;
  const ref = HfReference.fromString(referenceJson(tok.source));

  const ours: number[][] = [];
  t = process.hrtime.bigint();
  for (const x of texts) ours.push(tok.encode(x.text).ids);
  const coldS = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  for (const x of texts) tok.encode(x.text);
  const warmS = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  for (const x of texts) tok.encode(x.text, { offsets: true });
  const offS = Number(process.hrtime.bigint() - t) / 1e9;

  const theirs: number[][] = [];
  t = process.hrtime.bigint();
  for (const x of texts) theirs.push((await ref.encode(x.text, null, { addSpecialTokens: false })).getIds());
  const refS = Number(process.hrtime.bigint() - t) / 1e9;

  let tokens = 0;
  let mismatches = 0;
  for (let k = 0; k < texts.length; k++) {
    tokens += ours[k].length;
    if (ours[k].length !== theirs[k].length || ours[k].some((id, i) => id !== theirs[k][i])) {
      mismatches++;
      if (mismatches <= 5) console.log(`  ids differ: ${texts[k].name}`);
    }
  }
  const rate = (s: number) => `${(mb / s).toFixed(2)} MB/s`;
  console.log(`load: ${loadMs.toFixed(0)} ms; tokens: ${tokens} (${(bytes / tokens).toFixed(2)} bytes/token)`);
  console.log(`this engine, cold cache : ${rate(coldS)}   (ratio to reference ${(refS / coldS).toFixed(2)}x)`);
  console.log(`this engine, warm cache : ${rate(warmS)}   (ratio to reference ${(refS / warmS).toFixed(2)}x)`);
  console.log(`this engine, +offsets   : ${rate(offS)}`);
  console.log(`HF Rust reference (1 thread): ${rate(refS)}`);
  console.log(`ids identical on ${texts.length - mismatches}/${texts.length} files`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
