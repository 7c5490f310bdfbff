import assert from 'node:assert/strict';
import { test } from 'node:test';
import { braceMatches, macroBodies, macroItems } from '../../../src/core/chunk/macroItems';

test('macroItems finds the items and uses of item-level macro bodies, nested ones included, at their offsets', () => {
  const text = [
    'use std::fmt;',
    'macro_rules! cfg_net { ($($i:item)*) => { $( #[cfg(feature = "net")] $i )* } }',
    'cfg_rt! {',
    '    /// The runtime.',
    '    #[derive(Debug)]',
    "    pub struct Runtime { s: &'static str }",
    '',
    '    impl Runtime { fn hidden() {} }',
    '    cfg_net! {',
    '        pub use tcp::TcpStream;',
    "        pub(crate) const OPEN: char = '{';",
    '        pub async fn connect(addr: [u8; 4]) -> S { S }',
    '        const S: &str = "}}";',
    '    }',
    '}',
    'fn body() {',
    '    quote! { struct Generated; }',
    '}',
  ].join('\n');
  const bodyStart = text.indexOf('{', text.indexOf('fn body'));
  const bodies = macroBodies(text, [[bodyStart, text.length]])!;
  assert.equal(bodies.keep.length, 1, 'the outer cfg_rt! body (not macro_rules!, not quote! in a function)');
  const { items, uses } = macroItems(text, bodies);
  assert.deepEqual(
    items.map((i) => `${i.kind} ${i.name}: ${text.slice(i.start, i.end)}`),
    [
      "struct Runtime: /// The runtime.\n    #[derive(Debug)]\n    pub struct Runtime { s: &'static str }",
      "const OPEN: pub(crate) const OPEN: char = '{';",
      'fn connect: pub async fn connect(addr: [u8; 4]) -> S { S }',
      'const S: const S: &str = "}}";',
    ],
  );
  const f = items.find((i) => i.kind === 'fn')!;
  assert.equal(text.slice(f.bodyStart, f.bodyEnd), '{ S }');
  assert.deepEqual(uses, ['pub use tcp::TcpStream;']);
  assert.equal(macroBodies('fn main() {}\n'), null);
});

test('braceMatches skips strings, char literals and comments, and leaves an unclosed brace out', () => {
  const t = "{ let c = '}'; let s = \"}\"; // }\n /* } */ 'a }";
  assert.equal(braceMatches(t).get(0), t.length - 1);
  assert.equal(braceMatches('{ {').size, 0);
  assert.deepEqual(
    [...braceMatches('{ { } }')],
    [
      [2, 4],
      [0, 6],
    ],
  );
});

// a stall guard, not a timing: before the one-pass brace index these took minutes (each invocation rescanned the rest)
test('hostile macro texts end: a megabyte of unclosed invocations, and 20,000 nested ones', { timeout: 60_000 }, () => {
  assert.equal(macroBodies('a! {\n'.repeat(200_000)), null);
  const nested = `cfg! {\n${'b! {\n'.repeat(20_000)}${'}\n'.repeat(20_000)}}\n`;
  const bodies = macroBodies(nested)!;
  assert.equal(bodies.keep.length, 1);
  assert.deepEqual(macroItems(nested, bodies).items, []);
  const heads = `cfg! {\n${'pub fn f(((((\n'.repeat(50_000)}}\n`;
  assert.deepEqual(macroItems(heads, macroBodies(heads)!).items, []);
});
