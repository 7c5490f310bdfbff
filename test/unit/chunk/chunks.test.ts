import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { byName, chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
const fixture = (): FixtureRepo => {
  const r = FixtureRepo.create('cc-chunk-');
  repos.push(r);
  return r;
};
after(() => repos.forEach((r) => r.dispose()));

const LIB_V1 = `use std::fmt;

pub struct Keep { a: u32 }

// a note between items

pub fn change_me(x: u32) -> u32 {
    x + 1
}

pub enum Gone { A, B }

impl fmt::Display for Keep {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { write!(f, "{}", self.a) }
}
`;
const LIB_V2 = `use std::fmt;

pub struct Keep { a: u32 }

// a changed note between items

pub fn change_me(x: u32) -> u32 {
    x + 2
}

pub struct Fresh;

impl fmt::Display for Keep {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { write!(f, "{}", self.a) }
}
`;

describe('chunks: pairing', () => {
  it('emits modified, added, deleted and top-level chunks, never unchanged units', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', LIB_V1);
    repo.commit('v1');
    repo.write('src/lib.rs', LIB_V2);
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    const summary = cs.map((c) => `${c.change} ${c.kind} ${c.qualifiedName}`);
    assert.deepEqual(summary.sort(), ['added struct Fresh', 'deleted enum Gone', 'modified fn change_me', 'top-level top-level top-level@L2'].sort());
    const m = byName(cs, 'change_me')!;
    assert.equal(m.oldCode, 'pub fn change_me(x: u32) -> u32 {\n    x + 1\n}');
    assert.equal(m.newCode, 'pub fn change_me(x: u32) -> u32 {\n    x + 2\n}');
    assert.deepEqual(m.newRange, { start: 7, end: 9 });
    assert.equal(m.language, 'rust');
    const top = cs.find((c) => c.kind === 'top-level')!;
    assert.ok(top.newCode.includes('// a changed note between items'));
    assert.ok(top.oldCode.includes('// a note between items'));
    assert.ok(top.newCode.split('\n').length >= 4, 'changed line plus context lines');
    const gone = byName(cs, 'Gone')!;
    assert.equal(gone.newCode, '');
    assert.equal(gone.newRange, null);
    // first commit: everything added
    const first = run.chunks.get(run.recs[0].commit.hash)!;
    assert.ok(first.every((c) => c.change === 'added' || c.change === 'top-level'));
    assert.ok(byName(first, 'impl fmt::Display for Keep'));
    const st = run.chunker.stats();
    assert.equal(st.chunksByLanguage.rust, first.length + cs.length);
    run.chunker.dispose();
  });

  it('an edited rename (delete + add in one commit) is paired as a rename', async () => {
    const repo = fixture();
    repo.write('src/old_name.rs', LIB_V1);
    repo.commit('v1');
    repo.move('src/old_name.rs', 'src/new_name.rs');
    repo.write('src/new_name.rs', LIB_V1.replace('x + 1', 'x * 3'));
    const h2 = repo.commit('rename');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    assert.deepEqual(
      cs.map((c) => `${c.change} ${c.qualifiedName}`),
      ['modified change_me'],
    );
    assert.equal(cs[0].path, 'src/new_name.rs');
    assert.equal(cs[0].oldPath, 'src/old_name.rs');
    run.chunker.dispose();
  });

  it('deleted files give deleted chunks; TS, Python and Go changes are paired too (files in path order)', async () => {
    const repo = fixture();
    repo.write('web/app.ts', 'export function a(): number { return 1; }\nexport class K { m() { return 1; } n() { return 2; } }\n');
    repo.write('py/m.py', 'def f(x):\n    return x\n\nclass C:\n    def m(self):\n        return 1\n');
    repo.write('go/s.go', 'package s\n\ntype S struct{ A int }\n\nfunc (s *S) Get() int { return s.A }\n');
    repo.write('src/dead.rs', 'fn dead() {}\n');
    repo.commit('v1');
    repo.write('web/app.ts', 'export function a(): number { return 1; }\nexport class K { m() { return 10; } n() { return 2; } }\n');
    repo.write('py/m.py', 'def f(x):\n    return x\n\nclass C:\n    def m(self):\n        return 2\n');
    repo.write('go/s.go', 'package s\n\ntype S struct{ A int }\n\nfunc (s *S) Get() int { return s.A + 1 }\n');
    repo.remove('src/dead.rs');
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    const summary = cs.map((c) => `${c.path} ${c.change} ${c.kind} ${c.qualifiedName}`);
    // a small container that changed is one chunk (the whole class with its changed method)
    assert.deepEqual(summary, ['go/s.go modified method (*S).Get', 'py/m.py modified class C', 'src/dead.rs deleted fn dead', 'web/app.ts modified class K']);
    assert.equal(byName(cs, 'C')!.newCode, 'class C:\n    def m(self):\n        return 2');
    run.chunker.dispose();
  });
});

