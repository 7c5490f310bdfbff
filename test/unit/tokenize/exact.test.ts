/** Exact cuts: pieces of a token stream whose text re-encodes to their ids, checked against HF `tokenizers`. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tokenizer as HfReference } from 'tokenizers';
import { loadTokenizer } from '../../../src/core/tokenize/index';
import { ExactText } from '../../../src/core/tokenize/exact';
import { buildCommitExamples, buildSequentialExamples } from '../../../src/core/examples/examples';

const tok = loadTokenizer();
const m = tok.withMarkers(); // before the reference is made: it knows the markers as the exported tokenizer.json does
const hf = HfReference.fromString(tok.toJSON());
const hfIds = async (text: string) => (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
const meta = { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] };

// code with multi-byte characters, long indentation and blank lines: cuts inside them are not exact
const code = Array.from(
  { length: 60 },
  (_, i) => `    let naïve_${i} = "ünïcödé ✓ 😀"; // ${'─'.repeat(i % 7)}\n\n        if x_${i} > 0x${(i * 7919).toString(16)} {\n            return;\n        }\n`,
).join('');

test('a token cut inside a character or a word is not exact; head/tail find exact pieces nearby', async () => {
  const x = new ExactText(tok);
  const ids = tok.encode(code).ids;
  assert.ok(x.runExact(ids), 'a whole run encoded from its text is exact');
  let inexact = 0;
  for (let k = 1; k < 200; k++) if (!x.runExact(ids.slice(0, k))) inexact++;
  assert.ok(inexact > 0, 'some prefixes of the run do not re-encode to themselves');
  for (const keep of [1, 7, 50, 123, 199]) {
    const h = x.head(ids, keep);
    const t = x.tail(ids, keep);
    assert.ok(h.length <= keep && t.length <= keep);
    assert.deepEqual(await hfIds(tok.decode(h)), h, `head ${keep}`);
    assert.deepEqual(await hfIds(tok.decode(t)), t, `tail ${keep}`);
  }
});

test('Stream.exact checks partial and glued runs only, and ids() is exact whatever the ranges', async () => {
  const x = new ExactText(tok);
  const a = tok.encode(code).ids;
  const b = tok.encode('fn main() {\n    println!("hi");\n}\n').ids;
  const all = Int32Array.from([m['<COMMIT_START>'], ...a, m['<OLD_CODE_END>'], m['<NEW_CODE_START>'], ...b, m['<NEW_CODE_END>']]);
  const s = x.stream(all);
  assert.ok(s.exact([[0, all.length]]), 'whole runs');
  assert.ok(
    s.exact([
      [0, 1],
      [a.length + 1, all.length],
    ]),
    'ranges meeting at added tokens',
  );
  for (const ranges of [
    [[0, 40]],
    [[17, 300]],
    [
      [0, 23],
      [120, 260],
    ],
    [
      [0, 1],
      [77, a.length + 5],
    ],
  ] as Array<Array<[number, number]>>) {
    const ids = Array.from(s.ids(ranges));
    assert.deepEqual(await hfIds(tok.decode(ids)), ids, JSON.stringify(ranges));
  }
});

test('every commit example and every sequential window re-encodes exactly (HF tokenizers), and starts with its head', async () => {
  const x = new ExactText(tok);
  const head = [m['<COMMIT_START>'], m['<AUTHOR>'], ...tok.encode('Ann').ids, m['<MSG_START>'], ...tok.encode('Fix naïve ✓').ids, m['<MSG_END>']];
  const ctx = [...head, m['<OLD_CODE_START>'], ...tok.encode(code.slice(0, 2500)).ids, m['<OLD_CODE_END>']];
  const tgt = [m['<NEW_CODE_START>'], ...tok.encode(code).ids, m['<NEW_CODE_END>'], m['<COMMIT_END>']];
  const w = { contextWindow: 256, targetWindow: 64, padId: 0 };
  const b = buildCommitExamples({ commitHash: 'h', numChunks: 1, contextIds: ctx, targetIds: tgt, headLength: head.length, meta }, w, x);
  assert.ok(b.examples.length > 5, 'a target split over several parts');
  assert.equal(b.emptyCompletions, 0);
  let q = ctx.length;
  for (const e of b.examples) {
    assert.ok(e.ctx.length <= w.contextWindow && e.tgt.length <= w.targetWindow && e.tgt.length > 0);
    assert.deepEqual(Array.from(e.ctx.subarray(0, head.length)), head, `part ${e.part} starts with the head`);
    assert.deepEqual(await hfIds(tok.decode(e.ctx)), Array.from(e.ctx), `part ${e.part} prompt`);
    assert.deepEqual(await hfIds(tok.decode(e.tgt)), Array.from(e.tgt), `part ${e.part} completion`);
    assert.deepEqual(Array.from(e.tgt), [...ctx, ...tgt].slice(q, q + e.tgt.length), 'the completions tile the target');
    q += e.tgt.length;
    assert.equal(e.cut, e.part < e.parts - 1);
  }
  assert.equal(q, ctx.length + tgt.length, 'nothing of the target lost');
  const seq = buildSequentialExamples(
    [
      { commitHash: 'a', ids: tok.encode(code).ids, path: 'a.rs', language: 'rust', kind: 'fn' },
      { commitHash: 'b', ids: tok.encode(code.slice(100, 900)).ids, path: 'b.rs', language: 'rust', kind: 'impl' },
    ],
    w,
    x,
  );
  for (const e of seq) {
    assert.deepEqual(await hfIds(tok.decode(e.ctx)), Array.from(e.ctx));
    assert.deepEqual(await hfIds(tok.decode(e.tgt)), Array.from(e.tgt));
  }
  assert.deepEqual(seq[seq.length - 1].meta.paths, ['a.rs', 'b.rs'].slice(seq.length > 1 ? -1 : 0));
});

test('a group without a target token gives no example (counted)', () => {
  const b = buildCommitExamples({ commitHash: 'h', numChunks: 1, contextIds: [1, 2, 3], targetIds: [], meta }, { contextWindow: 8, targetWindow: 4, padId: 0 }, new ExactText(tok));
  assert.deepEqual(b.examples, []);
  assert.equal(b.emptyCompletions, 1);
});

test('a piece re-encoded longer than its window (no exact cut near) is cut shorter until it fits, prompt and completion', () => {
  // a toy vocabulary where id 27 is "ab", which encodes back as a, b: every run holding it re-encodes to twice its length
  const toy = {
    vocabSize: 100,
    addedTokens: () => [],
    decode: (ids: ArrayLike<number>) => Array.from(ids, (i) => (i === 27 ? 'ab' : String.fromCharCode(96 + i))).join(''),
    encode: (text: string) => ({ ids: [...text].map((c) => c.charCodeAt(0) - 96) }),
  } as unknown as ConstructorParameters<typeof ExactText>[0];
  const w = { contextWindow: 64, targetWindow: 16, padId: 0 };
  const r = buildCommitExamples({ commitHash: 'h', numChunks: 1, contextIds: new Array(100).fill(27), targetIds: new Array(40).fill(27), meta }, w, new ExactText(toy));
  assert.ok(r.examples.length > 1);
  for (const e of r.examples) {
    assert.ok(e.ctx.length <= w.contextWindow, `prompt ${e.ctx.length}`);
    assert.ok(e.tgt.length > 0 && e.tgt.length <= w.targetWindow, `completion ${e.tgt.length}`);
  }
  const seq = buildSequentialExamples([{ commitHash: 's', ids: new Array(300).fill(27), path: 'a.rs', language: 'rust', kind: 'fn' }], w, new ExactText(toy));
  for (const e of seq) assert.ok(e.ctx.length <= w.contextWindow && e.tgt.length > 0 && e.tgt.length <= w.targetWindow, `${e.ctx.length} + ${e.tgt.length}`);
});
