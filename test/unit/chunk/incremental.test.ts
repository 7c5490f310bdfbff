import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Parser, type Tree } from 'web-tree-sitter';
import { loadLanguages, type LoadedLanguage } from '../../../src/core/chunk/parser';
import { spanEdit, TreeCache, textEdits } from '../../../src/core/chunk/trees';
import { analyze, type FileAnalysis } from '../../../src/core/chunk/units';
import { FixtureRepo } from '../../fixtures/repo';
import { chunkHistory } from './helpers';

let langs: Map<string, LoadedLanguage>;
let parser: Parser;
before(async () => {
  langs = await loadLanguages();
  parser = new Parser();
});
after(() => parser.delete());

/** Units and imports only (the comparable part of an analysis). */
const view = (a: FileAnalysis) => ({ units: a.units, imports: a.imports, hasError: a.hasError, lines: a.lines.starts });

/**
 * Parses each version from the previous one's edited tree and analyzes it incrementally; checks that the tree
 * and the analysis equal those of a parse from scratch, at every step.
 */
function checkSequence(language: string, versions: string[]): number {
  const lang = langs.get(language)!;
  parser.setLanguage(lang.language);
  let prevText = versions[0];
  let prevTree: Tree = parser.parse(prevText)!;
  let prevA = analyze(prevTree, prevText, lang);
  let carried = 0;
  for (const text of versions.slice(1)) {
    const edits = textEdits(prevText, text);
    for (const e of edits) prevTree.edit(e);
    const tree = parser.parse(text, prevTree)!;
    const fresh = parser.parse(text)!;
    try {
      assert.equal(tree.rootNode.toString(), fresh.rootNode.toString(), `incremental tree differs for:\n${text}`);
      const a = analyze(tree, text, lang, { raws: prevA.raws!, edits, changed: prevTree.getChangedRanges(tree) });
      assert.deepEqual(view(a), view(analyze(fresh, text, lang)), `incremental units differ for:\n${text}`);
      carried += a.units.length;
      prevA = a;
    } finally {
      fresh.delete();
      prevTree.delete();
    }
    prevTree = tree;
    prevText = text;
  }
  prevTree.delete();
  return carried;
}

const RUST = [
  `use std::fmt;

pub struct Keep { a: u32 }

impl Keep {
    pub fn one(&self) -> u32 { self.a }
    pub fn two(&self) -> u32 { self.a * 2 }
}

fn tail() {}
`,
  // a leading attribute and doc comment on an unchanged item, a method edited
  `use std::fmt;

/// Kept.
#[derive(Debug)]
pub struct Keep { a: u32 }

impl Keep {
    pub fn one(&self) -> u32 { self.a + 1 }
    pub fn two(&self) -> u32 { self.a * 2 }
}

fn tail() {}
`,
  // an item inserted at the very start, a use added after the first, a comment line becoming code
  `fn head() {}
use std::fmt;
use std::io;

/// Kept.
#[derive(Debug)]
pub struct Keep { a: u32 }

impl Keep {
    pub fn one(&self) -> u32 { self.a + 1 }
    // pub fn two(&self) -> u32 { self.a * 2 }
}

fn tail() {}`,
  // items wrapped into a module; an unclosed brace (parse error) at the end
  `fn head() {}
use std::fmt;
use std::io;

mod inner {
    /// Kept.
    #[derive(Debug)]
    pub struct Keep { a: u32 }

    impl Keep {
        pub fn one(&self) -> u32 { self.a + 1 }
    }
}

fn tail() {
`,
  // the error fixed, a doc comment separated by a blank line, the trailing newline back
  `fn head() {}
use std::fmt;
use std::io;

mod inner {
    /// Kept.

    #[derive(Debug)]
    pub struct Keep { a: u32 }

    impl Keep {
        pub fn one(&self) -> u32 { self.a + 1 } // trailing
        /* note */ pub fn three(&self) {}
    }
}

fn tail() {}
`,
  '',
  'const ÉTÉ: &str = "🦀🦀";\nfn after_emoji() {}\n',
  'const ÉTÉ: &str = "🦀x🦀";\n\nfn after_emoji() {}\n',
];

const TS = [
  `import { a } from './a';

function f() { return a; }

class C {
  m() { return 1; }
}

const g = () => 2;
`,
  `import { a } from './a';
import { b } from './b';

export function f() { return a + b; }

// about C
@dec
export class C {
  m() { return 1; }
  n() { return 2; }
}

export const g = () => 2;
`,
  `import { a } from './a';

function f() { return a; }

export default class C {
  m() { return 1; }
}

const g = () => 2, h = 3;
`,
];

const PY = [
  `import os

def f():
    return 1

class C:
    def m(self):
        return 2
`,
  `import os
from . import sibling

@decorator
def f():
    def inner():
        return 0
    return 1

X = 3

class C:
    # a method
    def m(self):
        return 2
`,
];

const GO = [
  `package p

import "fmt"

type S struct{ a int }

func (s *S) M() int { return s.a }

func F() { fmt.Println() }
`,
  `package p

import (
	"fmt"
	"os"
)

// S is a struct.
type S struct{ a, b int }

type (
	T int
	U interface{ M() int }
)

func (s *S) M() int { return s.a + s.b }

var V = 1

func F() { fmt.Println(os.Args) }
`,
];

