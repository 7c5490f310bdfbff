/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON rows */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { readRows } from '../../../src/core/dataset/rows';
import { runPipelineInThread } from '../../../src/core/threads';
import { AbortError, runPipeline, UsageError, type PipelineResult } from '../../../src/core/pipeline';
import { verifyDataset } from '../../../src/core/dataset/verify';
import { decodeSafetensors } from '../../../src/core/dataset/safetensors';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture, SECRETS } from './fixture';

let repo: FixtureRepo;
let tmp: string;
let out: string;
let first: PipelineResult;

function files(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`]))
    .sort();
}
function jsonl(p: string): any[] {
  return fs
    .readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
// small windows keep the fixture fast and exercise target splitting
const W = { contextWindow: 256, targetWindow: 32 };

before(async () => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-pipe-out-'));
  out = path.join(tmp, 'out');
  first = await runPipeline({ repo: repo.dir, out, layout: 'seed', ...W });
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('build writes every file, time-ordered disjoint splits, and verify passes', async () => {
  const names = files(out);
  for (const f of [
    'manifest.json',
    'README.md',
    'commits.jsonl',
    'chunks.jsonl',
    'chunking_stats.json',
    'tokenizer/tokenizer.json',
    'tokenizer/special_tokens.json',
    'tokens.safetensors',
    'dataset/stats.json',
    'dataset/train.jsonl',
    'dataset/val.jsonl',
    'dataset/test.jsonl',
    'dataset/train.parquet',
    'dataset/val.parquet',
    'dataset/test.parquet',
    'commits_rich.json',
    'chunks_enhanced.jsonl',
    'chunking_stats_enhanced.json',
    'vocab_enhanced.json',
    'tokens_enhanced.safetensors',
    'dataset_enhanced/training_data_enhanced_train.json',
    'dataset_enhanced/training_data_enhanced_val.json',
    'dataset_enhanced/training_data_enhanced_test.json',
    'dataset_enhanced/dataset_stats_enhanced.json',
    'MANIFEST_ENHANCED.json',
  ]) {
    assert.ok(names.includes(f), `missing ${f}`);
  }
  assert.equal(first.commits.total, 12);
  const commits = jsonl(path.join(out, 'commits.jsonl'));
  assert.equal(commits.length, 12);
  const bySplit = (s: string) => commits.filter((c) => c.split === s);
  assert.deepEqual([bySplit('train').length, bySplit('val').length, bySplit('test').length], [8, 2, 2]);
  assert.ok(Math.max(...bySplit('train').map((c) => c.committer_time)) < Math.min(...bySplit('val').map((c) => c.committer_time)));
  assert.ok(Math.max(...bySplit('val').map((c) => c.committer_time)) < Math.min(...bySplit('test').map((c) => c.committer_time)));
  for (const s of ['train', 'val', 'test']) {
    const rows = jsonl(path.join(out, 'dataset', `${s}.jsonl`));
    assert.ok(rows.length > 0, `${s} has examples`);
    for (const e of rows) {
      assert.equal(commits.find((c) => c.hash === e.commit_hash).split, s);
      assert.equal(e.context.length, W.contextWindow);
      assert.equal(e.target.length, W.targetWindow);
      assert.equal(e.input_ids.length, W.contextWindow + W.targetWindow);
      assert.ok(e.context_length <= W.contextWindow && e.target_length <= W.targetWindow);
      assert.equal(e.example_type, 'commit_based');
      // loss only on the target
      const lab = e.labels.filter((l: number) => l !== -100);
      assert.deepEqual(lab, e.target.slice(0, e.target_length));
    }
  }
  const rep = await verifyDataset(out);
  assert.deepEqual(rep.problems, []);
  assert.ok(rep.checked.blobs > 0 && rep.checked.examples > 0);
  // the message section lost its URL, issue ref and trailer
  const cfg = commits.find((c) => c.subject.startsWith('Add config'));
  assert.ok(!/https?:|#12/.test(cfg.message));
  assert.ok(!commits[1].message.includes('Signed-off-by'));
});

test('long targets become several parts, nothing cut', () => {
  const rows = ['train', 'val', 'test'].flatMap((s) => jsonl(path.join(out, 'dataset', `${s}.jsonl`)));
  const multi = rows.filter((e) => e.parts > 1);
  assert.ok(multi.length > 0, 'the fixture has targets longer than 32 tokens');
  const st = JSON.parse(fs.readFileSync(path.join(out, 'dataset', 'stats.json'), 'utf8'));
  assert.equal(st.split_targets, rows.filter((e) => e.part > 0).length);
});

test("every example's prompt starts with the commit header and message, whatever its window (default and seed layouts)", async () => {
  const { loadTokenizer } = await import('../../../src/core/tokenize/index');
  const m = loadTokenizer().withMarkers();
  const compact = path.join(tmp, 'headed');
  await runPipeline({ repo: repo.dir, out: compact, cache: false, contextWindow: 96, targetWindow: 16 });
  for (const [dir, lengthOf] of [
    [out, (e: any) => e.context_length],
    [compact, (e: any) => e.prompt_tokens],
  ] as const) {
    const rows: any[] = (await Promise.all(['train', 'val', 'test'].map((s) => readRows(dir, s)))).flat();
    assert.ok(rows.length > 0 && rows.some((e) => e.part > 0));
    for (const e of rows) {
      const prompt: number[] = e.input_ids.slice(0, lengthOf(e));
      assert.equal(prompt[0], m['<COMMIT_START>'], `${dir}: ${e.commit_hash} part ${e.part}`);
      assert.ok(prompt.includes(m['<MSG_END>']), 'the message is in the prompt');
    }
  }
  const st = JSON.parse(fs.readFileSync(path.join(compact, 'dataset', 'stats.json'), 'utf8'));
  assert.ok(st.context_tokens_dropped > 0, 'the small window dropped context, counted');
});

test('planted secrets never reach any output file and are counted by kind', () => {
  for (const f of files(out)) {
    const text = fs.readFileSync(path.join(out, f)).toString('latin1');
    for (const [kind, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `${kind} secret leaked into ${f}`);
  }
  const st = JSON.parse(fs.readFileSync(path.join(out, 'dataset', 'stats.json'), 'utf8'));
  for (const k of ['aws_key', 'github_token', 'private_key', 'email', 'ip_address']) assert.ok(st.redactions[k] >= 1, `${k} counted`);
  const chunks = jsonl(path.join(out, 'chunks.jsonl'));
  assert.ok(chunks.some((c) => c.newCode.includes('<REDACTED_AWS_KEY_1>')));
  const commits = jsonl(path.join(out, 'commits.jsonl'));
  assert.match(commits[0].author.email, /^<REDACTED_EMAIL_\d+>$/, 'author e-mails are redacted by default');
  assert.equal(new Set(commits.map((c) => c.author.email)).size, 1, 'same e-mail, same placeholder');
});

test('exact duplicates are dropped and counted; outputs agree with each other', async () => {
  assert.ok(first.duplicates.exact >= 1);
  const chunks = jsonl(path.join(out, 'chunks.jsonl'));
  assert.equal(chunks.filter((c) => c.qualifiedName === 'step_0').length, 1);
  const st = decodeSafetensors(fs.readFileSync(path.join(out, 'tokens.safetensors')));
  assert.equal(st.tensors.offsets.shape[0], chunks.length + 1);
  const b = fs.readFileSync(path.join(out, 'dataset', 'train.parquet'));
  const rows = (await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer })) as any[];
  const jl = jsonl(path.join(out, 'dataset', 'train.jsonl'));
  assert.equal(rows.length, jl.length);
  assert.deepEqual(rows[0].input_ids, jl[0].input_ids);
  const seed = JSON.parse(fs.readFileSync(path.join(out, 'dataset_enhanced', 'training_data_enhanced_train.json'), 'utf8'));
  assert.deepEqual(Object.keys(seed[0]).sort(), ['commit_hash', 'context', 'context_mask', 'example_type', 'num_chunks', 'target', 'target_mask']);
  const vocab = JSON.parse(fs.readFileSync(path.join(out, 'vocab_enhanced.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.ok(Object.keys(vocab).length >= manifest.tokenizer.vocab_size - 1000);
});

test('same input and settings give byte-identical data files (no cache + token worker threads vs cached, main thread)', async () => {
  const out2 = path.join(tmp, 'out2');
  const logs: string[] = [];
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  await runPipeline({ repo: repo.dir, out: out2, layout: 'seed', cache: false, ...W }, { tokenWorkers: { script, count: 2, minJobs: 1 }, log: (l) => logs.push(l) });
  assert.ok(
    logs.some((l) => /2 worker threads/.test(l)),
    'workers were used',
  );
  const a = files(out).filter((f) => !/MANIFEST|manifest/.test(f));
  assert.deepEqual(
    files(out2).filter((f) => !/MANIFEST|manifest/.test(f)),
    a,
  );
  for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(out2, f))), `${f} differs`);
});

test('chunk stage on worker threads (contiguous commit slices, fresh cache) gives byte-identical data files', async () => {
  const out3 = path.join(tmp, 'out3');
  const logs: string[] = [];
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  const r = await runPipeline(
    { repo: repo.dir, out: out3, layout: 'seed', cacheDir: path.join(tmp, 'cache3'), ...W },
    { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 2, log: (l) => logs.push(l) },
  );
  assert.ok(
    logs.some((l) => /chunks: 2 worker threads/.test(l)),
    'chunk workers were used',
  );
  assert.equal(r.commits.processed, 12);
  const a = files(out).filter((f) => !/MANIFEST|manifest/.test(f));
  assert.deepEqual(
    files(out3).filter((f) => !/MANIFEST|manifest/.test(f)),
    a,
  );
  for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(out3, f))), `${f} differs`);
  // the token workers wrote the token cache entries: a second build into another folder reuses every one
  const out3b = path.join(tmp, 'out3b');
  await runPipeline({ repo: repo.dir, out: out3b, layout: 'seed', cacheDir: path.join(tmp, 'cache3'), ...W }, { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 2 });
  const phases = JSON.parse(fs.readFileSync(path.join(out3b, 'manifest.json'), 'utf8')).phases as Array<{ phase: string; counts: Record<string, number> }>;
  assert.deepEqual(phases.find((p) => p.phase === 'tokens')!.counts.tokenized, 0);
  assert.deepEqual(phases.find((p) => p.phase === 'tokens')!.counts.cached, 12);
  for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(out3b, f))), `${f} differs (from the cache)`);
  // cancelled while the chunk workers run: no output folder, the error is the cancellation
  const ac = new AbortController();
  const target = path.join(tmp, 'cancelled-chunks');
  await assert.rejects(
    runPipeline(
      { repo: repo.dir, out: target, cacheDir: path.join(tmp, 'cache4'), ...W },
      { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 2, signal: ac.signal, onProgress: (e) => e.phase === 'chunks' && ac.abort() },
    ),
    AbortError,
  );
  assert.ok(!fs.existsSync(target));
});

test('chunk threads that run out of heap leave their commits to the main thread: same files', async () => {
  const out5 = path.join(tmp, 'out5');
  const logs: string[] = [];
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  // 16 MiB cannot even hold the tokenizer: both slices end at once, nothing chunked
  const r = await runPipeline(
    { repo: repo.dir, out: out5, layout: 'seed', cacheDir: path.join(tmp, 'cache5'), ...W },
    { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 2, chunkWorkerHeapMb: 16, log: (l) => logs.push(l) },
  );
  assert.ok(
    logs.some((l) => /chunks: 2 worker threads/.test(l)),
    'chunk workers were started',
  );
  assert.ok(
    logs.some((l) => /chunks: 12 commits left to the main thread/.test(l)),
    logs.join('\n'),
  );
  assert.equal(r.commits.processed, 12);
  const a = files(out).filter((f) => !/MANIFEST|manifest/.test(f));
  for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(out5, f))), `${f} differs`);
});

test('overlapChunks: tokens follow the chunk thread (phases overlap), same files as without it; heap fallback and cancel too', async () => {
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  const a = files(out).filter((f) => !/MANIFEST|manifest/.test(f));
  for (const [name, heap, overlapChunks] of [
    ['out6', undefined, true],
    ['out7', 16, true],
    ['out6b', undefined, undefined],
  ] as const) {
    const o = path.join(tmp, name);
    const logs: string[] = [];
    const r = await runPipeline(
      { repo: repo.dir, out: o, layout: 'seed', cacheDir: path.join(tmp, `cache-${name}`), ...W },
      { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 1, overlapChunks, chunkWorkerHeapMb: heap, log: (l) => logs.push(l) },
    );
    assert.equal(r.commits.processed, 12);
    if (heap)
      assert.ok(
        logs.some((l) => /chunks: 12 commits left to the main thread/.test(l)),
        logs.join('\n'),
      );
    const phases = JSON.parse(fs.readFileSync(path.join(o, 'manifest.json'), 'utf8')).phases as Array<{ phase: string; start: string; end: string }>;
    const at = (p: string) => phases.find((x) => x.phase === p)!;
    assert.deepEqual(
      phases.map((p) => p.phase),
      ['history', 'chunks', 'tokens', 'examples', 'write'],
    );
    if (overlapChunks) assert.ok(at('tokens').start < at('chunks').end, `tokens started ${at('tokens').start}, chunks ended ${at('chunks').end}`);
    // without the overlap (the default), the token workers start once chunking ended
    assert.ok(
      logs.some((l) => (!overlapChunks ? /^tokens: 2 worker threads$/ : /^tokens: 1 worker threads \(2 once chunking ends\)$/).test(l)),
      logs.join('\n'),
    );
    for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(o, f))), `${name}: ${f} differs`);
  }
  const ac = new AbortController();
  const target = path.join(tmp, 'cancelled-overlap');
  await assert.rejects(
    runPipeline(
      { repo: repo.dir, out: target, cacheDir: path.join(tmp, 'cache8'), ...W },
      { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 1, overlapChunks: true, signal: ac.signal, onProgress: (e) => e.phase === 'chunks' && e.done >= 6 && ac.abort() },
    ),
    AbortError,
  );
  assert.ok(!fs.existsSync(target));
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.startsWith('.cancelled-overlap')),
    [],
    'no temp folder left',
  );
});

test('runPipelineInThread: the pipeline on its own thread writes the same files, relays progress and logs, keeps error classes, cancels cleanly', async () => {
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  const a = files(out).filter((f) => !/MANIFEST|manifest/.test(f));
  const o = path.join(tmp, 'out-thread');
  const logs: string[] = [];
  const phases = new Set<string>();
  const r = await runPipelineInThread(
    script,
    { repo: repo.dir, out: o, layout: 'seed', cacheDir: path.join(tmp, 'cache-thread'), ...W },
    { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 1, log: (l) => logs.push(l), onProgress: (e) => phases.add(e.phase) },
  );
  assert.equal(r.commits.processed, 12);
  assert.equal(r.outDir, o);
  assert.deepEqual([...phases].sort(), ['chunks', 'examples', 'history', 'tokens', 'write']);
  assert.ok(
    logs.some((l) => /^chunks: 1 worker thread$/.test(l)),
    logs.join('\n'),
  );
  assert.deepEqual(
    files(o).filter((f) => !/MANIFEST|manifest/.test(f)),
    a,
  );
  for (const f of a) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(o, f))), `${f} differs`);
  await assert.rejects(runPipelineInThread(script, { repo: repo.dir, out: path.join(tmp, 'x'), format: 'bogus' as never }), (e: Error) => e instanceof UsageError && /unknown format/.test(e.message));
  await assert.rejects(runPipelineInThread(script, { repo: path.join(tmp, 'nope'), out: path.join(tmp, 'x') }), /not found|not a git/i);
  const ac = new AbortController();
  const target = path.join(tmp, 'cancelled-thread');
  await assert.rejects(
    // the abort crosses to the thread while it runs: asked at the first chunk, it lands well before the end
    runPipelineInThread(script, { repo: repo.dir, out: target, cache: false, ...W }, { signal: ac.signal, onProgress: (e) => e.phase === 'chunks' && ac.abort() }),
    AbortError,
  );
  assert.ok(!fs.existsSync(target));
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.startsWith('.cancelled-thread') || f.startsWith('.x.tmp')),
    [],
    'no temp folder left',
  );
});

test('cancel mid-run leaves no folder and no temp folder', async () => {
  const ac = new AbortController();
  const target = path.join(tmp, 'cancelled');
  await assert.rejects(runPipeline({ repo: repo.dir, out: target, cache: false, ...W }, { signal: ac.signal, onProgress: (e) => e.phase === 'tokens' && e.done === 2 && ac.abort() }), AbortError);
  assert.ok(!fs.existsSync(target));
  assert.ok(!fs.readdirSync(tmp).some((n) => n.includes('cancelled')));
});

test('incremental: no-op rebuild is up to date, one new commit is the only one processed', async () => {
  const noop = await runPipeline({ repo: repo.dir, out, layout: 'seed', ...W });
  assert.equal(noop.upToDate, true);
  assert.equal(fs.readFileSync(path.join(repo.dir, '.commit-corpus', '.gitignore'), 'utf8'), '*\n');
  repo.write('src/extra.rs', 'pub fn extra() -> u8 {\n    7\n}\n');
  repo.commit('Add extra');
  const inc = await runPipeline({ repo: repo.dir, out, layout: 'seed', ...W });
  assert.equal(inc.upToDate, false);
  assert.deepEqual(inc.commits, { total: 13, processed: 1, cached: 12 });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.previous_run.head, first.head);
  const commits = jsonl(path.join(out, 'commits.jsonl'));
  assert.equal(commits[commits.length - 1].split, 'test');
  assert.deepEqual((await verifyDataset(out)).problems, []);
});

test('bad input gets a clear error and writes nothing', async () => {
  await assert.rejects(runPipeline({ repo: path.join(tmp, 'nope'), out: path.join(tmp, 'x') }), /not found|not a git/i);
  await assert.rejects(runPipeline({ repo: repo.dir, out: path.join(tmp, 'x'), format: 'bogus' as never }), /unknown format/);
  await assert.rejects(runPipeline({ repo: repo.dir, out: path.join(tmp, 'x'), tokenizer: path.join(tmp, 'missing.json') }), /tokenizer not found/);
  // an unusable tokenizer: the same message whether this thread or a chunk thread is the first to load it
  const bad = path.join(tmp, 'wordpiece.json');
  fs.writeFileSync(bad, JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }));
  const script = path.join(__dirname, '../../../src/core/threads/entry.ts');
  for (const hooks of [{}, { tokenWorkers: { script, count: 2, minJobs: 1 }, chunkThreads: 1 }]) {
    await assert.rejects(runPipeline({ repo: repo.dir, out: path.join(tmp, 'x'), tokenizer: bad, cacheDir: path.join(tmp, 'cache-bad') }, hooks), (e: Error) => {
      assert.match(e.message, /^[^\n]*unsupported model "WordPiece" \(only BPE is supported\)$/);
      return true;
    });
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'x')));
  assert.ok(!fs.readdirSync(tmp).some((f) => f.startsWith('.x.tmp')), 'no temp folder left');
});

test("the seed's trainer reads --layout seed unchanged: Python's json loads training_data_enhanced_{split}.json, fields padded to the windows", (t) => {
  // what model_trainer_unified.py does with --data-path …/training_data_enhanced_{split}.json: json.load a list of
  // examples, take context/target (+ masks) as fixed-length tensors of the config's windows
  const script = `
import json, sys
out = {}
for split in ("train", "val", "test"):
    with open(sys.argv[1] + "/dataset_enhanced/training_data_enhanced_%s.json" % split) as f:
        rows = json.load(f)
    shapes = set()
    for r in rows:
        assert set(r) >= {"context", "target", "context_mask", "target_mask", "commit_hash"}, sorted(r)
        for k in ("context", "target", "context_mask", "target_mask"):
            assert all(type(x) is int for x in r[k]), k
        for ids, mask in ((r["context"], r["context_mask"]), (r["target"], r["target_mask"])):
            assert len(ids) == len(mask) and set(mask) <= {0, 1}
            n = sum(mask)
            assert mask == [1] * n + [0] * (len(mask) - n), "padding at the end"
        assert sum(r["target_mask"]) > 0, "a target token"
        shapes.add((len(r["context"]), len(r["target"])))
    out[split] = {"rows": len(rows), "shapes": sorted(shapes), "real": [[x for x, m in zip(r["context"] + r["target"], r["context_mask"] + r["target_mask"]) if m] for r in rows]}
print(json.dumps(out))
`;
  const py = spawnSync('python3', ['-c', script, out], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (py.error) return t.skip(`python3 is not installed (${py.error.message})`);
  assert.equal(py.status, 0, py.stderr);
  const read = JSON.parse(py.stdout) as Record<string, { rows: number; shapes: number[][]; real: number[][] }>;
  let total = 0;
  for (const split of ['train', 'val', 'test']) {
    const r = read[split];
    total += r.rows;
    if (r.rows) assert.deepEqual(r.shapes, [[W.contextWindow, W.targetWindow]], `${split}: every example at the window sizes`);
    // the unpadded tokens are the example's ids in the dataset's own rows
    const rows = jsonl(path.join(out, 'dataset', `${split}.jsonl`));
    assert.equal(rows.length, r.rows, `${split}: the same examples`);
    rows.forEach((e, i) =>
      assert.deepEqual(
        r.real[i],
        (e.input_ids as number[]).filter((_, k) => e.attention_mask[k] === 1),
        `${split} example ${i + 1}`,
      ),
    );
  }
  assert.ok(total > 0);
});
