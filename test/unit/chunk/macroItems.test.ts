import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closingBrace, macroItemText } from '../../../src/core/chunk/macroItems';

test('macroItemText keeps the items of item-level macro bodies at their offsets, nested ones included, and blanks the rest', () => {
  const text = [
    'use std::fmt;',
    'macro_rules! cfg_net { ($($i:item)*) => { $( #[cfg(feature = "net")] $i )* } }',
    'cfg_rt! {',
    "    pub struct Runtime { s: &'static str }",
    '    cfg_net! {',
    '        pub use tcp::TcpStream;',
    "        const OPEN: char = '{';",
    '        const S: &str = "}}";',
    '    }',
    '}',
    'fn body() {',
    '    quote! { impl X for Y {} }',
    '}',
  ].join('\n');
  const bodyStart = text.indexOf('{', text.indexOf('fn body'));
  const out = macroItemText(text, [[bodyStart, text.length]])!;
  assert.equal(out.length, text.length, 'same length');
  assert.deepEqual(
    [...out].map((c, i) => (c === '\n') === (text[i] === '\n')),
    [...text].map(() => true),
    'newlines where they were',
  );
  for (const kept of ["pub struct Runtime { s: &'static str }", 'pub use tcp::TcpStream;', "const OPEN: char = '{';", 'const S: &str = "}}";'])
    assert.equal(out.slice(text.indexOf(kept), text.indexOf(kept) + kept.length), kept, kept);
  for (const gone of ['use std::fmt', 'cfg_rt!', 'cfg_net! {', 'macro_rules!', 'quote!', 'impl X']) assert.ok(!out.includes(gone), gone);
  assert.equal(macroItemText('fn main() {}\n'), null);
});

test('closingBrace skips strings, char literals and comments, and says -1 for an unclosed brace', () => {
  const t = "{ let c = '}'; let s = \"}\"; // }\n /* } */ 'a }";
  assert.equal(closingBrace(t, 0), t.length - 1);
  assert.equal(closingBrace('{ {', 0), -1);
});