describe('incremental parsing and analysis', () => {
  it('Rust: edited trees and units equal a parse from scratch at every version', () => {
    assert.ok(checkSequence('rust', RUST) > 0);
    // the same versions backwards (deletions instead of insertions)
    checkSequence('rust', RUST.slice().reverse());
  });

  it('TypeScript, Python and Go: wrappers, decorators, grouped declarations', () => {
    checkSequence('typescript', [...TS, ...TS.slice().reverse()]);
    checkSequence('python', [...PY, ...PY.slice().reverse()]);
    checkSequence('go', [...GO, ...GO.slice().reverse()]);
  });

  it('edits: one per changed line hunk, last first; exact span edits for newline-only changes', () => {
    const a = 'l1\nl2\nl3\nl4\n';
    const b = 'l1\nX\nl3\nl4\nl5\n';
    const es = textEdits(a, b);
    assert.equal(es.length, 2);
    assert.ok(es[0].startIndex > es[1].startIndex, 'last hunk first');
    assert.deepEqual([es[1].startIndex, es[1].oldEndIndex, es[1].newEndIndex], [3, 6, 5]);
    assert.deepEqual(es[1].startPosition, { row: 1, column: 0 });
    assert.deepEqual(es[1].newEndPosition, { row: 2, column: 0 });
    assert.deepEqual([es[0].startIndex, es[0].oldEndIndex, es[0].newEndIndex], [12, 12, 15]);
    assert.deepEqual(textEdits(a, a), []);
    const n = textEdits('x\ny', 'x\ny\n');
    assert.equal(n.length, 1);
    assert.deepEqual([n[0].startIndex, n[0].oldEndIndex, n[0].newEndIndex], [3, 3, 4]);
    const s = spanEdit('a🦀b', 'a🦁b');
    assert.equal(s.startIndex, 1, 'never inside a surrogate pair');
    assert.equal(s.oldEndIndex, 3);
  });

  it('the tree cache keeps the latest tree per path within its budget and deletes what it drops', () => {
    const lang = langs.get('rust')!;
    parser.setLanguage(lang.language);
    const cache = new TreeCache(30);
    const add = (p: string, text: string) => {
      const t = parser.parse(text)!;
      const a = analyze(t, text, lang);
      cache.put(p, 'rust', text, t, a, a.raws!);
      return t;
    };
    add('a.rs', 'fn a() {}');
    add('b.rs', 'fn b() {}');
    add('a.rs', 'fn a2() {}'); // replaces a.rs
    assert.equal(cache.size, 2);
    add('c.rs', 'fn c() { 1 }'); // 10 + 9 + 12 > 30: b.rs (least recent) goes
    assert.equal(cache.size, 2);
    assert.equal(cache.take('b.rs', 'rust'), undefined);
    assert.equal(cache.take('a.rs', 'go'), undefined, 'another language is not reused');
    assert.equal(cache.take('a.rs', 'rust'), undefined, 'and is dropped');
    const c = cache.take('c.rs', 'rust')!;
    assert.equal(c.text, 'fn c() { 1 }');
    c.tree.delete();
    add('big.rs', `fn big() { ${'1;'.repeat(40)} }`); // over budget alone: not kept
    assert.equal(cache.size, 0);
    cache.clear();
  });
});

describe('incremental chunking over a fixture history', () => {
  const repos: FixtureRepo[] = [];
  after(() => repos.forEach((r) => r.dispose()));

  it('gives exactly the chunks of from-scratch parsing (and parses incrementally)', async () => {
    const repo = FixtureRepo.create('cc-chunk-inc-');
    repos.push(repo);
    const steps: Array<Record<string, string>> = [
      { 'src/lib.rs': RUST[0], 'web/a.ts': TS[0], 'py/m.py': PY[0], 'go/p.go': GO[0] },
      { 'src/lib.rs': RUST[1], 'web/a.ts': TS[1] },
      { 'src/lib.rs': RUST[2], 'py/m.py': PY[1], 'go/p.go': GO[1] },
      { 'src/lib.rs': RUST[3], 'web/a.ts': TS[2] },
      { 'src/lib.rs': RUST[4], 'py/m.py': PY[0] },
      { 'src/lib.rs': RUST[1], 'go/p.go': GO[0] },
    ];
    steps.forEach((files, i) => {
      for (const [p, t] of Object.entries(files)) repo.write(p, t);
      repo.commit(`step ${i}`);
    });
    const inc = await chunkHistory(repo);
    const scratch = await chunkHistory(repo, { treeCacheChars: 0 });
    try {
      assert.deepEqual([...inc.chunks.entries()], [...scratch.chunks.entries()]);
      assert.ok(inc.chunker.stats().incrementalParses >= 8, `incremental parses: ${inc.chunker.stats().incrementalParses}`);
      assert.equal(scratch.chunker.stats().incrementalParses, 0);
      assert.ok([...inc.chunks.values()].flat().length > 10);
    } finally {
      inc.chunker.dispose();
      scratch.chunker.dispose();
    }
  });
});
