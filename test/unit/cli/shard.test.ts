/** The CLI's sharded-build commands on a real repository: plan, launch --executor local, merge; slurm --dry-run scripts. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { assertSameData, cli } from '../../fixtures/datasets';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from '../pipeline/fixture';

let repo: FixtureRepo;
let tmp: string;
const W = ['--context-window', '256', '--target-window', '32'];

before(() => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cli-shard-'));
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('plan, then launch --executor local --jobs 2: shards as processes, merged into the same data as build', async () => {
  const plain = path.join(tmp, 'plain');
  assert.equal((await cli('build', repo.dir, '--out', plain, '--cache-dir', path.join(tmp, 'c'), '-q', ...W)).code, 0);
  const planDir = path.join(tmp, 'plan');
  const p = await cli('plan', repo.dir, '--shards', '3', '--out', planDir, '-q', ...W);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /12 commits at [0-9a-f]{12} in 3 shards/);
  // the merge before any shard ran: named, exit 1, nothing written
  const early = await cli('merge', planDir, '--out', path.join(tmp, 'merged'), '-q');
  assert.equal(early.code, 1);
  assert.match(early.err, /Shards 0, 1, 2 of 3 are not complete/);
  assert.ok(!fs.existsSync(path.join(tmp, 'merged')));

  const l = await cli('launch', planDir, '--out', path.join(tmp, 'merged'), '--executor', 'local', '--jobs', '2');
  assert.equal(l.code, 0, l.err);
  assert.match(l.err, /local executor: 3 of 3 shards to run, 2 at a time/);
  for (const k of [0, 1, 2]) assert.ok(fs.existsSync(path.join(planDir, 'shards', String(k), 'done.json')));
  assertSameData(plain, path.join(tmp, 'merged'));
  const rerun = await cli('run-shard', planDir, '--index', '1');
  assert.equal(rerun.code, 0);
  assert.match(rerun.out, /Shard 1 is complete already/);
  assert.equal((await cli('verify', path.join(tmp, 'merged'))).code, 0);
});

test('slurm --dry-run writes an sbatch array and a merge script; bad usage is refused in one sentence', async () => {
  const planDir = path.join(tmp, 'plan-slurm');
  assert.equal((await cli('plan', repo.dir, '--shards', '4', '--out', planDir, '-q')).code, 0);
  const r = await cli('launch', planDir, '--out', path.join(tmp, 'ds'), '--executor', 'slurm', '--partition', 'cpu', '--time', '1:00:00', '--mem', '4G', '--cpus-per-task', '2', '--dry-run');
  assert.equal(r.code, 0, r.err);
  const shards = fs.readFileSync(path.join(planDir, 'slurm', 'shards.sbatch'), 'utf8');
  assert.match(shards, /#SBATCH --array=0-3\n/);
  assert.ok(shards.indexOf('#SBATCH --array') < shards.indexOf('set -euo'), 'directives before the first command');
  assert.match(shards, /#SBATCH --partition=cpu\n#SBATCH --time=1:00:00\n#SBATCH --mem=4G\n#SBATCH --cpus-per-task=2\n/);
  assert.match(shards, /run-shard \S+ --index "\$SLURM_ARRAY_TASK_ID" --quiet\n$/);
  const merge = fs.readFileSync(path.join(planDir, 'slurm', 'merge.sbatch'), 'utf8');
  assert.match(merge, / merge \S+ --out \S+ds --quiet\n$/);
  assert.match(r.out, /--dependency=afterok:<array job>/);

  const bad = await cli('launch', planDir, '--out', path.join(tmp, 'ds'), '--executor', 'ray');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--executor must be local or slurm/);
  const none = await cli('run-shard', path.join(tmp, 'nowhere'), '--index', '0');
  assert.equal(none.code, 2);
  assert.match(none.err, /No plan in /);
  const foreign = path.join(tmp, 'foreign');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
  const f = await cli('plan', repo.dir, '--shards', '2', '--out', foreign);
  assert.equal(f.code, 2);
  assert.deepEqual(fs.readdirSync(foreign), ['keep.txt']);
});
