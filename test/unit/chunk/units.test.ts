import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createChunker, type Chunker, type Unit } from '../../../src/core/chunk';

let chunker: Chunker;
before(async () => {
  chunker = await createChunker();
});
after(() => chunker.dispose());

const list = (us: Unit[]): string[] => us.map((u) => `${u.kind} ${u.qualifiedName}`);
const text = (src: string, u: Unit): string => src.slice(u.start, u.end);

const RUST = `//! crate doc
use std::fmt;
use crate::types::{Foo, Bar as Baz};

/// A court.
#[derive(Debug)]
pub struct Court { judges: u32 }
pub enum Verdict { Guilty, Innocent }
union Bits { a: u32, b: f32 }
pub trait Dispute {
    fn rule(&self) -> Verdict;
    fn appeal(&self) -> bool { false }
}
impl fmt::Display for Court {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { write!(f, "court") }
}
impl<T: Clone> Court {
    type Out = T;
    pub fn new() -> Self { Court { judges: 3 } }
}
mod a {
    pub mod b {
        pub fn c() {}
        impl super::Court { fn d(&self) {} }
    }
}
mod declared_elsewhere;
macro_rules! gavel { () => {}; }
const MAX: u32 = 9;
static NAME: &str = "court";
type Judges = Vec<u32>;
fn main() {}
`;

describe('units: Rust', () => {
  it('finds every unit kind with qualified names, parents and exact ranges', () => {
    const us = chunker.units(RUST, 'rust');
    assert.deepEqual(list(us), [
      'use use',
      'struct Court',
      'enum Verdict',
      'union Bits',
      'trait Dispute',
      'method Dispute::rule',
      'method Dispute::appeal',
      'impl impl fmt::Display for Court',
      'method impl fmt::Display for Court::fmt',
      'impl impl Court',
      'type impl Court::Out',
      'method impl Court::new',
      'mod mod a',
      'mod mod a::b',
      'fn mod a::b::fn c',
      'impl mod a::b::impl super::Court',
      'method mod a::b::impl super::Court::d',
      'macro gavel',
      'const MAX',
      'static NAME',
      'type Judges',
      'fn main',
    ]);
    const court = us.find((u) => u.name === 'Court')!;
    assert.equal(text(RUST, court), '/// A court.\n#[derive(Debug)]\npub struct Court { judges: u32 }', 'doc comment and attributes belong to the item');
    assert.equal(court.startLine, 5);
    assert.equal(court.endLine, 7);
    const use = us[0];
    assert.equal(text(RUST, use), 'use std::fmt;\nuse crate::types::{Foo, Bar as Baz};', 'consecutive uses form one block');
    const fmt = us.find((u) => u.qualifiedName.endsWith('::fmt'))!;
    assert.equal(us[fmt.parent].qualifiedName, 'impl fmt::Display for Court', 'a method keeps its impl as parent');
    assert.equal(fmt.owner, 'Court');
    assert.equal(us[fmt.parent].trait, 'Display');
    for (const u of us) assert.equal(RUST.slice(u.start, u.end), text(RUST, u));
  });

  it('still cuts units from a file with syntax errors', () => {
    const broken = 'struct Ok { a: u32 }\nfn broken( {\n  let x = ;\n}\nfn fine() -> u32 { 1 }\n';
    const us = chunker.units(broken, 'rust');
    assert.ok(list(us).includes('struct Ok'));
    assert.ok(list(us).includes('fn fine'));
    assert.ok(chunker.stats().parseErrors >= 1);
  });

  it('names duplicates deterministically', () => {
    const src = '#[cfg(unix)]\nfn os() {}\n#[cfg(windows)]\nfn os() {}\n';
    assert.deepEqual(list(chunker.units(src, 'rust')), ['fn os', 'fn os#2']);
  });
});

describe('units: other languages', () => {
  it('TypeScript and TSX', () => {
    const src = `import { A } from './a';
import B from "./b";
export interface Shape { area(): number }
export type Id = string;
export enum Color { Red }
/** doc */
export class Square extends A implements Shape {
  area(): number { return 1; }
  static unit() { return new Square(); }
}
export function make(n: number): Square { return new Square(); }
export const double = (x: number) => x * 2;
const LIMIT = 3;
`;
    assert.deepEqual(list(chunker.units(src, 'typescript')), [
      'import import',
      'interface Shape',
      'type Id',
      'enum Color',
      'class Square',
      'method Square::area',
      'method Square::unit',
      'fn make',
      'fn double',
      'const LIMIT',
    ]);
    const tsx = 'export function App() { return <div>hi</div>; }\n';
    assert.deepEqual(list(chunker.units(tsx, 'tsx')), ['fn App']);
  });

  it('JavaScript', () => {
    const src = "import x from './x.js';\nclass K { m() {} }\nfunction f() {}\nconst g = () => 1;\n";
    assert.deepEqual(list(chunker.units(src, 'javascript')), ['import import', 'class K', 'method K::m', 'fn f', 'fn g']);
  });

  it('Python (decorators belong to the unit)', () => {
    const src = 'import os\nfrom .m import A\n\n@cache\ndef f(x):\n    return x\n\nclass K(A):\n    def m(self):\n        pass\n\nX = 1\n';
    const us = chunker.units(src, 'python');
    assert.deepEqual(list(us), ['import import', 'fn f', 'class K', 'method K::m', 'const X']);
    assert.ok(text(src, us[1]).startsWith('@cache\ndef f'));
  });

  it('Go (methods named by receiver)', () => {
    const src =
      'package main\n\nimport (\n\t"fmt"\n)\n\ntype Server struct{ a int }\ntype Handler interface{ Serve() }\ntype ID int\n\nfunc (s *Server) Serve() { fmt.Println() }\nfunc main() {}\n\nconst (\n\tA = 1\n\tB = 2\n)\n';
    const us = chunker.units(src, 'go');
    assert.deepEqual(list(us), ['import import', 'struct Server', 'interface Handler', 'type ID', 'method (*Server).Serve', 'fn main', 'const A', 'const B']);
    assert.equal(text(src, us[1]), 'type Server struct{ a int }');
    assert.equal(us[4].owner, 'Server');
  });

  it('an unknown language has no units', () => {
    assert.deepEqual(chunker.units('a = 1', 'cobol'), []);
  });
});
