/** Several repositories in one dataset: rows name their repository, splits per repository, dedup across, stats per repository, shards. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runPipeline, UsageError } from '../../../src/core/pipeline';
import { repoNames } from '../../../src/core/pipeline/run';
import { makePlan, mergeShards, runShard } from '../../../src/core/shard';
import { verifyDataset } from '../../../src/core/dataset/verify';
import { readRows } from '../../../src/core/dataset/rows';
import { inspectDataset } from '../../../src/core/dataset/inspect';
import { FixtureRepo } from '../../fixtures/repo';
import { makeFixture, makeOlderFixture } from './fixture';
import { assertSameData, cli } from '../../fixtures/datasets';

let a: FixtureRepo;
let b: FixtureRepo;
let fork: FixtureRepo;
let tmp: string;
const W = { contextWindow: 256, targetWindow: 64 };
const SPLITS = ['train', 'val', 'test'] as const;

function fn(name: string, body: string): string {
  return `pub fn ${name}(x: u32) -> u32 {\n    let mut acc = x;\n    ${body}\n    acc\n}\n`;
}

function jsonl(file: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-repos-'));
  a = makeFixture();
  b = makeOlderFixture();
  // a fork of A: its 12 commits and two of its own
  const dir = path.join(tmp, 'fork');
  execFileSync('git', ['clone', '-q', a.dir, dir]);
  fork = FixtureRepo.open(dir);
  fork.git('config', 'user.name', 'Fork Author');
  fork.git('config', 'user.email', 'fork@example.com');
  for (let i = 0; i < 2; i++) {
    fork.write(`src/fork${i}.rs`, fn(`fork_${i}`, `acc ^= ${i + 91};\n    acc = acc.rotate_right(${i + 5});`));
    fork.commit(`Add fork part ${i}`, { date: `${1800000000 + i * 3600} +0000` });
  }
});
after(() => {
  a?.dispose();
  b?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('repoNames: folder names, with parent folders where two are alike; the same repository twice is refused', () => {
  const root = fs.mkdtempSync(path.join(tmp, 'names-'));
  for (const d of ['x/utils', 'y/utils', 'core']) fs.mkdirSync(path.join(root, d), { recursive: true });
  assert.deepEqual(repoNames([path.join(root, 'x/utils'), path.join(root, 'y/utils'), path.join(root, 'core')]), ['x/utils', 'y/utils', 'core']);
  assert.throws(
    () => repoNames([path.join(root, 'core'), path.join(root, 'x/../core')]),
    (e: unknown) => e instanceof UsageError && /given twice/.test((e as Error).message),
  );
});

test('two repositories, one dataset: every row names its repository, splits are temporal per repository, near dedup runs across them, stats per repository', async () => {
  const out = path.join(tmp, 'ab');
  const cache = path.join(tmp, 'cache-ab');
  const r = await runPipeline({ repo: a.dir, repos: [a.dir, b.dir], out, cacheDir: cache, ...W });
  const [nameA, nameB] = [path.basename(a.dir), path.basename(b.dir)];
  assert.equal(r.commits.total, 20);

  const commits = jsonl(path.join(out, 'commits.jsonl'));
  assert.deepEqual([...new Set(commits.map((c) => c.repo))], [nameA, nameB]);
  assert.equal(new Set(commits.map((c) => c.hash)).size, commits.length, 'no commit twice');
  // each repository's train is older than its val, which is older than its test; B (all older than A) still has val and test commits
  for (const name of [nameA, nameB]) {
    const mine = commits.filter((c) => c.repo === name);
    const times = (s: string) => mine.filter((c) => c.split === s).map((c) => c.committer_time as number);
    for (const s of SPLITS) assert.ok(times(s).length > 0, `${name} has ${s} commits`);
    assert.ok(Math.max(...times('train')) <= Math.min(...times('val')) && Math.max(...times('val')) <= Math.min(...times('test')));
  }
  const repoOf = new Map(commits.map((c) => [c.hash, c.repo]));
  for (const c of jsonl(path.join(out, 'chunks.jsonl'))) assert.equal(c.repo, repoOf.get(c.commit as string), `chunk ${String(c.id)}`);
  let rows = 0;
  for (const s of SPLITS)
    for (const row of await readRows(out, s)) {
      rows++;
      assert.equal(row.repo, repoOf.get(row.commit_hash as string));
    }
  assert.ok(rows > 0);
  for (const row of jsonl(path.join(out, 'prompt_completion/train.jsonl'))) assert.equal(row.repo, repoOf.get(row.commit_hash as string));

  // near dedup across the repositories: B's borrowed step_3 (a train commit there, as A's is) goes
  const alone = async (repo: FixtureRepo, tag: string) => (await runPipeline({ repo: repo.dir, out: path.join(tmp, tag), cacheDir: cache, ...W })).duplicates.near;
  const near = (n: Record<string, number>) => n.train + n.val + n.test;
  assert.ok(near(r.duplicates.near) > near(await alone(a, 'a-alone')) + near(await alone(b, 'b-alone')), JSON.stringify(r.duplicates.near));

  const stats = JSON.parse(fs.readFileSync(path.join(out, 'dataset/stats.json'), 'utf8'));
  assert.deepEqual(Object.keys(stats.repositories).sort(), [nameA, nameB].sort());
  for (const name of [nameA, nameB]) {
    const s = stats.repositories[name];
    assert.equal(s.commits.train + s.commits.val + s.commits.test, commits.filter((c) => c.repo === name).length);
    assert.ok(s.chunks > 0 && s.tokens > 0);
  }
  assert.equal(
    SPLITS.reduce((n, s) => n + stats.repositories[nameA].examples[s] + stats.repositories[nameB].examples[s], 0),
    r.examples.train + r.examples.val + r.examples.test,
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(
    manifest.repositories.map((x: { name: string; commits: number }) => [x.name, x.commits]),
    [
      [nameA, 12],
      [nameB, 8],
    ],
  );
  assert.equal(manifest.repository, undefined);
  // history, chunks and tokens once per repository; examples and write once
  const phases = (manifest.phases as Array<{ phase: string; repo?: string }>).map((p) => `${p.phase}${p.repo ? `:${p.repo}` : ''}`);
  for (const ph of ['history', 'chunks', 'tokens']) for (const name of [nameA, nameB]) assert.ok(phases.includes(`${ph}:${name}`), phases.join());
  assert.deepEqual(
    phases.filter((p) => /^(examples|write)/.test(p)),
    ['examples', 'write'],
  );
  const card = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  assert.match(card, /^# Commit Corpus dataset: 2 repositories/m);
  assert.match(card, new RegExp(`\\| \`${nameB}\` \\| \`${b.head().slice(0, 12)}\` \\| 8 \\| 0 \\|`));

  // verify checks every chunk against its own repository (the manifest names both)
  const v = await verifyDataset(out);
  assert.deepEqual(v.problems, []);
  assert.ok(v.checked.blobs > 0);
  // given paths are matched by name; one that is none of them is reported
  assert.deepEqual((await verifyDataset(out, { repo: [a.dir, b.dir] })).problems, []);
  assert.match((await verifyDataset(out, { repo: [path.join(tmp, 'nowhere')] })).problems.join('\n'), /is none of the dataset's repositories/);
  // a chunk checked against the other repository's blobs is caught
  const swapped = path.join(tmp, 'swapped');
  fs.cpSync(out, swapped, { recursive: true });
  const m2 = JSON.parse(fs.readFileSync(path.join(swapped, 'manifest.json'), 'utf8'));
  [m2.repositories[0].path, m2.repositories[1].path] = [m2.repositories[1].path, m2.repositories[0].path];
  fs.writeFileSync(path.join(swapped, 'manifest.json'), JSON.stringify(m2));
  assert.match((await verifyDataset(swapped, { noBlobs: false })).problems.join('\n'), /^blob: /m);

  const summary = inspectDataset(out);
  assert.match(summary, new RegExp(`repository ${nameB} +${b.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} @ HEAD`));
  // nothing new: a no-op
  const again = await runPipeline({ repo: a.dir, repos: [a.dir, b.dir], out, cacheDir: cache, ...W });
  assert.equal(again.upToDate, true);
  // the same repository twice is a usage error, before anything is written
  await assert.rejects(runPipeline({ repo: a.dir, repos: [a.dir, a.dir], out: path.join(tmp, 'twice'), ...W }), UsageError);
  assert.ok(!fs.existsSync(path.join(tmp, 'twice')));
});

test("a fork's shared history is built once, as the first repository's", async () => {
  const out = path.join(tmp, 'fork-out');
  const r = await runPipeline({ repo: a.dir, repos: [a.dir, fork.dir], out, cacheDir: path.join(tmp, 'cache-fork'), ...W });
  assert.equal(r.commits.total, 14);
  const commits = jsonl(path.join(out, 'commits.jsonl'));
  assert.equal(commits.filter((c) => c.repo === 'fork').length, 2);
  const stats = JSON.parse(fs.readFileSync(path.join(out, 'dataset/stats.json'), 'utf8'));
  assert.equal(stats.repositories.fork.shared_commits, 12);
  assert.equal(stats.commits_skipped.earlier_repository, 12);
  assert.deepEqual((await verifyDataset(out)).problems, []);
});

test('plan over two repositories → shards (one spans both) → merge: byte for byte the plain build of both', async () => {
  const plain = path.join(tmp, 'plain-ab');
  await runPipeline({ repo: a.dir, repos: [a.dir, b.dir], out: plain, cacheDir: path.join(tmp, 'cache-plain'), ...W });
  const planDir = path.join(tmp, 'plan-ab');
  const p = await makePlan({ repo: a.dir, repos: [a.dir, b.dir], out: '', ...W }, planDir, 3);
  assert.deepEqual(
    p.plan.repositories.map((x) => x.commits),
    [12, 8],
  );
  assert.ok(
    p.plan.shards.some((s) => s.parts.length === 2),
    JSON.stringify(p.plan.shards.map((s) => s.parts)),
  );
  assert.equal(
    p.plan.shards.reduce((n, s) => n + s.commits, 0),
    20,
  );
  for (const s of p.plan.shards) await runShard(planDir, s.index);
  const merged = path.join(tmp, 'merged-ab');
  await mergeShards(planDir, merged);
  assertSameData(plain, merged);
  assert.deepEqual((await verifyDataset(merged)).problems, []);
});

test('CLI: build REPO REPO and --repos FILE (relative to the file, comments skipped) write the same dataset', async () => {
  const o1 = path.join(tmp, 'cli-1');
  const r1 = await cli('build', a.dir, b.dir, '--out', o1, '--cache-dir', path.join(tmp, 'cli-cache'), '--context-window', '256', '--target-window', '64', '--quiet', '--no-workers');
  assert.equal(r1.code, 0, r1.err);
  const list = path.join(path.dirname(b.dir), 'repos.txt');
  fs.writeFileSync(list, `# the two\n${a.dir}\n\n${path.basename(b.dir)}\n`);
  try {
    const o2 = path.join(tmp, 'cli-2');
    const r2 = await cli('build', '--repos', list, '--out', o2, '--cache-dir', path.join(tmp, 'cli-cache'), '--context-window', '256', '--target-window', '64', '--quiet', '--no-workers');
    assert.equal(r2.code, 0, r2.err);
    assertSameData(o1, o2);
    const v = await cli('verify', o2, '--repo', a.dir, '--repo', b.dir);
    assert.equal(v.code, 0, v.out);
    const empty = path.join(tmp, 'empty.txt');
    fs.writeFileSync(empty, '# nothing\n');
    const r3 = await cli('build', '--repos', empty, '--out', path.join(tmp, 'cli-3'));
    assert.equal(r3.code, 2);
    assert.match(r3.err, /lists no repository/);
  } finally {
    fs.rmSync(list, { force: true });
  }
});
