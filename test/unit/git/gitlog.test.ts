/**
 * The changed-file list of every commit equals what `git log --raw` reports on the same repository.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import type { CommitRecord } from '../../../src/core/types';
import { openRepository } from '../../../src/core/git';
import { collect, historyOf } from './helpers';
import { rng } from '../../fixtures/rng';

interface RawLine {
  status: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
  oldPath?: string;
  path: string;
}

/** Parses `git log --raw --no-abbrev --format=%x01%H` output: commit → raw lines. */
function parseGitLog(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const block of out.split('\x01').slice(1)) {
    const [hash, ...lines] = block.split('\n');
    const raw = lines
      .filter((l) => l.startsWith(':'))
      .map((l) => {
        const [meta, ...paths] = l.split('\t');
        const [oldMode, newMode, oldOid, newOid, status] = meta.slice(1).split(' ');
        const r: RawLine = { status: status[0], oldMode, newMode, oldOid, newOid, path: paths[paths.length - 1] };
        if (status[0] === 'R') r.oldPath = paths[0];
        return r;
      });
    map.set(hash.trim(), raw.map(show).sort());
  }
  return map;
}

const ZERO = '0'.repeat(40);
function show(r: RawLine): string {
  // git shows a file <-> symlink change as T(ype change); the engine lists it as modified.
  const status = r.status === 'T' ? 'M' : r.status;
  return `${status} ${r.oldPath ?? '-'} ${r.path} ${r.oldMode} ${r.newMode} ${r.oldOid} ${r.newOid}`;
}

function ours(rec: CommitRecord): string[] {
  const letter = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R' } as const;
  return rec.files
    .map((f) =>
      show({
        status: letter[f.change],
        oldPath: f.oldPath,
        path: f.path,
        oldMode: f.oldMode ?? '000000',
        newMode: f.newMode ?? '000000',
        oldOid: f.oldOid ?? ZERO,
        newOid: f.newOid ?? ZERO,
      }),
    )
    .sort();
}

const repo = FixtureRepo.create();
let serial = 0;
const unique = (p: string) => `// ${p} v${++serial}\npub fn f${serial}() -> u32 {\n    ${serial}\n}\n`;

before(() => {
  const rand = rng(42);
  const files = new Set<string>();
  const dirs = ['src', 'src/net', 'src/io/util', 'benches', 'tests', 'crates/a/src', 'ünï'];
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const add = () => {
    const p = `${pick(dirs)}/f${serial}.rs`;
    repo.write(p, unique(p));
    files.add(p);
  };
  for (let i = 0; i < 6; i++) add();
  repo.commit('root');

  for (let c = 0; c < 40; c++) {
    const ops = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < ops; k++) {
      const list = [...files].sort();
      const r = rand();
      if (r < 0.3 || list.length < 3) add();
      else if (r < 0.6) {
        const p = pick(list);
        repo.write(p, unique(p));
      } else if (r < 0.72) {
        const p = pick(list);
        repo.remove(p);
        files.delete(p);
      } else if (r < 0.86) {
        const p = pick(list);
        const to = `${pick(dirs)}/moved${serial++}.rs`;
        repo.move(p, to);
        files.delete(p);
        files.add(to);
      } else if (r < 0.93) {
        const p = pick(list);
        fs.chmodSync(path.join(repo.dir, p), rand() < 0.5 ? 0o755 : 0o644);
        repo.write(p, unique(p));
      } else {
        // move + edit: git (exact renames only) and the engine both see delete + add
        const p = pick(list);
        const to = `${pick(dirs)}/edited${serial}.rs`;
        repo.move(p, to);
        repo.write(to, unique(to));
        files.delete(p);
        files.add(to);
      }
    }
    repo.commit(`change ${c}`);
    if (c === 10) {
      // a directory becomes a file, and a file becomes a symlink
      repo.write('kind/x/a.rs', unique('kind/x/a.rs'));
      repo.write('kind/link', 'plain file\n');
      repo.commit('kinds');
      repo.remove('kind/x');
      repo.write('kind/x', 'now a file\n');
      fs.rmSync(path.join(repo.dir, 'kind/link'));
      fs.symlinkSync('x', path.join(repo.dir, 'kind/link'));
      repo.commit('kinds changed');
    }
    if (c === 20) {
      repo.git('checkout', '-q', '-b', 'topic');
      repo.write('topic/t.rs', unique('topic/t.rs'));
      repo.commit('topic 1');
      repo.write('topic/t.rs', unique('topic/t.rs'));
      repo.write('topic/u.rs', unique('topic/u.rs'));
      repo.commit('topic 2');
      repo.git('checkout', '-q', 'main');
      repo.write('src/main-only.rs', unique('src/main-only.rs'));
      repo.commit('main meanwhile');
      repo.git('merge', '-q', '--no-ff', '-m', 'merge topic', 'topic');
    }
  }
});
after(() => repo.dispose());

