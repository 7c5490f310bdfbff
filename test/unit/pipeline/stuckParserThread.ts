/**
 * A thread script for the watchdog test: the real engine, except that tree-sitter never returns from parsing a
 * text that holds `CC_TEST_STALL` — a step that cannot be interrupted from inside (as one wasm or regex call).
 */
import { Parser } from 'web-tree-sitter';
import { runThreadIfAsked } from '../../../src/core/threads';

const parse = Parser.prototype.parse;
Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
  if (typeof args[0] === 'string' && args[0].includes('CC_TEST_STALL')) for (;;);
  return parse.apply(this, args);
};
runThreadIfAsked();
