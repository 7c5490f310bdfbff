/**
 * Exactness on tokenizer.json files the test builds itself (vocabularies and merges trained here),
 * against the Hugging Face Rust reference: GPT-2 style byte-level BPE, a Llama-3-like one with
 * Oniguruma regex features, and two SentencePiece-style ones (Llama 2 normalizer; Metaspace).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { tokenizerFromJSON } from '../../../src/core/tokenize/index';
import { affixJson, byteLevelWith, DEEPSEEK_PRE, gpt2Json, llama2Json, llamaLikeJson, metaspaceJson, O200K_PRE, STARCODER2_PRE } from './build';
import { ADVERSARIAL, referenceFor, refIds, refOffsets, sourceFiles } from './helpers';

// Training corpus: two files of this engine plus a little Rust (stable, ~12 KB).
const corpus = ['src/core/tokenize/bytes.ts', 'src/core/tokenize/markers.ts', 'src/core/tokenize/hfcache.ts']
  .map((f) => fs.readFileSync(f, 'utf8'))
  .join('\n')
  .concat('\nfn main() { let x_y = 12345; println!("{}", x_y); } It\'s we\'ll 日本 ü\n');

const texts = [
  // This engine's own sources (a stable set; the bundled tokenizer is checked on the whole repository).
  ...sourceFiles(['src/core/tokenize'], /\.ts$/).map((f) => fs.readFileSync(f, 'utf8')),
  ...ADVERSARIAL,
  'snake_case_name.method().chain 3.14 v1.2.3 __init__ ...',
  'with <custom> inside and <custom>twice<custom>, <sep> a  <sep>  b',
  '<custom> hello my token world my tokens <custom>x',
  'my token at the start',
];

const configs: Array<{ name: string; json: string; offsets: boolean }> = [
  { name: 'GPT-2 style byte-level BPE', json: gpt2Json(corpus), offsets: true },
  { name: 'Llama-3-like (possessive, atomic, (?i:), NFKC+Lowercase, Digits, array merges)', json: llamaLikeJson(corpus), offsets: false },
  { name: 'Llama-2 SentencePiece style (Prepend/Replace, byte fallback)', json: llama2Json(corpus), offsets: false },
  { name: 'Metaspace pre-tokenizer with fused unk', json: metaspaceJson(corpus), offsets: false },
  { name: 'StarCoder2 pre-tokenizer (Digits + ByteLevel regex)', json: byteLevelWith(corpus, STARCODER2_PRE), offsets: true },
  { name: 'GPT-4o (o200k) regex, ignore_merges', json: byteLevelWith(corpus, O200K_PRE, true), offsets: true },
  { name: 'DeepSeek-Coder splits (CJK ranges, $ anchor)', json: byteLevelWith(corpus, DEEPSEEK_PRE), offsets: true },
  { name: 'continuing_subword_prefix + end_of_word_suffix, WhitespaceSplit, unk', json: affixJson(corpus), offsets: false },
];

for (const c of configs) {
  describe(`built tokenizer: ${c.name}`, () => {
    const tok = tokenizerFromJSON(c.json, c.name);
    const ref = referenceFor(c.json);

    it('has merges that matter (not a character-level tokenizer)', () => {
      const t = texts[0];
      assert.ok(tok.count(t) < [...t].length * 0.8, `${tok.count(t)} tokens for ${t.length} chars`);
    });

    it('same ids as the reference on sources and adversarial strings', async () => {
      for (const t of texts) assert.deepEqual(tok.encode(t).ids, await refIds(ref, t), JSON.stringify(t.slice(0, 80)));
    });

    it('same decoded text as the reference', async () => {
      for (const t of texts.slice(-30)) {
        const ids = tok.encode(t).ids;
        assert.equal(tok.decode(ids), await ref.decode(ids, false), JSON.stringify(t.slice(0, 80)));
      }
    });

    it('offsets point inside the text, in order', () => {
      for (const t of texts.slice(-30)) {
        const { ids, offsets } = tok.encode(t, { offsets: true });
        assert.equal(offsets!.length, ids.length);
        let prev = 0;
        for (const [a, b] of offsets!) {
          assert.ok(a >= prev - 1 && a <= b && b <= t.length, `${a},${b} in ${JSON.stringify(t.slice(0, 40))}`);
          prev = a;
        }
      }
    });

    if (c.offsets) {
      it('same offsets as the reference', async () => {
        for (const t of texts.slice(-30)) if (t.normalize('NFC') === t) assert.deepEqual(tok.encode(t, { offsets: true }).offsets, await refOffsets(ref, t), JSON.stringify(t.slice(0, 60)));
      });
    }
  });
}