test('every commit: changed files equal git log --raw -m --first-parent (exact renames)', async () => {
  const git = parseGitLog(repo.git('-c', 'core.quotePath=false', 'log', '--raw', '--no-abbrev', '-m', '--first-parent', '--find-renames=100%', '--format=%x01%H'));
  const { records } = await historyOf(repo.dir, { includeMerges: true });
  assert.ok(git.size >= 40);
  let merges = 0;
  let renames = 0;
  for (const [hash, expected] of git) {
    const rec = records.find((r) => r.commit.hash === hash);
    assert.ok(rec, `commit ${hash} missing`);
    assert.deepEqual(ours(rec), expected, `commit ${hash} (${rec.commit.subject})`);
    if (rec.commit.isMerge) merges++;
    renames += rec.files.filter((f) => f.change === 'renamed').length;
  }
  assert.equal(merges, 1);
  assert.ok(renames >= 3, `only ${renames} renames in the fixture`);
});

test('every non-merge commit, side branches included, equals git log --raw --no-merges; same commit order', async () => {
  const git = parseGitLog(repo.git('-c', 'core.quotePath=false', 'log', '--raw', '--no-abbrev', '--no-merges', '--find-renames=100%', '--format=%x01%H', '--reverse', '--topo-order'));
  const { records } = await historyOf(repo.dir);
  assert.deepEqual(new Set(records.map((r) => r.commit.hash)), new Set(git.keys()));
  for (const rec of records) assert.deepEqual(ours(rec), git.get(rec.commit.hash), rec.commit.subject);
  // Commit dates all differ here, so oldest-first equals git's date order.
  const byDate = repo.git('log', '--no-merges', '--reverse', '--date-order', '--format=%H').trim().split('\n');
  assert.deepEqual(
    records.map((r) => r.commit.hash),
    byDate,
  );
});

test('texts match git cat-file --batch for every side of every change', async () => {
  const { records } = await historyOf(repo.dir, { includeMerges: true });
  const want = new Map<string, string | null>();
  for (const rec of records) {
    for (const f of rec.files) {
      if (f.skip) continue;
      if (f.newOid) want.set(f.newOid, f.newText);
      if (f.oldOid) want.set(f.oldOid, f.oldText);
    }
  }
  const oids = [...want.keys()];
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: repo.dir, input: oids.join('\n') + '\n', maxBuffer: 1 << 28 });
  let pos = 0;
  for (const oid of oids) {
    const nl = out.indexOf(10, pos);
    const [got, type, size] = out.subarray(pos, nl).toString().split(' ');
    assert.equal(got, oid);
    assert.equal(type, 'blob');
    const body = out.subarray(nl + 1, nl + 1 + Number(size)).toString('utf8');
    assert.equal(want.get(oid), body, oid);
    pos = nl + 1 + Number(size) + 1;
  }
  assert.ok(oids.length > 50);
});

test('tiny cache budgets (constant evictions) give byte-identical records', async () => {
  const normal = await historyOf(repo.dir, { includeMerges: true });
  const r = await openRepository(repo.dir, { cache: { blobBytes: 2000, treeBytes: 2000, deltaBaseBytes: 2000 } });
  const tiny = await collect(r, { includeMerges: true });
  assert.equal(JSON.stringify(tiny), JSON.stringify(normal.records));
  assert.ok(r.stats().blobsRead > normal.repo.stats().blobsRead, 'evictions force re-reads');
});

