import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leadingDocs } from '../../../src/core/chunk/context';

test('leadingDocs: the doc comment lines a unit starts with, up to its first other line', () => {
  const rust = '/// A TCP stream.\n///\n/// ```\n/// let s = TcpStream::connect(addr);\n/// ```\n#[derive(Debug)]\npub struct TcpStream {\n    fd: i32,\n}';
  assert.equal(rust.slice(leadingDocs(rust)), '#[derive(Debug)]\npub struct TcpStream {\n    fd: i32,\n}', 'attributes stay');
  const ts = '/**\n * Renders.\n */\nexport function render() {}';
  assert.equal(ts.slice(leadingDocs(ts)), 'export function render() {}');
  const go = '// Command is a command.\n// It runs.\ntype Command struct{}';
  assert.equal(go.slice(leadingDocs(go)), 'type Command struct{}');
  assert.equal(leadingDocs('#[inline]\n/// late doc\nfn f() {}'), 0, 'an attribute first: nothing to take away contiguously');
  assert.equal(leadingDocs('/// only a comment'), 0);
  assert.equal(leadingDocs('fn f() {}'), 0);
});
