import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTokenizer } from '../../../src/core/tokenize/index';
import { memoTokenizer } from '../../../src/core/pipeline/memoTokenizer';

test('memo tokenizer: same ids as the tokenizer, repeated strings served from memory, bounded', () => {
  const tok = loadTokenizer();
  const memo = memoTokenizer(tok, 4096);
  const texts = Array.from({ length: 200 }, (_, i) => `fn f${i % 50}(x: u32) -> u32 {\n    x * ${i % 50} + 1 // ${'é'.repeat((i % 50) % 7)}\n}\n`);
  for (const t of texts) assert.deepEqual(memo.encode(t).ids, tok.encode(t).ids);
  for (const t of texts) assert.equal(memo.count(t), tok.count(t));
  assert.ok(memo.hits >= 300, `hits ${memo.hits}`);
  assert.ok(memo.misses >= 50, `misses ${memo.misses}`);
  // offsets requests go to the tokenizer itself
  assert.deepEqual(memo.encode(texts[0], { offsets: true }), tok.encode(texts[0], { offsets: true }));
  // a string larger than the young generation's budget fits nothing but still encodes right
  const big = texts.join('');
  assert.deepEqual(memo.encode(big).ids, tok.encode(big).ids);
  assert.equal(memo.vocabSize, tok.vocabSize);
  assert.equal(memo.sha256, tok.sha256);
});
