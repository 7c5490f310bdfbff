import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closingBrace, macroBodies, macroItems } from '../../../src/core/chunk/macroItems';

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

test('closingBrace skips strings, char literals and comments, and says -1 for an unclosed brace', () => {
  const t = "{ let c = '}'; let s = \"}\"; // }\n /* } */ 'a }";
  assert.equal(closingBrace(t, 0), t.length - 1);
  assert.equal(closingBrace('{ {', 0), -1);
});
