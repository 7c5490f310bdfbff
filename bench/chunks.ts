/**
 * Chunker benchmark:
 *   npm run bench:chunks -- [repo path] [--max N] [--no-context] [--no-incremental] [--tree-cache N] [--workers N] [--max-file-bytes N] [--compare]
 *
 * --no-incremental  parse every blob from scratch (treeCacheChars 0), for before/after figures
 * --tree-cache N    characters of text whose trees are kept for incremental parsing (treeCacheChars)
 * --workers N       split the commits into N contiguous slices, one worker thread (own reader + chunker) each;
 *                   prints the wall time of the whole parallel run (history reading included) and per worker
 * --max-file-bytes N  files larger than N bytes are skipped (the history's maxFileBytes; default the engine's)
 * --digest            also print a sha256 of every commit's chunks (JSON): equal digests, identical chunks
 * --compare         also run a from-scratch chunker on the same records and check the outputs are identical
 *
 * Without a path, generates (once) a synthetic Rust repository (a crate of modules with impls, traits and
 * `use crate::` imports, a few hundred commits editing methods) into bench/.work/ with `git fast-import`.
 * Reads the history with the engine, then times only the chunker (parse + units + pairing + context) and
 * prints MB/s parsed (tree-sitter), MB/s of changed text, chunks/s, the CPU time of chunking and peak RSS
 * (one thread unless --workers). On a shared machine compare CPU seconds, not wall time. `npm run bench:chunks`
 * runs it bundled (bench/bundled.mjs), as the product runs; `npx tsx bench/chunks.ts` keeps function names, slower.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createChunker } from '../src/core/chunk';
import { openRepository } from '../src/core/git';
import { rng } from '../test/fixtures/rng';

const args = process.argv.slice(2);
const maxIdx = args.indexOf('--max');
const maxCommits = maxIdx >= 0 ? Number(args[maxIdx + 1]) : undefined;
const withContext = !args.includes('--no-context');
const incremental = !args.includes('--no-incremental');
const compare = args.includes('--compare');
const digest = args.includes('--digest') ? createHash('sha256') : null;
const treeIdx = args.indexOf('--tree-cache');
const treeCacheChars = treeIdx >= 0 ? Number(args[treeIdx + 1]) : undefined;
const workersIdx = args.indexOf('--workers');
const workers = workersIdx >= 0 ? Number(args[workersIdx + 1]) : 1;
const bytesIdx = args.indexOf('--max-file-bytes');
const maxFileBytes = bytesIdx >= 0 ? Number(args[bytesIdx + 1]) : undefined;
const valueAt = new Set([maxIdx, treeIdx, workersIdx, bytesIdx].filter((i) => i >= 0).map((i) => i + 1));
const repoArg = args.filter((a, i) => !a.startsWith('--') && !valueAt.has(i))[0];

const WORDS = 'stream buffer poll ready waker task spawn handle io read write frame codec runtime driver timer sleep channel sender receiver permit'.split(' ');
const MODULES = 24;
const cap = (w: string) => w[0].toUpperCase() + w.slice(1);

function moduleText(rand: () => number, m: number, version: number[]): string {
  const ty = `${cap(WORDS[m % WORDS.length])}${m}`;
  const other = `${cap(WORDS[(m + 1) % WORDS.length])}${(m + 1) % MODULES}`;
  const methods = version
    .map((v, i) => {
      const stmts = Array.from(
        { length: 3 + ((i * 7 + v) % 9) },
        (_, k) => `        let ${WORDS[(k + i) % WORDS.length]}_${k} = self.${WORDS[(k + v) % WORDS.length]}.wrapping_add(${k * v + i});`,
      ).join('\n');
      return `    /// ${WORDS[(i + v) % WORDS.length]} the ${ty}.\n    pub fn ${WORDS[i % WORDS.length]}_${i}(&mut self, other: &${other}) -> u64 {\n${stmts}\n        other.id() + ${v}\n    }\n`;
    })
    .join('\n');
  return `use crate::m${(m + 1) % MODULES}::${other};\nuse crate::traits::Node;\n\n/// A ${ty}.\n#[derive(Debug, Default)]\npub struct ${ty} {\n${WORDS.slice(0, 6)
    .map((w) => `    pub ${w}: u64,`)
    .join('\n')}\n}\n\nimpl ${ty} {\n${methods}}\n\nimpl Node for ${ty} {\n    fn id(&self) -> u64 {\n        self.stream + ${Math.floor(rand() * 1000)}\n    }\n}\n`;
}

function synth(dir: string): void {
  if (fs.existsSync(path.join(dir, 'HEAD')) || fs.existsSync(path.join(dir, '.git'))) return;
  fs.mkdirSync(dir, { recursive: true });
  spawnSync('git', ['init', '-q', '-b', 'main', dir]);
  const rand = rng(42);
  const versions = Array.from({ length: MODULES }, () => Array.from({ length: 12 + Math.floor(rand() * 20) }, () => 0));
  let stream = '';
  const file = (p: string, text: string) => {
    const b = Buffer.byteLength(text);
    stream += `M 100644 inline ${p}\ndata ${b}\n${text}\n`;
  };
  const COMMITS = 400;
  for (let c = 0; c < COMMITS; c++) {
    const msg = c === 0 ? 'initial crate' : `edit ${c}`;
    stream += `commit refs/heads/main\ncommitter Bench <bench@example.com> ${1600000000 + c * 600} +0000\ndata ${msg.length}\n${msg}\n`;
    if (c === 0) {
      file('Cargo.toml', '[package]\nname = "synth"\nversion = "0.1.0"\n');
      file('src/lib.rs', `pub mod traits;\n${Array.from({ length: MODULES }, (_, m) => `pub mod m${m};`).join('\n')}\n`);
      file('src/traits.rs', 'pub trait Node {\n    fn id(&self) -> u64;\n}\n');
      versions.forEach((v, m) => file(`src/m${m}.rs`, moduleText(rand, m, v)));
    } else {
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        const m = Math.floor(rand() * MODULES);
        const v = versions[m];
        const edits = 1 + Math.floor(rand() * 2);
        for (let e = 0; e < edits; e++) v[Math.floor(rand() * v.length)]++;
        if (rand() < 0.1) v.push(0);
        file(`src/m${m}.rs`, moduleText(rand, m, v));
      }
      if (c % 50 === 0) file('src/traits.rs', `pub trait Node {\n    fn id(&self) -> u64;\n    fn rev_${c}(&self) -> u64 { ${c} }\n}\n`);
    }
  }
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  spawnSync('git', ['checkout', '-q', 'main'], { cwd: dir });
}

interface Slice {
  dir: string;
  ref: string;
  sinceCommit?: string;
}

interface SliceResult {
  commits: number;
  chunks: number;
  changedChars: number;
  chunkMs: number;
  wallMs: number;
  rss: number;
}

/** One worker: chunks the commits `sinceCommit..ref` with its own reader and chunker. */
async function runSlice(slice: Slice): Promise<SliceResult> {
  const t0 = performance.now();
  const repo = await openRepository(slice.dir);
  const chunker = await createChunker({ context: withContext, treeCacheChars: incremental ? treeCacheChars : 0, maxFileBytes });
  const r: SliceResult = { commits: 0, chunks: 0, changedChars: 0, chunkMs: 0, wallMs: 0, rss: 0 };
  for await (const rec of repo.history({ ref: slice.ref, sinceCommit: slice.sinceCommit, maxFileBytes })) {
    r.commits++;
    for (const f of rec.files) if (!f.skip) r.changedChars += (f.oldText?.length ?? 0) + (f.newText?.length ?? 0);
    const a = performance.now();
    r.chunks += (await chunker.chunkCommit(rec, repo)).length;
    r.chunkMs += performance.now() - a;
  }
  chunker.dispose();
  repo.close();
  r.wallMs = performance.now() - t0;
  r.rss = process.memoryUsage().rss;
  return r;
}

