/**
 * The per-file time budget: a file over it gets no chunks and the skip reason `timeout`, the rest of the commit
 * is chunked as usual, the build counts it in its stats and names it in its log (on every build, cached or not).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createChunker } from '../../../src/core/chunk';
import { openRepository } from '../../../src/core/git';
import { runPipeline } from '../../../src/core/pipeline';
import { FixtureRepo } from '../../fixtures/repo';

let repo: FixtureRepo;
let tmp: string;

/** A Rust file of about `bytes` characters: many small functions (about 6 MB/s to parse on this machine). */
function bigRust(bytes: number, salt: number): string {
  const fns: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const f = `pub fn f_${salt}_${i}(x: u64) -> u64 {\n    let y = x.wrapping_mul(${i + 3});\n    y ^ (y >> ${(i % 31) + 1})\n}\n`;
    fns.push(f);
    n += f.length;
  }
  return fns.join('\n');
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-timeout-'));
  repo = FixtureRepo.create('cc-timeout-');
  repo.write('src/lib.rs', 'pub fn small() -> u32 { 1 }\n');
  repo.commit('Start');
  repo.write('src/lib.rs', 'pub fn small() -> u32 { 2 }\n');
  repo.write('src/huge.rs', bigRust(6_000_000, 1));
  repo.commit('Add a huge generated file');
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('chunker: a file over its budget has no chunks and the skip reason timeout; the others are chunked', async () => {
  const r = await openRepository(repo.dir);
  const chunker = await createChunker({ fileBudgetMs: 0 });
  try {
    for await (const rec of r.history({ maxFileBytes: 10_000_000 })) {
      const cs = await chunker.chunkCommit(rec, r);
      assert.deepEqual(cs, [], 'no file fits a budget of 0 ms');
      for (const f of rec.files) assert.equal(f.skip, 'timeout', f.path);
    }
    assert.equal(chunker.stats().timeouts, 3);
  } finally {
    chunker.dispose();
    r.close();
  }
});

test('build: the huge file is skipped as timeout, counted and named in the log; the small one is chunked', async () => {
  const logs: string[] = [];
  const out = path.join(tmp, 'out');
  const res = await runPipeline(
    { repo: repo.dir, out, cacheDir: path.join(tmp, 'cache'), maxFileBytes: 10_000_000, fileTimeout: 0.1, contextWindow: 256, targetWindow: 32 },
    { log: (l) => logs.push(l) },
  );
  assert.ok(
    logs.some((l) => /chunks: src\/huge\.rs at [0-9a-f]{12} took longer than 0\.1 s \(--file-timeout\); skipped \(timeout\)/.test(l)),
    logs.join('\n'),
  );
  const stats = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8'));
  assert.equal(JSON.stringify(stats).includes('"timeout":1'), true, JSON.stringify(stats));
  const chunks = fs
    .readFileSync(path.join(out, 'chunks.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { path: string });
  assert.ok(chunks.some((c) => c.path === 'src/lib.rs'));
  assert.ok(!chunks.some((c) => c.path === 'src/huge.rs'));
  assert.equal(res.upToDate, false);
  // rebuilt from the cache into another folder: still named
  const again: string[] = [];
  await runPipeline(
    { repo: repo.dir, out: path.join(tmp, 'out2'), cacheDir: path.join(tmp, 'cache'), maxFileBytes: 10_000_000, fileTimeout: 0.1, contextWindow: 256, targetWindow: 32 },
    { log: (l) => again.push(l) },
  );
  assert.ok(again.some((l) => /src\/huge\.rs .*skipped \(timeout\)/.test(l)));
});

test('watchdog: a file stuck where no deadline can reach is skipped by restarting the chunk thread without it', async () => {
  const r = FixtureRepo.create('cc-stuck-');
  try {
    r.write('src/lib.rs', 'pub fn a() -> u32 { 1 }\n');
    r.commit('Start');
    r.write('src/lib.rs', 'pub fn a() -> u32 { 2 }\n');
    r.write('src/stall.rs', '// CC_TEST_STALL\npub fn s() {}\n');
    r.write('src/other.rs', 'pub fn o() -> u32 { 3 }\n');
    r.commit('A file the parser never returns from');
    r.write('src/lib.rs', 'pub fn a() -> u32 { 4 }\n');
    r.commit('After it');
    const logs: string[] = [];
    const out = path.join(tmp, 'stuck-out');
    const script = path.join(__dirname, 'stuckParserThread.ts');
    const res = await runPipeline(
      { repo: r.dir, out, cache: false, fileTimeout: 0.1, contextWindow: 256, targetWindow: 32 },
      { tokenWorkers: { script, count: 1 }, chunkThreads: 1, log: (l) => logs.push(l) },
    );
    assert.equal(res.commits.total, 3);
    assert.ok(
      logs.some((l) => /src\/stall\.rs at [0-9a-f]{12} was still being cut after 3\.2 s .* restarted without it \(timeout\)/.test(l)),
      logs.join('\n'),
    );
    const chunks = fs
      .readFileSync(path.join(out, 'chunks.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { path: string; commit: string });
    assert.ok(
      chunks.some((c) => c.path === 'src/other.rs'),
      "the stuck commit's other files are chunked",
    );
    assert.ok(!chunks.some((c) => c.path === 'src/stall.rs'));
    assert.equal(chunks.filter((c) => c.path === 'src/lib.rs').length, 3, 'every commit is chunked');
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8')) as { skips: Record<string, number> };
    assert.equal(stats.skips.timeout, 1);
  } finally {
    r.dispose();
  }
});