describe('chunks: limits, errors, fallback', () => {
  const method = (i: number, body: string) => `    /// Method number ${i}.\n    pub fn method_${i}(&self, x: u64) -> u64 {\n        let y = x.wrapping_mul(${i});\n        ${body}\n    }\n`;
  const bigImpl = (changed: Set<number>) =>
    `pub struct Big { v: u64 }\n\nimpl Big {\n${Array.from({ length: 40 }, (_, i) => method(i, changed.has(i) ? `y + self.v * ${i + 100}` : `y + self.v`)).join('\n')}}\n`;

  it('splits an oversized impl: header + changed methods, unchanged siblings collapsed', async () => {
    const repo = fixture();
    repo.write('src/big.rs', bigImpl(new Set()));
    repo.commit('v1');
    repo.write('src/big.rs', bigImpl(new Set([3, 30])));
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo, { maxChunkChars: 4000 });
    const cs = run.chunks.get(h2)!;
    assert.equal(cs.length, 1);
    const c = cs[0];
    assert.equal(c.kind, 'impl');
    assert.equal(c.qualifiedName, 'impl Big');
    assert.equal(c.split, true);
    assert.ok(c.newCode.startsWith('impl Big {'));
    assert.ok(c.newCode.includes('y + self.v * 103') && c.newCode.includes('y + self.v * 130'));
    assert.ok(c.oldCode.includes('pub fn method_3(&self, x: u64) -> u64 {\n        let y = x.wrapping_mul(3);\n        y + self.v\n    }'));
    assert.ok(c.newCode.includes('pub fn method_4(&self, x: u64) -> u64 { … }'), 'unchanged sibling collapsed');
    assert.ok(c.newCode.length <= 4000);
    // the first commit adds an oversized impl: split too
    const first = run.chunks.get(run.recs[0].commit.hash)!;
    assert.ok(first.some((x) => x.kind === 'impl' && x.split));
    run.chunker.dispose();
  });

  it('with a small limit, the split impl comes in parts that each fit', async () => {
    const repo = fixture();
    repo.write('src/big.rs', bigImpl(new Set()));
    repo.commit('v1');
    repo.write('src/big.rs', bigImpl(new Set([1, 2, 3, 20, 38])));
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo, { maxChunkChars: 500 });
    const cs = run.chunks.get(h2)!;
    assert.ok(cs.length >= 2, `several parts (got ${cs.length})`);
    for (const c of cs) {
      assert.equal(c.qualifiedName, 'impl Big');
      assert.equal(c.split, true);
      assert.ok(c.newCode.length <= 500 && c.oldCode.length <= 500);
      assert.ok(c.newCode.startsWith('impl Big {'));
    }
    const all = cs.map((c) => c.newCode).join('\n');
    for (const i of [1, 2, 3, 20, 38]) assert.ok(all.includes(`y + self.v * ${i + 100}`), `method ${i} in some part`);
    assert.equal(new Set(cs.map((c) => c.id)).size, cs.length);
    run.chunker.dispose();
  });

  it('splits an oversized function on line boundaries around the change', async () => {
    const body = (k: number) => `fn long() {\n${Array.from({ length: 300 }, (_, i) => `    let v${i} = ${i === 150 ? k : i};`).join('\n')}\n}\n`;
    const repo = fixture();
    repo.write('src/long.rs', body(0));
    repo.commit('v1');
    repo.write('src/long.rs', body(7));
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo, { maxChunkChars: 4000 });
    const cs = run.chunks.get(h2)!;
    assert.equal(cs.length, 1);
    assert.equal(cs[0].split, true);
    assert.ok(cs[0].newCode.includes('let v150 = 7;'));
    assert.ok(cs[0].newCode.split('\n').length <= 7);
    run.chunker.dispose();
  });

  it('files with syntax errors still produce chunks', async () => {
    const repo = fixture();
    repo.write('src/bad.rs', 'fn ok() -> u32 { 1 }\n');
    repo.commit('v1');
    repo.write('src/bad.rs', 'fn ok() -> u32 { 1 }\nfn broken( {\n    let = ;\n}\n');
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    assert.ok(cs.length >= 1);
    assert.ok(cs.some((c) => c.newCode.includes('let = ;')));
    assert.ok(run.chunker.stats().parseErrors >= 1);
    run.chunker.dispose();
  });

  it('a language without a grammar falls back to diff hunks with context lines', async () => {
    const repo = fixture();
    const lines = Array.from({ length: 30 }, (_, i) => `key${i} = ${i}`);
    repo.write('Cargo.toml', lines.join('\n') + '\n');
    repo.commit('v1');
    lines[4] = 'key4 = 400';
    lines[25] = 'key25 = 2500';
    repo.write('Cargo.toml', lines.join('\n') + '\n');
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    assert.equal(cs.length, 2);
    assert.ok(cs.every((c) => c.kind === 'hunk' && c.change === 'modified' && c.language === 'toml'));
    assert.deepEqual(cs[0].newRange, { start: 2, end: 8 });
    assert.equal(cs[0].newCode, lines.slice(1, 8).join('\n'));
    assert.ok(cs[0].oldCode.includes('key4 = 4\n'));
    assert.equal(run.chunker.stats().fallbackFiles, 2);
    run.chunker.dispose();
  });

  it('same input and settings give identical output', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', LIB_V1);
    repo.commit('v1');
    repo.write('src/lib.rs', LIB_V2);
    repo.commit('v2');
    const a = await chunkHistory(repo);
    const b = await chunkHistory(repo);
    assert.equal(JSON.stringify([...a.chunks]), JSON.stringify([...b.chunks]));
    a.chunker.dispose();
    b.chunker.dispose();
  });
});
