/** Sharded builds: plan, run-shard, merge on a real repository; the merged dataset equals a plain build's. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { AbortError, runPipeline, UsageError } from '../../../src/core/pipeline';
import { balance, makePlan, mergeShards, readPlan, runShard, ShardsIncompleteError } from '../../../src/core/shard';
import { verifyDataset } from '../../../src/core/dataset/verify';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from './fixture';
import { assertSameData } from '../../fixtures/datasets';

let repo: FixtureRepo;
let tmp: string;
const W = { contextWindow: 256, targetWindow: 32, layout: 'seed' as const };

before(() => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-shard-'));
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('balance: n contiguous non-empty ranges covering every commit, cut near equal weight', () => {
  assert.deepEqual(balance([10, 10, 10, 10], 2), [
    [0, 2],
    [2, 4],
  ]);
  assert.deepEqual(balance([1000, 0, 0, 0, 0, 0], 2), [
    [0, 1],
    [1, 6],
  ]);
  // more shards than weight: every range still gets a commit
  assert.deepEqual(balance([0, 0, 0], 3), [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  for (let n = 1; n <= 7; n++) {
    const w = Array.from({ length: 7 }, (_, i) => (i * 37) % 11);
    const r = balance(w, n);
    assert.equal(r.length, n);
    assert.equal(r[0][0], 0);
    assert.equal(r[n - 1][1], 7);
    for (let i = 0; i < n; i++) assert.ok(r[i][1] > r[i][0] && (i === 0 || r[i][0] === r[i - 1][1]));
  }
});

test('plan → run-shard ×3 → merge writes the same data files as a plain build; missing shards are named and nothing is written', async () => {
  const plain = path.join(tmp, 'plain');
  await runPipeline({ repo: repo.dir, out: plain, cacheDir: path.join(tmp, 'plain-cache'), ...W });

  const planDir = path.join(tmp, 'plan');
  const p = await makePlan({ repo: repo.dir, out: '', ...W }, planDir, 3);
  assert.equal(p.plan.shards.length, 3);
  assert.equal(p.plan.repositories[0].commits, 12);
  assert.ok(p.plan.shards.every((s) => s.bytes > 0));
  assert.equal(readPlan(planDir).sha256, p.sha256);
  // the plan folder only: nothing was written into the repository (no cache)
  assert.ok(!fs.existsSync(path.join(repo.dir, '.commit-corpus')));

  const merged = path.join(tmp, 'merged');
  await runShard(planDir, 1);
  await assert.rejects(mergeShards(planDir, merged), (e: unknown) => e instanceof ShardsIncompleteError && /Shards 0, 2 of 3 are not complete/.test(e.message) && e.shards.join() === '0,2');
  assert.ok(!fs.existsSync(merged), 'nothing written');

  // a shard cancelled half-way has no marker, and its rerun completes it
  const ac = new AbortController();
  await assert.rejects(
    runShard(planDir, 0, {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'chunks' && e.done >= 1) ac.abort();
      },
    }),
    AbortError,
  );
  assert.ok(!fs.existsSync(path.join(planDir, 'shards', '0', 'done.json')));
  // what a killed run leaves (an entry half-written to its temp file) is removed by the rerun
  const ns0 = path.join(
    planDir,
    'shards',
    '0',
    'cache',
    fs.readdirSync(path.join(planDir, 'shards', '0', 'cache')).find((n) => n.startsWith('chunks-'))!,
  );
  fs.writeFileSync(path.join(ns0, 'deadbeef.json.999999.tmp'), 'half');
  for (const k of [0, 2]) assert.equal((await runShard(planDir, k)).upToDate, false);
  assert.deepEqual(
    fs.readdirSync(ns0).filter((n) => n.endsWith('.tmp')),
    [],
  );
  assert.equal((await runShard(planDir, 2)).upToDate, true, 'a completed shard is a no-op');
  await assert.rejects(runShard(planDir, 3), (e: unknown) => e instanceof UsageError && /--index must be from 0 to 2/.test(e.message));

  const logs: string[] = [];
  const r = await mergeShards(planDir, merged, { log: (l) => logs.push(l) });
  assert.equal(r.commits.processed, 0, 'every commit came from a shard');
  assertSameData(plain, merged);
  const manifest = JSON.parse(fs.readFileSync(path.join(merged, 'manifest.json'), 'utf8'));
  assert.equal(manifest.sharded.plan_sha256, p.sha256);
  assert.deepEqual(
    manifest.sharded.shards.map((s: { index: number; commits: number }) => [s.index, s.commits]),
    p.plan.shards.map((s) => [s.index, s.commits]),
  );
  assert.deepEqual((await verifyDataset(merged, {})).problems, []);
  // merging again with nothing changed is a no-op
  assert.equal((await mergeShards(planDir, merged)).upToDate, true);
});

test('a plan folder that holds something else is refused and left as it was; a damaged shard entry is rebuilt by the merge', async () => {
  const foreign = path.join(tmp, 'foreign');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(makePlan({ repo: repo.dir, out: '' }, foreign, 2), (e: unknown) => e instanceof UsageError && /holds no plan\.json/.test(e.message));
  assert.deepEqual(fs.readdirSync(foreign), ['notes.txt']);

  const planDir = path.join(tmp, 'plan2');
  await makePlan({ repo: repo.dir, out: '', ...W }, planDir, 2);
  for (const k of [0, 1]) await runShard(planDir, k);
  const ns = fs.readdirSync(path.join(planDir, 'shards', '0', 'cache')).find((n) => n.startsWith('chunks-'))!;
  const entry = path.join(planDir, 'shards', '0', 'cache', ns, fs.readdirSync(path.join(planDir, 'shards', '0', 'cache', ns))[0]);
  fs.writeFileSync(entry, 'damaged');
  const r = await mergeShards(planDir, path.join(tmp, 'merged2'));
  assert.equal(r.commits.processed, 0);
  assertSameData(path.join(tmp, 'plain'), path.join(tmp, 'merged2'));
});
