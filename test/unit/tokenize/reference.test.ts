/**
 * Exactness of the bundled Qwen3 tokenizer against the Hugging Face Rust reference (npm `tokenizers`):
 * every .ts file of this repository's src/ and test/, generated Rust/Python/Go sources, adversarial strings.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import { assetPath } from '../../../src/core/assets';
import { loadTokenizer, type Tokenizer } from '../../../src/core/tokenize/index';
import { ADVERSARIAL, referenceFor, refIds, refOffsets, rng, sourceFiles } from './helpers';
import type { Tokenizer as HfReference } from 'tokenizers';

function genRust(r: () => number, n: number): string {
  const names = ['reader', 'Writer', 'buf', 'tx_handle', 'HashMap', 'Arc', 'poll_next', 'ÉtatMachine', 'σ'];
  let s = 'use std::collections::HashMap;\nuse std::sync::{Arc, Mutex};\n\n';
  for (let i = 0; i < n; i++) {
    const a = names[Math.floor(r() * names.length)];
    s += `/// Handles ${a} #${i} — see \`${a}::new\`.\n#[derive(Debug, Clone)]\npub struct S${i}<'a, T: Send + 'static> {\n    field_${i}: &'a [u8],\n    inner: Arc<Mutex<Option<T>>>,\n}\n\n`;
    s += `impl<'a, T: Send + 'static> S${i}<'a, T> {\n    pub async fn ${a.toLowerCase()}_${i}(&mut self, x: u64) -> Result<usize, Box<dyn std::error::Error>> {\n`;
    s += `        let v = x.wrapping_mul(${Math.floor(r() * 1e9)}) >> 3;\n        if v == 0 { return Err("zero".into()); } // 注意: 零\n        Ok(v as usize)\n    }\n}\n\n`;
    s += `macro_rules! m${i} { ($e:expr) => { $e + 1 }; }\nconst LIMIT_${i}: f64 = 1.5e-${i % 9};\n\n`;
  }
  return s;
}

function genPython(r: () => number, n: number): string {
  let s = 'from __future__ import annotations\nimport os, sys\n\n';
  for (let i = 0; i < n; i++) {
    s += `class Model${i}(Base):\n    """Docstring ${i}: ünïcödé, emoji 🐍."""\n\n    def forward(self, x: "Tensor", *, scale: float = ${r().toFixed(4)}) -> dict[str, int]:\n`;
    s += `\t\treturn {"k{i}": int(x * scale) ** 2, 'path': f"{os.sep}tmp{os.sep}{i}"}\r\n\n`;
  }
  return s;
}

function genGo(r: () => number, n: number): string {
  let s = 'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\n';
  for (let i = 0; i < n; i++) {
    s += `// F${i} does things.\nfunc F${i}(xs []string, m map[string]int) (int, error) {\n\tfor _, x := range xs {\n\t\tif strings.HasPrefix(x, "${'abc'.slice(0, 1 + Math.floor(r() * 3))}") {\n\t\t\tm[x] += ${i}\n\t\t}\n\t}\n\treturn len(m), fmt.Errorf("err %d", ${i})\n}\n\n`;
  }
  return s;
}

describe('bundled Qwen3 tokenizer = Hugging Face reference', () => {
  let tok: Tokenizer;
  let ref: HfReference;
  before(() => {
    tok = loadTokenizer();
    ref = referenceFor(fs.readFileSync(assetPath('tokenizer-qwen3'), 'utf8'));
  });

  it('loads with the expected vocabulary size and a stable sha256', () => {
    assert.equal(tok.vocabSize, 151669);
    assert.match(tok.sha256, /^[0-9a-f]{64}$/);
    assert.equal(loadTokenizer().sha256, tok.sha256);
  });

  it('same ids on every .ts file of src/ and test/', async () => {
    const files = sourceFiles(['src', 'test'], /\.ts$/);
    assert.ok(files.length >= 5, `only ${files.length} files found`);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      assert.deepEqual(tok.encode(text).ids, await refIds(ref, text), f);
    }
  });

  it('same ids on generated Rust, Python and Go sources', async () => {
    const r = rng(7);
    for (const text of [genRust(r, 60), genPython(r, 60), genGo(r, 60)]) {
      assert.deepEqual(tok.encode(text).ids, await refIds(ref, text), text.slice(0, 40));
    }
  });

  it('same ids on adversarial strings', async () => {
    for (const s of ADVERSARIAL) assert.deepEqual(tok.encode(s).ids, await refIds(ref, s), JSON.stringify(s));
  });

  it('same ids on random mixtures of the adversarial alphabet', async () => {
    const r = rng(42);
    const alphabet = [...ADVERSARIAL.join('')].concat(['\r\n', ' ', '  ', '\t', '0', '9', "'", "'s", 'é', 'e\u0301']);
    for (let k = 0; k < 200; k++) {
      let s = '';
      const n = 1 + Math.floor(r() * 40);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
      assert.deepEqual(tok.encode(s).ids, await refIds(ref, s), JSON.stringify(s));
    }
  });

  it('text spelling a special token stays ordinary tokens', () => {
    const ids = tok.encode('x <|endoftext|> y').ids;
    assert.ok(!ids.includes(tok.tokenToId('<|endoftext|>')!));
    assert.equal(tok.decode(ids), 'x <|endoftext|> y');
  });

  it('offsets equal the reference on text that normalization leaves unchanged', async () => {
    const texts = [genRust(rng(3), 5), ...ADVERSARIAL.filter((s) => s.normalize('NFC') === s)];
    for (const s of texts) assert.deepEqual(tok.encode(s, { offsets: true }).offsets, await refOffsets(ref, s), JSON.stringify(s.slice(0, 60)));
  });

  it('decode(encode(x)) == x on sources and on well-formed adversarial strings', () => {
    for (const f of sourceFiles(['src/core'], /\.ts$/)) {
      const text = fs.readFileSync(f, 'utf8');
      assert.equal(tok.decode(tok.encode(text).ids), text, f);
    }
    for (const s of ADVERSARIAL.filter((x) => x.normalize('NFC') === x && !/\p{Cs}/u.test(x))) assert.equal(tok.decode(tok.encode(s).ids), s);
  });

  it('count equals the number of ids', () => {
    const s = genGo(rng(1), 3);
    assert.equal(tok.count(s), tok.encode(s).ids.length);
  });

  it('a limited count is exact up to the limit and above it past the limit', () => {
    const s = genRust(rng(7), 4);
    const n = tok.encode(s).ids.length;
    assert.ok(n > 300, `${n} tokens`);
    for (const limit of [0, 1, 17, 256, n - 1, n, n + 1, 10 * n]) {
      const c = tok.count(s, limit);
      if (n <= limit) assert.equal(c, n, `limit ${limit}`);
      else assert.ok(c > limit && c <= n, `limit ${limit}: ${c} of ${n}`);
    }
    // the limit does not outlive its call
    assert.equal(tok.count(s), n);
    assert.equal(tok.count('<|endoftext|>' + s, 5) > 5, true);
  });
});
