/**
 * Repositories whose git dir is not a plain `.git` folder: linked worktrees (`git worktree add`, with a
 * `commondir`), `.git` files with absolute or relative `gitdir:` paths (`--separate-git-dir`), and
 * object stores borrowed through `objects/info/alternates` (`git clone --shared`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { openRepository } from '../../../src/core/git';
import { collect, historyOf } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-worktrees-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const main = path.join(root, 'main');
const linked = path.join(root, 'linked');
const mainCommits: string[] = [];
const featureCommits: string[] = [];

before(() => {
  fs.mkdirSync(main);
  const m = FixtureRepo.open(main);
  m.git('init', '-q', '-b', 'main');
  m.git('config', 'user.name', 'Fixture Author');
  m.git('config', 'user.email', 'author@example.com');
  for (let i = 0; i < 3; i++) {
    m.write('src/lib.rs', `pub fn v() -> u32 { ${i} }\n`);
    mainCommits.push(m.commit(`main ${i}`));
  }
  m.git('worktree', 'add', '-q', '-b', 'feature', linked, mainCommits[1]);
  const w = FixtureRepo.open(linked);
  w.write('src/feature.rs', 'pub fn feature() {}\n');
  featureCommits.push(w.commit('feature 1'));
  w.write('src/feature.rs', 'pub fn feature() { 2 }\n');
  featureCommits.push(w.commit('feature 2'));
  m.write('src/lib.rs', 'pub fn v() -> u32 { 3 }\n');
  mainCommits.push(m.commit('main 3'));
  m.git('gc', '-q'); // refs into packed-refs, objects into a pack, both in the common dir
  w.git('update-ref', 'refs/worktree/mark', featureCommits[0]); // a per-worktree ref
});

test('a linked worktree: its own HEAD (another branch than the main checkout), the common refs and objects, per-worktree refs', async () => {
  assert.match(fs.readFileSync(path.join(linked, '.git'), 'utf8'), /^gitdir: .*\/main\/\.git\/worktrees\/linked/);
  const repo = await openRepository(linked);
  assert.equal(repo.dir, linked);
  assert.equal(repo.gitdir, path.join(main, '.git/worktrees/linked'));
  assert.equal(repo.commondir, path.join(main, '.git'));
  assert.equal(await repo.resolveRef('HEAD'), featureCommits[1]);
  assert.equal(await repo.resolveRef('main'), mainCommits[3]);
  assert.equal(await repo.resolveRef('refs/worktree/mark'), featureCommits[0]);
  const records = await collect(repo);
  assert.deepEqual(
    records.map((r) => r.commit.hash),
    [mainCommits[0], mainCommits[1], ...featureCommits],
  );
  assert.equal(records[3].files.find((f) => f.path === 'src/feature.rs')?.newText, 'pub fn feature() { 2 }\n');
  assert.deepEqual(
    (await repo.listTree(featureCommits[1])).map((e) => e.path),
    ['src/feature.rs', 'src/lib.rs'],
  );
  repo.close();

  const inside = await openRepository(path.join(linked, 'src'));
  assert.equal(await inside.resolveRef(), featureCommits[1]);
  inside.close();

  const m = await openRepository(main);
  assert.equal(m.gitdir, path.join(main, '.git'));
  assert.equal(m.commondir, m.gitdir);
  assert.equal(await m.resolveRef('HEAD'), mainCommits[3]);
  await assert.rejects(m.resolveRef('refs/worktree/mark'), { code: 'bad-ref' });
  assert.deepEqual(
    (await collect(m)).map((r) => r.commit.hash),
    mainCommits,
  );
  m.close();

  // The worktree's git dir opened directly (like a bare repository).
  const direct = await openRepository(path.join(main, '.git/worktrees/linked'));
  assert.equal(await direct.resolveRef(), featureCommits[1]);
  direct.close();
});

test('a linked worktree whose .git file has a relative gitdir path', async () => {
  const dotgit = path.join(linked, '.git');
  const saved = fs.readFileSync(dotgit, 'utf8');
  try {
    fs.writeFileSync(dotgit, 'gitdir: ../main/.git/worktrees/linked\n');
    const { repo, records } = await historyOf(linked);
    assert.equal(repo.gitdir, path.join(main, '.git/worktrees/linked'));
    assert.equal(records.length, 4);
    assert.equal(records[3].commit.hash, featureCommits[1]);
  } finally {
    fs.writeFileSync(dotgit, saved);
  }
});

test('a linked worktree of a shallow clone: the shallow file is in the common dir', async () => {
  const clone = path.join(root, 'shallow');
  const wt = path.join(root, 'shallow-wt');
  FixtureRepo.open(root).git('clone', '-q', '--depth', '2', `file://${main}`, clone);
  FixtureRepo.open(clone).git('worktree', 'add', '-q', '--detach', wt, 'HEAD~1');
  const { repo, records } = await historyOf(wt);
  assert.equal(repo.isShallow, true);
  assert.deepEqual(
    records.map((r) => r.commit.hash),
    [mainCommits[2]],
  );
  assert.deepEqual(
    records[0].files.map((f) => [f.path, f.change]),
    [['src/lib.rs', 'added']],
  );
});

test('git clone --separate-git-dir, and a .git file with a relative gitdir path', async () => {
  const work = path.join(root, 'separate');
  const store = path.join(root, 'separate-store.git');
  FixtureRepo.open(root).git('clone', '-q', '--separate-git-dir', store, `file://${main}`, work);
  const { repo, records } = await historyOf(work);
  assert.equal(repo.dir, work);
  assert.equal(repo.gitdir, store);
  assert.deepEqual(
    records.map((r) => r.commit.hash),
    mainCommits,
  );

  fs.writeFileSync(path.join(work, '.git'), 'gitdir: ../separate-store.git\n');
  const rel = await openRepository(path.join(work, 'src'));
  assert.equal(rel.gitdir, store);
  assert.equal(await rel.resolveRef(), mainCommits[3]);
  rel.close();
});

test('objects borrowed through objects/info/alternates (git clone --shared), absolute or relative', async () => {
  const shared = path.join(root, 'shared');
  FixtureRepo.open(root).git('clone', '-q', '--shared', main, shared);
  const alternates = path.join(shared, '.git/objects/info/alternates');
  assert.equal(fs.readFileSync(alternates, 'utf8').trim(), path.join(main, '.git/objects'));
  assert.deepEqual(fs.readdirSync(path.join(shared, '.git/objects/pack')), []);
  const abs = await historyOf(shared);
  assert.deepEqual(
    abs.records.map((r) => r.commit.hash),
    mainCommits,
  );
  assert.equal(abs.records[3].files[0].newText, 'pub fn v() -> u32 { 3 }\n');

  fs.writeFileSync(alternates, '# borrowed\n../../../main/.git/objects\n');
  const rel = await historyOf(shared);
  assert.deepEqual(
    rel.records.map((r) => r.commit.hash),
    mainCommits,
  );
});
