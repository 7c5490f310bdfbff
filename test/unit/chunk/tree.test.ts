import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { compareTreePaths, createChunker, parseImport } from '../../../src/core/chunk';
import { openRepository } from '../../../src/core/git';
import type { ChunkRecord } from '../../../src/core/types';
import { FixtureRepo } from '../../fixtures/repo';
import { chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
after(() => repos.forEach((r) => r.dispose()));

const helper = (who: string) => `package util\n\n// Helper from ${who}.\nfunc Helper() int { return 1 }\n`;

describe('tree at each commit, followed through the history', () => {
  it('gives the context of a listTree per commit (adds, deletes, renames, symlinks, Go folder order)', async () => {
    const repo = FixtureRepo.create('cc-chunk-tree-');
    repos.push(repo);
    // no go.mod: Go imports resolve by the longest folder suffix, where the tree's order decides between two
    repo.write('b/m/util/u.go', helper('b'));
    repo.write('src/lib.rs', 'pub mod types;\npub mod user;\n');
    repo.write('src/types.rs', 'pub struct Foo { pub a: u32 }\n');
    repo.write('src/user.rs', 'use crate::types::Foo;\n\npub fn make() -> Foo { Foo { a: 1 } }\n');
    repo.commit('one');
    // a second folder matching the Go import suffix, added later: it comes first in tree order
    repo.write('a/m/util/u.go', helper('a'));
    repo.write('main.go', 'package main\n\nimport "example.com/m/util"\n\nfunc main() { util.Helper() }\n');
    repo.write('src/extra.rs', 'pub struct Bar;\n');
    repo.commit('two');
    repo.move('src/types.rs', 'src/kinds.rs');
    repo.write('src/lib.rs', 'pub mod kinds;\npub mod user;\npub mod extra;\n');
    repo.write('src/user.rs', 'use crate::kinds::Foo;\nuse crate::extra::Bar;\n\npub fn make() -> Foo { let _b = Bar; Foo { a: 2 } }\n');
    repo.git('rm', '-q', 'b/m/util/u.go');
    repo.commit('three');
    fs.symlinkSync('kinds.rs', path.join(repo.dir, 'src', 'alias.rs'));
    repo.write('main.go', 'package main\n\nimport "example.com/m/util"\n\nfunc main() { util.Helper(); util.Helper() }\n');
    repo.write('src/user.rs', 'use crate::kinds::Foo;\nuse crate::extra::Bar;\n\npub fn make() -> Foo { let _b = Bar; Foo { a: 3 } }\n');
    repo.commit('four');

    const run = await chunkHistory(repo);
    // reference: a new chunker for every commit (it lists the tree of the commit itself)
    const r = await openRepository(repo.dir);
    const want = new Map<string, ChunkRecord[]>();
    try {
      for await (const rec of r.history({})) {
        const c = await createChunker();
        want.set(rec.commit.hash, await c.chunkCommit(rec, r));
        c.dispose();
      }
    } finally {
      r.close();
    }
    try {
      assert.deepEqual([...run.chunks.entries()], [...want.entries()]);
      const all = [...run.chunks.values()].flat();
      const main = all.filter((c) => c.path === 'main.go' && c.context.some((i) => i.symbol === 'Helper'));
      assert.ok(main.length >= 2, 'main.go chunks get Helper');
      for (const c of main) assert.equal(c.context.find((i) => i.symbol === 'Helper')!.path, 'a/m/util/u.go');
      const user = all.filter((c) => c.path === 'src/user.rs' && c.qualifiedName === 'make');
      assert.ok(
        user.at(-1)!.context.some((i) => i.path === 'src/kinds.rs' && i.symbol === 'Foo'),
        'renamed module reached',
      );
      assert.ok(
        user.at(-1)!.context.some((i) => i.path === 'src/extra.rs' && i.symbol === 'Bar'),
        'added module reached',
      );
    } finally {
      run.chunker.dispose();
    }
  });

  it('orders paths like listTree: folder entries by name, depth first', () => {
    const paths = ['tokio/src/lib.rs', 'tokio-macros/src/lib.rs', 'a.c', 'a/b', 'a-b', 'tokio/Cargo.toml', 'Z', 'é'];
    assert.deepEqual(paths.slice().sort(compareTreePaths), ['Z', 'a/b', 'a-b', 'a.c', 'tokio/Cargo.toml', 'tokio/src/lib.rs', 'tokio-macros/src/lib.rs', 'é']);
  });
});

describe('Go import declarations', () => {
  it('a single-line import is named by its last path segment, not by the keyword', async () => {
    assert.deepEqual(
      (await parseImport('go', 'import "example.com/m/util"')).map((n) => n.local),
      ['util'],
    );
    assert.deepEqual(
      (await parseImport('go', 'import u "example.com/m/util"')).map((n) => n.local),
      ['u'],
    );
    assert.deepEqual(
      (await parseImport('go', 'import (\n\t"fmt"\n\tx "os"\n)')).map((n) => n.local),
      ['fmt', 'x'],
    );
  });
});
