/** Loading: paths and folders, clear errors on unsupported parts, the local HF cache listing, regex translation. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findLocalHfTokenizers, loadTokenizer, tokenizerFromJSON } from '../../../src/core/tokenize/index';
import { translateRegex } from '../../../src/core/tokenize/regex';
import { gpt2Json } from './build';

const small = gpt2Json('fn main() { let x = 1; }');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tok-'));
}

function withPart(part: string, value: unknown): string {
  const j = JSON.parse(small);
  const keys = part.split('.');
  let o = j;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys.at(-1)!] = value;
  return JSON.stringify(j);
}

describe('loading tokenizer.json', () => {
  it('loads a file path and a model folder, with the sha256 of the file', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), small);
    const a = loadTokenizer(path.join(dir, 'tokenizer.json'));
    const b = loadTokenizer(dir);
    assert.equal(a.sha256, b.sha256);
    assert.equal(b.source, path.join(dir, 'tokenizer.json'));
    assert.deepEqual(a.encode('let x').ids, b.encode('let x').ids);
    fs.rmSync(dir, { recursive: true });
  });

  it('says clearly what is missing or unsupported', () => {
    const dir = tmp();
    assert.throws(() => loadTokenizer(path.join(dir, 'nope.json')), /tokenizer not found/);
    assert.throws(() => loadTokenizer(dir), /no tokenizer.json in folder/);
    assert.throws(() => tokenizerFromJSON('{ not json', 'x.json'), /x.json: not valid JSON/);
    assert.throws(() => tokenizerFromJSON('{}', 'x.json'), /no "model" section/);
    assert.throws(() => tokenizerFromJSON(withPart('model.type', 'WordPiece')), /unsupported model "WordPiece"/);
    assert.throws(() => tokenizerFromJSON(withPart('pre_tokenizer', { type: 'BertPreTokenizer' })), /unsupported pre-tokenizer "BertPreTokenizer"/);
    assert.throws(() => tokenizerFromJSON(withPart('normalizer', { type: 'BertNormalizer' })), /unsupported normalizer "BertNormalizer"/);
    assert.throws(() => tokenizerFromJSON(withPart('decoder', { type: 'WordPiece' })), /unsupported decoder "WordPiece"/);
    assert.throws(() => tokenizerFromJSON(withPart('post_processor', { type: 'Fancy' })), /unsupported post-processor "Fancy"/);
    assert.throws(() => tokenizerFromJSON(withPart('model.merges', ['Ġ zz'])), /merge #0 .* missing from the vocabulary/);
    assert.throws(() => tokenizerFromJSON(withPart('pre_tokenizer', { type: 'Split', pattern: { Regex: 'a(?x)b' }, behavior: 'Isolated', invert: false })), /unsupported regex construct/);
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects ids outside the vocabulary on decode', () => {
    const t = tokenizerFromJSON(small);
    assert.throws(() => t.decode([t.vocabSize]), /outside the vocabulary/);
  });

  it('lists tokenizers of the local Hugging Face cache (HF_HOME, HF_HUB_CACHE)', () => {
    const home = tmp();
    const snap = (hub: string, model: string, rev: string, withFile = true) => {
      const d = path.join(hub, `models--${model.replace('/', '--')}`, 'snapshots', rev);
      fs.mkdirSync(d, { recursive: true });
      if (withFile) fs.writeFileSync(path.join(d, 'tokenizer.json'), small);
      return path.join(d, 'tokenizer.json');
    };
    const hub = path.join(home, 'hub');
    const p1 = snap(hub, 'bigcode/starcoder2-3b', 'rev1');
    const p2 = snap(hub, 'Qwen/Qwen2.5-Coder-0.5B', 'abc');
    snap(hub, 'no/tokenizer', 'r', false);
    fs.mkdirSync(path.join(hub, 'datasets--x--y'), { recursive: true });
    assert.deepEqual(findLocalHfTokenizers({ HF_HOME: home }), [
      { model: 'Qwen/Qwen2.5-Coder-0.5B', path: p2 },
      { model: 'bigcode/starcoder2-3b', path: p1 },
    ]);
    assert.deepEqual(findLocalHfTokenizers({ HF_HOME: '/nonexistent', HF_HUB_CACHE: hub }).length, 2);
    assert.deepEqual(findLocalHfTokenizers({ HOME: home }), []);
    assert.equal(loadTokenizer(findLocalHfTokenizers({ HF_HOME: home })[0].path).vocabSize, tokenizerFromJSON(small).vocabSize);
    fs.rmSync(home, { recursive: true });
  });
});

describe('Oniguruma → JavaScript regex translation', () => {
  const re = (src: string) => new RegExp(translateRegex(src), 'u');

  it('keeps \\p{..} and gives \\s its Unicode White_Space meaning (U+0085 yes, U+FEFF no)', () => {
    assert.ok(re('^\\s$').test('\u0085'));
    assert.ok(!re('^\\s$').test('\ufeff'));
    assert.ok(re('^[^\\s\\p{L}]$').test('\ufeff'));
    assert.ok(re('^\\p{L}+$').test('héllo'));
    assert.ok(re('^\\pN$').test('٣'));
  });

  it('expands (?i:..) groups', () => {
    assert.ok(re("^(?i:'s|'ll)$").test("'LL"));
    assert.ok(re('^(?i:[a-c]x)$').test('BX'));
    assert.ok(!re('^(?i:a)b$').test('AB'));
  });

  it('emulates possessive quantifiers and atomic groups (no backtracking into them)', () => {
    assert.ok(!re('^a*+a$').test('aaa'));
    assert.ok(re('^a*a$').test('aaa'));
    assert.ok(!re('^(?>a+)a$').test('aa'));
    assert.ok(re('^(?>a+)b$').test('aab'));
    assert.equal(re('x?+\\p{L}++').exec('xyz!')![0], 'xyz');
  });

  it('refuses what it cannot express, naming it', () => {
    assert.throws(() => translateRegex('[a[b]]'), /nested character class/);
    assert.throws(() => translateRegex('(a)\\1'), /backreference/);
  });
});
