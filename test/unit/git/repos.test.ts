import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { openRepository } from '../../../src/core/git';
import { byHash, collect, file, historyOf } from './helpers';

const disposables: Array<{ dispose(): void }> = [];
after(() => disposables.forEach((d) => d.dispose()));

function fixture(): FixtureRepo {
  const r = FixtureRepo.create();
  disposables.push(r);
  return r;
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-git-'));
  disposables.push({ dispose: () => fs.rmSync(d, { recursive: true, force: true }) });
  return d;
}

let counter = 0;
function linear(repo: FixtureRepo, n: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = counter++;
    repo.write(`src/m${i % 3}.rs`, `pub fn f${i}() -> u32 { ${i} }\n`);
    out.push(repo.commit(`commit ${i}`));
  }
  return out;
}

test('not a repository: clear error; a folder inside a work tree opens the repository', async () => {
  await assert.rejects(openRepository(tempDir()), { code: 'not-a-repo', message: /Not a git repository/ });
  await assert.rejects(openRepository('/definitely/not/here'), { code: 'not-a-repo' });
  const repo = fixture();
  linear(repo, 1);
  fs.mkdirSync(path.join(repo.dir, 'sub/dir'), { recursive: true });
  const r = await openRepository(path.join(repo.dir, 'sub/dir'));
  assert.equal(r.dir, repo.dir);
  assert.equal((await collect(r)).length, 1);
});

test('empty repository: isEmpty, no commits, no throw', async () => {
  const repo = fixture();
  const r = await openRepository(repo.dir);
  assert.equal(r.isEmpty, true);
  assert.equal(await r.resolveRef(), null);
  assert.deepEqual(await collect(r), []);
  assert.deepEqual(await r.listCommits(), []);
  assert.equal(r.stats().commitsYielded, 0);
});

test('bare repository, packed refs, several packs, annotated tag, detached HEAD', async () => {
  const repo = fixture();
  counter = 0;
  const hashes = linear(repo, 3);
  repo.git('repack', '-q', '-d');
  hashes.push(...linear(repo, 3));
  repo.git('tag', '-a', '-m', 'release', 'v1');
  repo.git('repack', '-q'); // a second pack with the newer objects
  hashes.push(...linear(repo, 2)); // and some loose objects
  repo.git('pack-refs', '--all');
  assert.equal(fs.readdirSync(path.join(repo.dir, '.git/objects/pack')).filter((f) => f.endsWith('.pack')).length, 2);
  assert.ok(!fs.existsSync(path.join(repo.dir, '.git/refs/heads/main')));

  const { records } = await historyOf(repo.dir);
  assert.deepEqual(
    records.map((r) => r.commit.hash),
    hashes,
  );
  assert.equal(file(records[4], 'src/m1.rs').newText, 'pub fn f4() -> u32 { 4 }\n');
  assert.equal(file(records[4], 'src/m1.rs').oldText, 'pub fn f1() -> u32 { 1 }\n');

  const tagged = await historyOf(repo.dir, { ref: 'v1' });
  assert.deepEqual(
    tagged.records.map((r) => r.commit.hash),
    hashes.slice(0, 6),
  );

  const bare = path.join(tempDir(), 'bare.git');
  repo.git('clone', '-q', '--bare', repo.dir, bare);
  const b = await historyOf(bare);
  assert.equal(b.repo.gitdir, bare);
  assert.deepEqual(
    b.records.map((r) => r.commit.hash),
    hashes,
  );

  repo.git('checkout', '-q', '--detach', hashes[4]);
  const detached = await historyOf(repo.dir);
  assert.deepEqual(
    detached.records.map((r) => r.commit.hash),
    hashes.slice(0, 5),
  );
});

test('shallow clone: processes what is there, isShallow, boundary commit diffed against the empty tree', async () => {
  const repo = fixture();
  counter = 0;
  const hashes = linear(repo, 5);
  const dest = path.join(tempDir(), 'shallow');
  repo.git('clone', '-q', '--depth', '2', `file://${repo.dir}`, dest);
  const { repo: r, records } = await historyOf(dest);
  assert.equal(r.isShallow, true);
  assert.deepEqual(
    records.map((x) => x.commit.hash),
    hashes.slice(3),
  );
  assert.deepEqual(records[0].commit.parents, [hashes[2]]); // the real parent, though absent
  assert.deepEqual(
    records[0].files.map((f) => [f.path, f.change]),
    [
      ['src/m0.rs', 'added'],
      ['src/m1.rs', 'added'],
      ['src/m2.rs', 'added'],
    ],
  );
  assert.deepEqual(
    records[1].files.map((f) => [f.path, f.change]),
    [['src/m1.rs', 'modified']],
  );
  assert.equal((await openRepository(repo.dir)).isShallow, false);
});

