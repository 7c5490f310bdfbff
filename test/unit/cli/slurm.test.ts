/**
 * A sharded build of two repositories on a real one-node Slurm cluster (test/tools/slurm.ts): a 4-task array of run-shard, one task
 * cancelled with scancel while it runs, the merge job that can then never start, a resubmission that completes
 * it, and the merged dataset compared byte for byte with a plain build. Skipped with the reason when Slurm cannot
 * be started here (not root, not installed); CI (root) installs Slurm and runs it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { assertSameData, cli } from '../../fixtures/datasets';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture, makeOlderFixture } from '../pipeline/fixture';
import { slurmUnavailable, startSlurm, type SlurmCluster } from '../../tools/slurm';

const why = slurmUnavailable();
if (why && process.env.CI) throw new Error(`CI must run the Slurm test, but ${why}`);

let repo: FixtureRepo;
let repo2: FixtureRepo;
let tmp: string;
let slurm: SlurmCluster | null = null;

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (why) return;
  repo = makeFixture();
  repo2 = makeOlderFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-slurm-test-'));
  slurm = await startSlurm();
  process.env.SLURM_CONF = slurm.env.SLURM_CONF;
});
after(async () => {
  delete process.env.SLURM_CONF;
  delete process.env.COMMIT_CORPUS_TEST_SHARD_DELAY_MS;
  await slurm?.stop();
  repo?.dispose();
  repo2?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('Slurm: a 4-shard array over two repositories, one task cancelled mid-run and resubmitted, merged byte for byte as a plain build', { skip: why ?? false, timeout: 600_000 }, async () => {
  const s = slurm!;
  const plain = path.join(tmp, 'plain');
  assert.equal((await cli('build', repo.dir, repo2.dir, '--out', plain, '--cache-dir', path.join(tmp, 'c'), '-q')).code, 0);
  const planDir = path.join(tmp, 'plan');
  const out = path.join(tmp, 'merged');
  assert.equal((await cli('plan', repo.dir, repo2.dir, '--shards', '4', '--out', planDir, '-q')).code, 0);
  const planned = JSON.parse(fs.readFileSync(path.join(planDir, 'plan.json'), 'utf8')) as { repositories: Array<{ commits: number }> };
  assert.deepEqual(
    planned.repositories.map((r) => r.commits),
    [12, 8],
  );

  // the first submission's shards are slowed down (sbatch passes the environment on), so one can be cancelled mid-run
  process.env.COMMIT_CORPUS_TEST_SHARD_DELAY_MS = '700';
  const first = await cli('launch', planDir, '--out', out, '--executor', 'slurm', '--time', '10:00');
  delete process.env.COMMIT_CORPUS_TEST_SHARD_DELAY_MS;
  assert.equal(first.code, 0, first.err);
  const [, arrayJob, mergeJob] = /array job (\d+), merge as job (\d+)/.exec(first.out)!;
  const state = (id: string) => s.client('squeue', ['-h', '-j', id, '-o', '%T']).stdout.trim();
  // task 1 running (past node's start), then scancel
  await until('array task 1 running', () => state(`${arrayJob}_1`) === 'RUNNING', 120_000);
  await new Promise((r) => setTimeout(r, 2500));
  const cancel = s.client('scancel', [`${arrayJob}_1`]);
  assert.equal(cancel.status, 0, cancel.stderr);
  // the other tasks complete; the merge (afterok) can never start
  await until('the array finished', () => state(arrayJob) === '', 300_000);
  assert.ok(!fs.existsSync(path.join(planDir, 'shards', '1', 'done.json')), 'the cancelled shard has no marker');
  assert.match(fs.readFileSync(path.join(planDir, 'slurm', 'shard-1.log'), 'utf8'), /interrupted, nothing written/, 'stopped mid-run by scancel');
  for (const k of [0, 2, 3]) assert.ok(fs.existsSync(path.join(planDir, 'shards', String(k), 'done.json')), `shard ${k} completed`);
  await until('the merge job pending forever', () => /DependencyNeverSatisfied/.test(s.client('squeue', ['-h', '-j', mergeJob, '-o', '%r']).stdout), 60_000);
  assert.equal(s.client('scancel', [mergeJob]).status, 0);
  assert.ok(!fs.existsSync(out), 'no dataset from an incomplete plan');

  // resubmitted: completed shards are no-ops, shard 1 resumes, the merge runs
  const second = await cli('launch', planDir, '--out', out, '--executor', 'slurm', '--wait');
  assert.equal(second.code, 0, second.err + second.out);
  assert.match(second.out, /Dataset written to /);
  for (const k of [0, 2, 3]) assert.match(fs.readFileSync(path.join(planDir, 'slurm', `shard-${k}.log`), 'utf8'), /complete already/);
  assertSameData(plain, out);
  assert.equal((await cli('verify', out)).code, 0);
});
