/**
 * Property test: hostile source text never hangs nor throws in the chunk stage. A seeded PRNG (deterministic)
 * generates, per language, token soup, real import lines with random mutations and committed conflict markers,
 * and feeds each to the import extraction, references(), the chunker's units() and a whole chunkCommit of a
 * small synthetic commit (in memory: the changed file, its previous version and a file its imports reach).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createChunker, parseImport, type Chunker } from '../../../src/core/chunk';
import { references } from '../../../src/core/chunk/context';
import type { CommitRecord, FileChange, RepoReader, TreeEntry } from '../../../src/core/types';
import { rng } from '../../fixtures/rng';

/** Inputs per language: each goes to the import extraction, references() and units(); every CHUNK_EVERY-th to chunkCommit too. */
const PER_LANGUAGE = 2000;
const CHUNK_EVERY = 3;

const COMMON = [
  '\n',
  '\n',
  ' ',
  ' ',
  '\t',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  '.',
  ':',
  '*',
  '"',
  "'",
  '`',
  '\\',
  '/',
  '//',
  '/*',
  '*/',
  '#',
  '=',
  '<',
  '>',
  'é',
  '日本',
  '😀',
  '\u2026',
  '\u0000',
  '\r',
  'x',
  'a',
  'b_1',
];

const TOKENS: Record<string, string[]> = {
  rust: [
    'use',
    'pub',
    'pub(crate)',
    'crate',
    'self',
    'super',
    '::',
    'as',
    'r#type',
    'r#x',
    'r#',
    'mod',
    'fn',
    'impl',
    'struct',
    'trait',
    'for',
    '#[cfg(test)]',
    "'a",
    '_',
    'Self',
    'extern crate',
    'macro_rules!',
    '$crate',
  ],
  typescript: [
    'import',
    'export',
    'from',
    'as',
    'type',
    'default',
    'require',
    '* as',
    '{ a as b }',
    "'./x'",
    '"./y"',
    'function',
    'class',
    'interface',
    'const',
    '=>',
    'declare',
    'namespace',
    '@dec',
    '$x',
    'typeof',
  ],
  tsx: ['import', 'export', 'from', 'as', 'type', 'default', '<div>', '</div>', '/>', "'./x'", 'function', 'const', '=>', '{...p}'],
  javascript: ['import', 'export', 'from', 'as', 'default', '* as', "'./x'", '"./y"', 'function', 'function*', 'class', 'const', 'let', '=>', 'require', 'module.exports'],
  python: ['import', 'from', 'as', '.', '..', '...', 'def', 'class', 'pass', '@dec', '__future__', 'lambda', '"""', "'''", '\n    ', '\n        ', '\\\n', 'async', 'await', 'f"{x}"'],
  go: ['package', 'import', 'func', 'type', 'struct', 'interface', '_', '.', '"fmt"', '`raw`', 'var', 'const', ':=', 'go', 'chan', '<-', 'map[string]int', '(', ')'],
};

const LINES: Record<string, string[]> = {
  rust: [
    'use std::fmt;',
    'use crate::types::{Foo, Bar as Baz};',
    'pub(crate) use super::*;',
    'use a::b::{self, c::{d, e as f}, *};',
    'use {::a};',
    'use a::{r#type};',
    'use a::{b as r#c, d};',
    'use foo::{a as b, *, ::*, ::foo as x};',
    'use ::tokio as tokio1;',
    'pub use crate::a::A;',
    'fn main() { let x = a::B; }',
    'impl fmt::Display for Foo { fn fmt(&self) {} }',
  ],
  typescript: [
    "import D, { a as b, type C } from './x';",
    "import * as ns from './y';",
    "import type { T } from './t';",
    "export { a as b, default as c } from './x';",
    "export * from './y';",
    "export * as z from './z';",
    "import x = require('./r');",
    "import './side';",
    'export function f(a: A): B { return a; }',
    'class K { m() {} }',
  ],
  tsx: ["import React from 'react';", "import { a } from './a';", 'export const C = () => <div>{a}</div>;', "export * from './y';"],
  javascript: ["import D, { a as b } from './x';", "export * from './y';", "export { default as c } from './x';", 'const f = () => 1;', 'function g() { return f(); }'],
  python: [
    'import os.path as p, sys',
    'from .models import (User as U,\n    Group,  # c\n)',
    'from . import mod',
    'from .. import *',
    'from __future__ import annotations',
    'import a.b.c',
    'class A:\n    def m(self):\n        return 1',
    'def f(x):\n    ...',
    '##############################',
  ],
  go: ['package m', 'import "fmt"', 'import (\n\t"fmt"\n\tx "os"\n\t. "strings"\n\t_ "embed"\n)', 'func (s *S) M() {}', 'type S struct { a int }', 'func main() { fmt.Println(x.Args) }'],
};