test('detectRenames "similarity": equals git log --raw -M (50%) on the fixture and on edited moves', async () => {
  const gitM = (dir: string) =>
    parseGitLog(
      execFileSync('git', ['-c', 'core.quotePath=false', '-c', 'diff.renames=true', 'log', '--raw', '--no-abbrev', '-m', '--first-parent', '-M50%', '--format=%x01%H'], {
        cwd: dir,
        encoding: 'utf8',
      }),
    );
  const { records } = await historyOf(repo.dir, { includeMerges: true, detectRenames: 'similarity' });
  for (const [hash, expected] of gitM(repo.dir)) assert.deepEqual(ours(records.find((r) => r.commit.hash === hash)!), expected, hash);

  const r = FixtureRepo.create();
  try {
    const body = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `    let value_${i} = compute_${tag}_${i % 7}(${i});\n`).join('');
    r.write('src/a.rs', `fn a() {\n${body('a', 40)}}\n`);
    r.write('src/b.rs', `fn b() {\n${body('b', 40)}}\n`);
    r.write('src/c.rs', `fn c() {\n${body('c', 40)}}\n`);
    r.write('src/d.rs', `fn d() {\n${body('d', 30)}}\r\n`.replace(/\n/g, '\r\n'));
    r.commit('root');
    // a: moved with a few edits (a rename); b: moved and mostly rewritten (delete + add);
    // c: deleted, and two new files resembling it, one more than the other (the closer one wins);
    // d: CRLF file moved with one edit.
    r.move('src/a.rs', 'lib/a2.rs');
    r.write('lib/a2.rs', r.read('lib/a2.rs').replace('value_3 ', 'renamed_3 ').replace('value_9 ', 'renamed_9 '));
    r.move('src/b.rs', 'lib/b2.rs');
    r.write('lib/b2.rs', `fn b() {\n${body('zz', 35)}${body('b', 5)}}\n`);
    const c = r.read('src/c.rs');
    r.remove('src/c.rs');
    r.write('lib/c_close.rs', c.replace('value_1 ', 'x_1 '));
    r.write('lib/c_far.rs', c.split('\n').slice(0, 25).join('\n') + `\n${body('q', 12)}`);
    r.move('src/d.rs', 'lib/d.rs');
    r.write('lib/d.rs', r.read('lib/d.rs').replace('value_2 ', 'other_2 '));
    r.commit('moves');
    const got = await historyOf(r.dir, { detectRenames: 'similarity' });
    const expected = gitM(r.dir);
    for (const rec of got.records) assert.deepEqual(ours(rec), expected.get(rec.commit.hash), rec.commit.subject);
    const moves = got.records[1].files;
    assert.deepEqual(
      moves
        .filter((f) => f.change === 'renamed')
        .map((f) => `${f.oldPath} → ${f.path}`)
        .sort(),
      ['src/a.rs → lib/a2.rs', 'src/c.rs → lib/c_close.rs', 'src/d.rs → lib/d.rs'],
    );
    const a2 = moves.find((f) => f.path === 'lib/a2.rs')!;
    assert.match(a2.oldText ?? '', /value_3 /);
    assert.match(a2.newText ?? '', /renamed_3 /);
    // Without the option: edited moves stay delete + add.
    const exact = await historyOf(r.dir);
    assert.equal(exact.records[1].files.filter((f) => f.change === 'renamed').length, 0);
  } finally {
    r.dispose();
  }
});

test('non-canonical tree modes (100664, 100775 from old tools) read like git: 100644 / 100755, no phantom mode changes', async () => {
  const r = FixtureRepo.create();
  try {
    const blob = (text: string) => execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: r.dir, input: text, encoding: 'utf8' }).trim();
    // Raw tree objects (git mktree would canonicalize the modes).
    const tree = (entries: Array<[string, string, string]>) => {
      const body = Buffer.concat(entries.map(([mode, name, oid]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')])));
      return execFileSync('git', ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'], { cwd: r.dir, input: body, encoding: 'utf8' }).trim();
    };
    const env = { ...process.env, GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' };
    const commit = (t: string, parent?: string) => execFileSync('git', ['commit-tree', t, '-m', 'c', ...(parent ? ['-p', parent] : [])], { cwd: r.dir, env, encoding: 'utf8' }).trim();
    const a = blob('fn a() {}\n');
    const b = blob('fn b() {}\n');
    const c1 = commit(
      tree([
        ['100664', 'a.rs', a],
        ['100775', 'run.sh', b],
      ]),
    );
    const c2 = commit(
      tree([
        ['100644', 'a.rs', a],
        ['100755', 'run.sh', b],
        ['100664', 'z.rs', b],
      ]),
      c1,
    );
    const c3 = commit(
      tree([
        ['100644', 'a.rs', b],
        ['100755', 'run.sh', b],
        ['100644', 'z.rs', b],
      ]),
      c2,
    );
    r.git('update-ref', 'refs/heads/main', c3);
    const git = parseGitLog(r.git('log', '--raw', '--no-abbrev', '--format=%x01%H'));
    const { records } = await historyOf(r.dir);
    assert.equal(records.length, 3);
    for (const rec of records) assert.deepEqual(ours(rec), git.get(rec.commit.hash), rec.commit.hash);
    assert.deepEqual(
      records[1].files.map((f) => `${f.path} ${f.newMode}`),
      ['z.rs 100644'],
    );
    assert.deepEqual(
      (await (await openRepository(r.dir)).listTree(c1)).map((e) => e.mode),
      ['100644', '100755'],
    );
  } finally {
    r.dispose();
  }
});