test('submodule: gitlink changes are listed with skip "submodule"', async () => {
  const lib = fixture();
  linear(lib, 2);
  const repo = fixture();
  repo.write('main.rs', 'fn main() {}\n');
  repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', `file://${lib.dir}`, 'deps/lib');
  const h = repo.commit('add submodule');
  const { records, repo: r } = await historyOf(repo.dir);
  const sub = file(byHash(records, h), 'deps/lib');
  assert.equal(sub.change, 'added');
  assert.equal(sub.skip, 'submodule');
  assert.equal(sub.newMode, '160000');
  assert.equal(sub.newOid, lib.head());
  assert.equal(file(byHash(records, h), '.gitmodules').skip, undefined);
  assert.equal(r.stats().skips.submodule, 1);
});

test('missing blob, corrupt tree: by default errors naming them; with allowMissingObjects the file is skipped, the commit has an error, the run goes on', async () => {
  const repo = fixture();
  repo.write('a.rs', 'fn a() {}\n');
  repo.write('dir/b.rs', 'fn b() {}\n');
  const c1 = repo.commit('one');
  repo.write('lost.rs', 'fn lost() {}\n');
  const c2 = repo.commit('two');
  repo.write('dir/b.rs', 'fn b() { 2 }\n');
  const c3 = repo.commit('three');
  repo.write('a.rs', 'fn a() { 4 }\n');
  const c4 = repo.commit('four');
  const loose = (oid: string) => path.join(repo.dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
  const lostOid = repo.git('rev-parse', `${c2}:lost.rs`).trim();
  fs.rmSync(loose(lostOid));
  const treeOid = repo.git('rev-parse', `${c3}:dir`).trim();
  const tree = loose(treeOid);
  fs.chmodSync(tree, 0o644);
  fs.writeFileSync(tree, 'this is not a zlib stream');

  await assert.rejects(historyOf(repo.dir), {
    name: 'GitError',
    code: 'missing-object',
    oid: lostOid,
    message: `Object ${lostOid} (blob of lost.rs at commit ${c2.slice(0, 12)}) is missing from the repository; run "git fsck" (or pass --allow-missing-objects to skip such files).`,
  });

  const { records, repo: r } = await historyOf(repo.dir, {}, { allowMissingObjects: true });
  assert.deepEqual(
    records.map((x) => x.commit.hash),
    [c1, c2, c3, c4],
  );
  const lost = file(byHash(records, c2), 'lost.rs');
  assert.equal(lost.skip, 'missing-object');
  assert.equal(lost.change, 'added');
  const broken = byHash(records, c3);
  assert.match(
    broken.error ?? '',
    new RegExp(`^Could not read commit ${c3}: Object ${treeOid} \\(tree of dir at commit ${c3.slice(0, 12)}\\) is corrupt: loose object file ${tree}: .+; run "git fsck"\\.$`),
  );
  assert.deepEqual(broken.files, []);
  assert.equal(file(byHash(records, c4), 'a.rs').newText, 'fn a() { 4 }\n');
  assert.equal(r.stats().commitErrors, 1);
  assert.equal(r.stats().skips['missing-object'], 1);

  // With the blob back, the damaged tree stops the default run.
  repo.git('hash-object', '-w', '--stdin', '--path', 'lost.rs');
  fs.writeFileSync(path.join(repo.dir, 'lost.rs'), 'fn lost() {}\n');
  assert.equal(repo.git('hash-object', '-w', 'lost.rs').trim(), lostOid);
  await assert.rejects(historyOf(repo.dir), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'corrupt-object');
    assert.match(
      err.message,
      new RegExp(
        `^Object ${treeOid} \\(tree of dir at commit ${c3.slice(0, 12)}\\) is corrupt: loose object file ${tree}: .+; run "git fsck" \\(or pass --allow-missing-objects to skip such commits\\)\\.$`,
      ),
    );
    return true;
  });
});

test('RepoReader: listTree, readBlob, readText', async () => {
  const repo = fixture();
  repo.write('src/a.rs', 'fn a() {}\n');
  repo.write('bin.dat', new Uint8Array([1, 0, 2]));
  const h = repo.commit('one');
  const r = await openRepository(repo.dir);
  const tree = await r.listTree(h);
  assert.deepEqual(
    tree.map((e) => [e.path, e.mode]),
    [
      ['bin.dat', '100644'],
      ['src/a.rs', '100644'],
    ],
  );
  const a = tree.find((e) => e.path === 'src/a.rs')!;
  assert.equal(a.oid, repo.git('rev-parse', `${h}:src/a.rs`).trim());
  assert.equal(await r.readText(a.oid), 'fn a() {}\n');
  assert.deepEqual([...(await r.readBlob(tree[0].oid))], [1, 0, 2]);
  assert.equal(await r.readText(tree[0].oid), null);
  r.close();
});