const PATHS: Record<string, [string, string]> = {
  rust: ['src/user.rs', 'src/types.rs'],
  typescript: ['web/main.ts', 'web/x.ts'],
  tsx: ['web/view.tsx', 'web/a.tsx'],
  javascript: ['web/main.js', 'web/x.js'],
  python: ['pkg/views.py', 'pkg/models.py'],
  go: ['srv/run.go', 'srv/types.go'],
};

const TARGETS: Record<string, string> = {
  rust: 'pub struct Foo;\npub struct Bar;\npub fn d() {}\n',
  typescript: 'export interface C {}\nexport function a() {}\nexport * from "./x";\n',
  tsx: 'export const a = 1;\n',
  javascript: 'export function a() {}\nexport default class D {}\n',
  python: 'class User:\n    pass\n\nclass Group:\n    pass\n',
  go: 'package srv\n\ntype S struct{}\n',
};

function generate(lang: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const soup = (n: number): string => Array.from({ length: n }, () => pick(rand() < 0.6 ? TOKENS[lang] : COMMON)).join(rand() < 0.5 ? ' ' : '');
  const mutate = (line: string): string => {
    let s = line;
    for (let k = 1 + Math.floor(rand() * 3); k > 0 && s.length; k--) {
      const i = Math.floor(rand() * s.length);
      const j = Math.min(s.length, i + 1 + Math.floor(rand() * 6));
      const r = rand();
      if (r < 0.3)
        s = s.slice(0, i) + s.slice(j); // deletion
      else if (r < 0.6)
        s = s.slice(0, j) + s.slice(i, j) + s.slice(j); // duplication
      else if (r < 0.8)
        s = s.slice(0, i); // truncation
      else s = s.slice(0, i) + pick(TOKENS[lang]) + s.slice(i); // insertion
    }
    return s;
  };
  const conflict = (): string => {
    const lines = LINES[lang];
    const side = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (rand() < 0.5 ? mutate(pick(lines)) : pick(lines))).join('\n');
    const open = rand() < 0.5 ? `${pick(lines).replace(/[;)}]*$/, '')}\n` : ''; // markers inside an open list
    return `${open}<<<<<<< HEAD\n${side()}\n=======\n${side()}\n>>>>>>> branch-${Math.floor(rand() * 9)}\n${open ? (lang === 'rust' ? '};' : ')') : ''}`;
  };
  const parts: string[] = [];
  for (let k = 1 + Math.floor(rand() * 6); k > 0; k--) {
    const r = rand();
    if (r < 0.3) parts.push(soup(1 + Math.floor(rand() * 40)));
    else if (r < 0.6) parts.push(mutate(pick(LINES[lang])));
    else if (r < 0.8) parts.push(pick(LINES[lang]));
    else parts.push(conflict());
  }
  return parts.join(rand() < 0.8 ? '\n' : '');
}

const oid = (text: string): string => createHash('sha1').update(text).digest('hex');

/** A commit changing `path` from `oldText` to `newText` (and the target file), with an in-memory reader of its tree. */
function commit(n: number, lang: string, oldText: string, newText: string, target: string): { rec: CommitRecord; reader: RepoReader } {
  const [path, targetPath] = PATHS[lang];
  const blobs = new Map<string, string>([
    [oid(newText), newText],
    [oid(target), target],
    [oid(oldText), oldText],
  ]);
  const tree: TreeEntry[] = [
    { path, oid: oid(newText), mode: '100644' },
    { path: targetPath, oid: oid(target), mode: '100644' },
    ...(lang === 'rust' ? [{ path: 'src/lib.rs', oid: oid('pub mod types;\npub mod user;\n'), mode: '100644' }] : []),
  ];
  blobs.set(oid('pub mod types;\npub mod user;\n'), 'pub mod types;\npub mod user;\n');
  const who = { name: 'f', email: 'f@example.com', timestamp: 1_700_000_000 + n, timezoneOffset: 0 };
  const file = (p: string, o: string | null, nw: string): FileChange => ({
    path: p,
    change: o === null ? 'added' : 'modified',
    language: lang,
    oldText: o,
    newText: nw,
    oldOid: o === null ? undefined : oid(o),
    newOid: oid(nw),
    oldMode: o === null ? undefined : '100644',
    newMode: '100644',
  });
  const rec: CommitRecord = {
    commit: { hash: oid(`commit ${n}`), parents: [oid(`commit ${n - 1}`)], author: who, committer: who, subject: 'fuzz', body: '', isMerge: false },
    files: [file(path, oldText, newText), ...(n % 3 === 0 ? [file(targetPath, null, target)] : [])],
  };
  const reader: RepoReader = {
    listTree: async () => tree,
    readBlob: async (o) => new TextEncoder().encode(blobs.get(o) ?? ''),
    readText: async (o) => blobs.get(o) ?? null,
  };
  return { rec, reader };
}