async function parallel(dir: string): Promise<void> {
  const repo = await openRepository(dir);
  const list = (await repo.listCommits({ limit: maxCommits })).reverse(); // oldest first
  const before = maxCommits !== undefined ? (await repo.listCommits({ skip: maxCommits, limit: 1 }))[0]?.hash : undefined;
  repo.close();
  const slices: Slice[] = [];
  for (let w = 0; w < workers; w++) {
    const end = Math.round(((w + 1) * list.length) / workers) - 1;
    const start = Math.round((w * list.length) / workers);
    if (end < start) continue;
    slices.push({ dir, ref: list[end].hash, sinceCommit: start === 0 ? before : list[start - 1].hash });
  }
  const t0 = performance.now();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const results = await Promise.all(
    slices.map(
      (slice) =>
        new Promise<SliceResult>((resolve, reject) => {
          // worker threads do not inherit tsx's loader: register it in the worker first
          const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: slice, argv: process.argv.slice(2) });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  clearInterval(timer);
  const wall = performance.now() - t0;
  const sum = (k: keyof SliceResult) => results.reduce((a, r) => a + r[k], 0);
  const mb = (n: number) => n / 1e6;
  console.log(`repo: ${dir}; context ${withContext ? 'on' : 'off'}; ${slices.length} worker threads; incremental parsing ${incremental ? 'on' : 'off'}`);
  results.forEach((r, i) =>
    console.log(
      `worker ${i}: commits ${r.commits}, chunks ${r.chunks}, ${mb(r.changedChars).toFixed(1)} M chars changed, chunking ${(r.chunkMs / 1000).toFixed(2)} s, whole ${(r.wallMs / 1000).toFixed(2)} s`,
    ),
  );
  console.log(`commits ${sum('commits')}, chunks ${sum('chunks')}, ${mb(sum('changedChars')).toFixed(1)} M chars of changed text (both sides)`);
  console.log(
    `stage with ${slices.length} workers: ${(mb(sum('changedChars')) / (Math.max(...results.map((r) => r.chunkMs)) / 1000)).toFixed(2)} MB/s of changed text (slowest worker's chunking time), ${(mb(sum('changedChars')) / (wall / 1000)).toFixed(2)} MB/s over the whole parallel run incl. history reading (${(wall / 1000).toFixed(2)} s); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
}

async function main(): Promise<void> {
  // (bundled by bench/bundled.mjs, this file runs from bench/.work/)
  const benchDir = path.basename(__dirname) === '.work' ? path.dirname(__dirname) : __dirname;
  const dir = repoArg ? path.resolve(repoArg) : path.resolve(benchDir, '.work', 'chunks-synth');
  if (!repoArg) synth(dir);
  if (workers > 1) return parallel(dir);
  const repo = await openRepository(dir);
  const chunker = await createChunker({ context: withContext, treeCacheChars: incremental ? treeCacheChars : 0, maxFileBytes });
  const reference = compare ? await createChunker({ context: withContext, treeCacheChars: 0, maxFileBytes }) : null;
  let mismatches = 0;
  let cpuUs = 0;
  let peak = process.memoryUsage().rss;
  let chunkMs = 0;
  let chunks = 0;
  let changedChars = 0;
  let commits = 0;
  const t0 = performance.now();
  for await (const rec of repo.history({ maxCommits, maxFileBytes })) {
    commits++;
    for (const f of rec.files) if (!f.skip) changedChars += (f.oldText?.length ?? 0) + (f.newText?.length ?? 0);
    const a = performance.now();
    const cpu = process.cpuUsage();
    const cs = await chunker.chunkCommit(rec, repo);
    const du = process.cpuUsage(cpu);
    cpuUs += du.user + du.system;
    chunkMs += performance.now() - a;
    digest?.update(JSON.stringify(cs));
    if (reference) {
      const want = await reference.chunkCommit(rec, repo);
      if (JSON.stringify(want) !== JSON.stringify(cs)) {
        mismatches++;
        if (mismatches <= 3) console.log(`MISMATCH at ${rec.commit.hash}`);
      }
    }
    chunks += cs.length;
    if (commits % 20 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const total = performance.now() - t0;
  const s = chunker.stats();
  const mb = (n: number) => n / 1e6;
  console.log(`repo: ${dir}${repoArg ? '' : ' (synthetic)'}; context ${withContext ? 'on' : 'off'}; 1 thread; incremental parsing ${incremental ? 'on' : 'off'}`);
  console.log(`commits ${commits}, changed files ${s.files}, chunks ${chunks} (split ${s.splitChunks}, with context ${s.chunksWithContext}, context items ${s.contextItems})`);
  console.log(
    `blobs parsed ${s.blobsParsed} (${mb(s.charsParsed).toFixed(1)} M chars; ${s.incrementalParses} incrementally), cache hits ${s.cacheHits}, parse errors ${s.parseErrors}, fallback files ${s.fallbackFiles}`,
  );
  console.log(
    `tree-sitter parse+query: ${(mb(s.charsParsed) / (s.parseMs / 1000)).toFixed(2)} MB/s (${(s.parseMs / 1000).toFixed(2)} s, of which cutting into units ${(s.analyzeMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `chunker total: ${(mb(changedChars) / (chunkMs / 1000)).toFixed(2)} MB/s of changed text (${mb(changedChars).toFixed(1)} M chars, both sides), ${(chunks / (chunkMs / 1000)).toFixed(0)} chunks/s, ${(chunkMs / 1000).toFixed(2)} s`,
  );
  console.log(`chunker CPU (user+sys of the process while chunking): ${(cpuUs / 1e6).toFixed(2)} s → ${(mb(changedChars) / (cpuUs / 1e6)).toFixed(2)} MB/s of changed text per CPU second`);
  if (reference) console.log(`compare with from-scratch parsing: ${mismatches} commit(s) differ`);
  if (digest) console.log(`chunks digest: ${digest.digest('hex')}`);
  console.log(`whole run incl. history: ${(total / 1000).toFixed(2)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
  chunker.dispose();
  reference?.dispose();
  repo.close();
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  runSlice(workerData as Slice).then((r) => parentPort!.postMessage(r));
}
