import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChunker, parseImport, type ImportedName } from '../../../src/core/chunk';

/** `local<-imported@from` of each name (`*` module imports marked with `(m)`, re-exports with `(re)`). */
const names = async (language: string, text: string): Promise<string[]> =>
  (await parseImport(language, text)).map((n: ImportedName) => `${n.local}<-${n.imported}@${n.from.join('::')}${n.module ? '(m)' : ''}${n.reexport ? '(re)' : ''}`);

describe('imports: Rust use declarations, read from the syntax tree', () => {
  it('paths, lists, aliases, globs, self, leading ::', async () => {
    assert.deepEqual(await names('rust', 'use std::fmt;\nuse crate::types::{Foo, Bar as Baz};'), ['fmt<-fmt@std', 'Foo<-Foo@crate::types', 'Baz<-Bar@crate::types']);
    assert.deepEqual(await names('rust', 'pub(crate) use super::*;'), ['*<-*@super(m)']);
    assert.deepEqual(await names('rust', 'use a::b::{self, c::{d, e as f}, *};'), ['b<-b@a', 'd<-d@a::b::c', 'f<-e@a::b::c', '*<-*@a::b(m)']);
    assert.deepEqual(await names('rust', 'use a::{self as x};'), ['x<-a@']);
    assert.deepEqual(await names('rust', '#[cfg(test)]\nuse self::m::{\n    // a comment\n    A, /* b */ B,\n};'), ['A<-A@self::m', 'B<-B@self::m']);
    assert.deepEqual(await names('rust', 'use ::tokio as tokio1;'), ['tokio1<-tokio@']);
    assert.deepEqual(await names('rust', 'use a::b as _;'), ['_<-b@a']);
  });

  // Each of these made the old hand-written parser loop forever.
  it('terminates on the inputs that used to hang, with sensible names', async () => {
    assert.deepEqual(await names('rust', 'use {::a};'), ['a<-a@']);
    assert.deepEqual(await names('rust', 'use a::{r#type};'), ['type<-type@a']);
    assert.deepEqual(await names('rust', 'use a::{b as r#c, d};'), ['c<-b@a', 'd<-d@a']);
    assert.deepEqual(await names('rust', 'use foo::{a as b, *, ::*, ::foo as x};'), ['b<-a@foo', '*<-*@foo(m)', '*<-*@foo(m)', 'x<-foo@foo']);
    // committed merge conflicts: tree-sitter's recovery swallows what follows the markers into an ERROR node
    const inList = 'use std::{\n<<<<<<< HEAD\n    io,\n=======\n    fmt,\n>>>>>>> branch\n};\nuse std::sync::Arc;\n';
    assert.deepEqual(await names('rust', inList), []);
    const between = 'use a::b;\n<<<<<<< HEAD\nuse c::d;\n=======\nuse c::e;\n>>>>>>> branch\nuse f::g;\n\nfn main() {}\n';
    assert.deepEqual(await names('rust', between), ['b<-b@a']);
    assert.deepEqual(await names('rust', 'use a::{b, c d};'), ['b<-b@a', 'c<-c@a'], 'what is well-formed around an error');
    assert.deepEqual(await names('rust', 'use a::{b, <<<<<<< HEAD c};'), ['b<-b@a']);
    assert.deepEqual(await names('rust', 'use a::{b, <<<<<<< HEAD c};\nuse x::y;'), [], 'an error in the declaration itself: its argument may be cut short');
  });

  it('raw identifiers are named without r#, like units', async () => {
    assert.deepEqual(await names('rust', 'use a::r#type::{r#struct as r#enum};'), ['enum<-struct@a::type']);
    const chunker = await createChunker();
    try {
      assert.deepEqual(
        chunker.units('pub fn r#type() {}\nenum r#enum { A }\n', 'rust').map((u) => `${u.kind} ${u.name}`),
        ['fn type', 'enum enum'],
      );
    } finally {
      chunker.dispose();
    }
  });
});

describe('imports: TypeScript / JavaScript', () => {
  it('namespace, then named, then default (the order they were always listed in)', async () => {
    for (const lang of ['typescript', 'tsx', 'javascript']) {
      assert.deepEqual(await names(lang, "import D, { a as b, c } from './x';"), ['b<-a@./x', 'c<-c@./x', 'D<-D@./x']);
      assert.deepEqual(await names(lang, 'import D, * as ns from "./y";'), ['ns<-*@./y(m)', 'D<-D@./y']);
      assert.deepEqual(await names(lang, "import { default as q } from './q';"), ['q<-default@./q']);
      assert.deepEqual(await names(lang, "import './side-effect';"), []);
    }
    assert.deepEqual(await names('typescript', "import type { T } from './t';\nimport { type U, V } from './u';"), ['T<-T@./t', 'U<-U@./u', 'V<-V@./u']);
    assert.deepEqual(await names('typescript', "import x = require('./r');"), []);
    assert.deepEqual(await names('typescript', 'import { type } from "arktype";'), ['type<-type@arktype'], 'a binding named `type` is not the type modifier');
  });

  it('export … from re-exports are import units, marked reexport', async () => {
    for (const lang of ['typescript', 'javascript']) {
      assert.deepEqual(await names(lang, "export { a as b, default as c } from './x';\nexport * from './y';\nexport * as z from './z';\nexport const k = 1;"), [
        'b<-a@./x(re)',
        'c<-default@./x(re)',
        '*<-*@./y(m)(re)',
        'z<-*@./z(m)(re)',
      ]);
    }
  });
});

describe('imports: Python', () => {
  it('module imports, from-imports, relative, wildcard, __future__', async () => {
    assert.deepEqual(await names('python', 'import os.path as p, sys\nimport a.b.c'), ['p<-path@os(m)', 'sys<-sys@.(m)', 'a<-c@a.b(m)']);
    assert.deepEqual(await names('python', 'from .models import (User as U,\n    Group,  # c\n)\nfrom . import mod\nfrom .. import *'), [
      'U<-User@.models',
      'Group<-Group@.models',
      'mod<-mod@.',
      '*<-*@..(m)',
    ]);
    assert.deepEqual(await names('python', 'from __future__ import annotations\nfrom a.b import \\\n    c'), ['annotations<-annotations@__future__', 'c<-c@a.b']);
  });
});

describe('imports: Go', () => {
  it('single, grouped, alias, dot, blank, raw string', async () => {
    const src = 'package m\n\nimport (\n\t"fmt"\n\tx "os"\n\t. "strings" // "not/an/import"\n\t_ "embed"\n\ty `raw/path`\n)\nimport "a/b"\n';
    assert.deepEqual(await names('go', src), ['fmt<-*@fmt(m)', 'x<-*@os(m)', '.<-*@strings(m)', '_<-*@embed(m)', 'y<-*@raw/path(m)', 'b<-*@a/b(m)']);
  });
});