let chunker: Chunker;
before(async () => {
  chunker = await createChunker({ maxChunkChars: 300, snippetTokens: 64, contextTokens: 256 });
});
after(() => chunker.dispose());

describe('fuzz: hostile source text', () => {
  for (const [lang, seed] of Object.entries({ rust: 1, typescript: 2, tsx: 3, javascript: 4, python: 5, go: 6 })) {
    it(`${lang}: import extraction, references, units and chunkCommit return on ${PER_LANGUAGE} generated inputs`, async () => {
      const rand = rng(seed);
      let prev = LINES[lang].join('\n');
      let names = 0;
      for (let n = 1; n <= PER_LANGUAGE; n++) {
        const text = generate(lang, rand);
        const where = `${lang} #${n}: ${JSON.stringify(text)}`;
        try {
          const imported = await parseImport(lang, text);
          for (const i of imported) assert.ok(i.local !== '' && i.imported !== '' && Array.isArray(i.from), `import names: ${JSON.stringify(i)} ${where}`);
          names += imported.length;
          references(text);
          const units = chunker.units(text, lang);
          for (const u of units) assert.ok(u.start <= u.end && u.end <= text.length, `unit range: ${where}`);
          if (n % CHUNK_EVERY !== 0) continue;
          const { rec, reader } = commit(n, lang, prev, text, TARGETS[lang]);
          const chunks = await chunker.chunkCommit(rec, reader);
          prev = text;
          for (const c of chunks) assert.ok(c.path !== PATHS[lang][0] || c.split || text.includes(c.newCode), `chunk code: ${where}`);
        } catch (e) {
          assert.fail(`${where}\n${(e as Error).stack}`);
        }
      }
      assert.ok(names > 0, 'some generated inputs import names');
    });
  }
});

describe('regressions: loops that did not advance, recursion without a bound', () => {
  it('the five inputs that made parseRustUse loop forever', async () => {
    const got = async (t: string) => (await parseImport('rust', t)).map((n) => `${n.local}<-${n.imported}`);
    assert.deepEqual(await got('use {::a};'), ['a<-a']);
    assert.deepEqual(await got('use a::{r#type};'), ['type<-type']);
    assert.deepEqual(await got('use a::{b as r#c, d};'), ['c<-b', 'd<-d']);
    assert.deepEqual(await got('use foo::{a as b, *, ::*, ::foo as x};'), ['b<-a', '*<-*', '*<-*', 'x<-foo']);
    assert.deepEqual(await got('use a::b;\nuse c::{\n<<<<<<< HEAD\n    d,\n=======\n    e,\n>>>>>>> branch\n};\n'), ['b<-b']);
  });

  it('a banner comment `#####…` between imports and code (the import-gap regex backtracked exponentially)', () => {
    const text = `import os\n${'#'.repeat(200)}\nx = 1\nimport sys\n`;
    const t0 = performance.now();
    assert.deepEqual(
      chunker.units(text, 'python').map((u) => `${u.kind} ${u.startLine}-${u.endLine}`),
      ['import 1-1', 'const 2-3', 'import 4-4'],
    );
    assert.ok(performance.now() - t0 < 2000);
  });

  it('thousands of nested containers split without overflowing the call stack', async () => {
    const depth = 3000;
    const text = `${'mod a {\n'.repeat(depth)}fn f() {\n${'    let x = 1;\n'.repeat(40)}}\n${'}\n'.repeat(depth)}`;
    const { rec, reader } = commit(1, 'rust', '', text, TARGETS.rust);
    const chunks = await chunker.chunkCommit(rec, reader);
    assert.ok(chunks.length > 0);
  });

  it('a negative cacheEntries does not spin the cache eviction', async () => {
    const c = await createChunker({ cacheEntries: -1 });
    try {
      const { rec, reader } = commit(1, 'go', 'package srv\n', 'package srv\n\nfunc A() {}\n', TARGETS.go);
      assert.ok((await c.chunkCommit(rec, reader)).length > 0);
    } finally {
      c.dispose();
    }
  });
});
