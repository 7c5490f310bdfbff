/** Structure markers, example formats, budgets, offsets and the exported tokenizer.json. */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Tokenizer as HfReference } from 'tokenizers';
import type { ChunkRecord, CommitInfo, ContextItem } from '../../../src/core/types';
import { FormatUnavailableError, loadTokenizer, MARKERS, serializeExample, tokenizerFromJSON, type Tokenizer } from '../../../src/core/tokenize/index';
import { gpt2Json } from './build';

const commit: CommitInfo = {
  hash: 'a'.repeat(40),
  parents: ['b'.repeat(40)],
  author: { name: 'Ada Lovelace', email: 'ada@example.com', timestamp: 1700000000, timezoneOffset: 60 },
  committer: { name: 'Ada Lovelace', email: 'ada@example.com', timestamp: 1700000000, timezoneOffset: 60 },
  subject: 'Fix overflow in parse_header',
  body: 'Use checked_add so a huge length no longer wraps.',
  isMerge: false,
};

const oldCode = 'fn parse_header(buf: &[u8]) -> usize {\n    let len = buf[0] as usize + buf.len();\n    len\n}\n';
const newCode = 'fn parse_header(buf: &[u8]) -> Option<usize> {\n    (buf[0] as usize).checked_add(buf.len())\n}\n';

function ctx(kind: ContextItem['kind'], symbol: string, code: string): ContextItem {
  return { path: 'src/types.rs', oid: 'c'.repeat(40), kind, symbol, code, collapsed: false, reason: 'import' };
}

function chunk(over: Partial<ChunkRecord> = {}): ChunkRecord {
  return {
    id: 'chunk1',
    commit: commit.hash,
    path: 'src/parse.rs',
    language: 'rust',
    kind: 'fn',
    qualifiedName: 'parse_header',
    change: 'modified',
    oldRange: { start: 1, end: 4 },
    newRange: { start: 1, end: 3 },
    oldCode,
    newCode,
    split: false,
    context: [ctx('import', 'use', 'use std::io::Read;'), ctx('struct', 'Header', 'pub struct Header { len: usize }'), ctx('fn', 'helper', 'fn helper() -> u8 { 0 }')],
    ...over,
  };
}

describe('markers and formats', () => {
  let tok: Tokenizer;
  before(() => {
    tok = loadTokenizer();
  });

  it('adds the 30 markers as single special ids after the vocabulary, idempotently', () => {
    assert.equal(MARKERS.length, 30);
    const base = loadTokenizer().vocabSize;
    const m = tok.withMarkers();
    MARKERS.forEach((name, i) => {
      assert.equal(m[name], base + i, name);
      assert.equal(tok.tokenToId(name), m[name]);
      assert.equal(tok.idToToken(m[name]), name);
      assert.equal(tok.decode([m[name]]), name);
    });
    assert.equal(tok.vocabSize, base + 30);
    assert.deepEqual(tok.withMarkers(), m);
    assert.equal(tok.vocabSize, base + 30);
  });

  it('code that spells a marker stays ordinary tokens', () => {
    const m = tok.withMarkers();
    const code = 'let s = "<FILE><TRUNCATED>"; // <COMMIT_END>';
    const ids = tok.encode(code).ids;
    for (const id of Object.values(m)) assert.ok(!ids.includes(id));
    assert.equal(tok.decode(ids), code);
  });

  it('seed: layout, markers as single ids, context before target, round trip of the code', () => {
    const m = tok.withMarkers();
    const ex = serializeExample(tok, { commit, chunks: [chunk()] }, 'seed');
    assert.equal(ex.contextIds[0], m['<COMMIT_START>']);
    assert.equal(ex.targetIds[0], m['<NEW_CODE_START>']);
    assert.equal(ex.targetIds.at(-1), m['<COMMIT_END>']);
    assert.equal(ex.truncations, 0);
    const order = [
      '<COMMIT_START>',
      '<AUTHOR>',
      '<MSG_START>',
      '<MSG_END>',
      '<FILE>',
      '<LANG>',
      '<KIND>',
      '<SYMBOL>',
      '<CHANGE>',
      '<CONTEXT_START>',
      '<IMPORTS_START>',
      '<IMPORTS_END>',
      '<STRUCTS_START>',
      '<STRUCTS_END>',
      '<FUNCTIONS_START>',
      '<FUNCTIONS_END>',
      '<CONTEXT_END>',
      '<OLD_CODE_START>',
      '<OLD_CODE_END>',
    ] as const;
    const markerIds = new Set(Object.values(m));
    const seen = ex.contextIds.filter((id) => markerIds.has(id) && id !== m['<SYMBOL>']);
    assert.deepEqual(
      seen,
      order.filter((x) => x !== '<SYMBOL>').map((x) => m[x]),
    );
    assert.equal(
      ex.text,
      '<COMMIT_START><AUTHOR>Ada Lovelace<MSG_START>Fix overflow in parse_header\n\nUse checked_add so a huge length no longer wraps.<MSG_END>' +
        '<FILE>src/parse.rs<LANG>rust<KIND>fn<SYMBOL>parse_header<CHANGE>modified<CONTEXT_START>' +
        '<IMPORTS_START><SYMBOL>use (src/types.rs)\nuse std::io::Read;<IMPORTS_END>' +
        '<STRUCTS_START><SYMBOL>Header (src/types.rs)\npub struct Header { len: usize }<STRUCTS_END>' +
        '<FUNCTIONS_START><SYMBOL>helper (src/types.rs)\nfn helper() -> u8 { 0 }<FUNCTIONS_END><CONTEXT_END>' +
        `<OLD_CODE_START>${oldCode}<OLD_CODE_END><NEW_CODE_START>${newCode}<NEW_CODE_END><COMMIT_END>`,
    );
    const newSec = ex.sections.find((s) => s.name === 'chunk[0].new')!;
    const all = [...ex.contextIds, ...ex.targetIds];
    assert.equal(tok.decode(all.slice(newSec.start + 1, newSec.end - 1)), newCode);
    assert.equal(newSec.budget, 2048);
    assert.equal(newSec.used, newSec.end - newSec.start - 2);
  });

  it('the exported tokenizer.json, loaded by the HF reference, gives the same ids and marker ids', async () => {
    const m = tok.withMarkers();
    const ref = HfReference.fromString(tok.toJSON());
    for (const name of MARKERS) assert.equal(ref.tokenToId(name), m[name]);
    assert.equal(ref.getVocabSize(true), tok.vocabSize);
    const ex = serializeExample(tok, { commit, chunks: [chunk(), chunk({ path: 'src/b.rs', qualifiedName: 'b', context: [] })] }, 'seed');
    const refIds = (await ref.encode(ex.text, null, { addSpecialTokens: false })).getIds();
    assert.deepEqual(refIds, [...ex.contextIds, ...ex.targetIds]);
    const st = JSON.parse(tok.specialTokensJSON());
    assert.deepEqual(st.additional_special_tokens, [...MARKERS]);
    assert.equal(st.special_tokens['<PAD>'], m['<PAD>']);
  });

  it('budgets: code, message and snippets truncated at token boundaries with <TRUNCATED>, counted', () => {
    const m = tok.withMarkers();
    const longOld = Array.from({ length: 400 }, (_, i) => `    let v${i} = compute(${i});\n`).join('');
    const longMsg = { ...commit, body: 'word '.repeat(200) };
    const ex = serializeExample(tok, { commit: longMsg, chunks: [chunk({ oldCode: longOld, context: [ctx('fn', 'big', 'x + '.repeat(500))] })] }, 'seed', { oldCode: 100, message: 20, snippet: 30 });
    const all = [...ex.contextIds, ...ex.targetIds];
    for (const name of ['chunk[0].old', 'message', 'chunk[0].functions[0]']) {
      const s = ex.sections.find((x) => x.name === name)!;
      assert.ok(s.truncated, name);
      assert.equal(s.used, s.budget, name);
      const tail = name === 'chunk[0].functions[0]' ? s.end - 1 : s.end - 2;
      assert.equal(all[tail], m['<TRUNCATED>'], name);
    }
    assert.equal(ex.truncations, 3);
    assert.ok(tok.decode(all).includes('let v0 = compute(0);\n    let v1'));
  });

  it('budgets: the whole example is capped by dropping snippets, then shrinking old and new code', () => {
    const many = Array.from({ length: 40 }, (_, i) => ctx('fn', `f${i}`, `fn f${i}() { ${'a + '.repeat(50)} }`));
    const bigNew = 'let x = 1;\n'.repeat(300);
    const ex = serializeExample(tok, { commit, chunks: [chunk({ context: many, newCode: bigNew, oldCode: bigNew })] }, 'seed', { example: 600, newCode: 5000, oldCode: 5000 });
    const total = ex.contextIds.length + ex.targetIds.length;
    assert.ok(total <= 600, `total ${total}`);
    assert.ok(ex.truncations >= 40, `truncations ${ex.truncations}`);
    assert.ok(ex.sections.find((s) => s.name === 'chunk[0].old')!.truncated);
  });

  it('a context window: snippets dropped (lowest-ranked first), then old code cut from its start; header, message and file line kept', () => {
    const m = tok.withMarkers();
    const many = Array.from({ length: 12 }, (_, i) => ctx('fn', `f${i}`, `fn f${i}() { ${'a + '.repeat(30)} }`));
    const bigOld = Array.from({ length: 200 }, (_, i) => `let old${i} = ${i};`).join('\n');
    const input = { commit, chunks: [chunk({ context: many, oldCode: bigOld })] };
    const free = serializeExample(tok, input, 'seed', { oldCode: 5000 });
    const snippetsOnly = serializeExample(tok, input, 'seed', { oldCode: 5000 }, free.contextIds.length - 60);
    assert.ok(snippetsOnly.contextIds.length <= free.contextIds.length - 60);
    assert.ok(snippetsOnly.truncations >= 1);
    assert.ok(!snippetsOnly.sections.find((x) => x.name === 'chunk[0].old')!.truncated, 'old code untouched while snippets can go');
    const names = (e: typeof free) => e.sections.map((x) => x.name);
    assert.ok(names(snippetsOnly).includes('chunk[0].functions[0]') && !names(snippetsOnly).includes('chunk[0].functions[11]'), 'the last-ranked snippet goes first');
    const tight = serializeExample(tok, input, 'seed', { oldCode: 5000 }, 300);
    assert.ok(tight.contextIds.length <= 300, `context ${tight.contextIds.length}`);
    assert.ok(!names(tight).some((n) => /functions\[/.test(n)), 'every snippet dropped');
    const old = tight.sections.find((x) => x.name === 'chunk[0].old')!;
    assert.ok(old.truncated);
    const oldText = tok.decode(tight.contextIds.slice(old.start, old.end));
    assert.ok(oldText.includes('let old199 = 199;') && !oldText.includes('let old0 = 0;'), 'old code keeps its end');
    assert.equal(tight.contextIds[0], m['<COMMIT_START>']);
    assert.ok(names(tight).includes('message') && names(tight).includes('chunk[0].file'));
    assert.equal(tight.headLength, tight.sections.find((x) => x.name === 'message')!.end, 'the head ends with the message');
    assert.deepEqual(tight.targetIds, free.targetIds, 'the target is not touched');
  });

  it('same input and settings give identical output', () => {
    const a = serializeExample(tok, { commit, chunks: [chunk()] }, 'seed', { snippet: 8 });
    const b = serializeExample(loadTokenizer(), { commit, chunks: [chunk()] }, 'seed', { snippet: 8 });
    assert.deepEqual(a, b);
  });

  it('repo: Qwen <|repo_name|>/<|file_sep|>, context files before the target file', () => {
    const ex = serializeExample(tok, { commit, chunks: [chunk()], repoName: 'acme/parser' }, 'repo');
    assert.equal(ex.contextIds[0], tok.tokenToId('<|repo_name|>'));
    assert.equal(ex.contextIds.filter((id) => id === tok.tokenToId('<|file_sep|>')).length, 4);
    assert.ok(ex.text.startsWith('<|repo_name|>acme/parser\n<|file_sep|>src/types.rs\nuse std::io::Read;\n'));
    assert.ok(ex.text.endsWith(`<|file_sep|>src/parse.rs\n${newCode}\n`));
    assert.equal(tok.decode(ex.targetIds), newCode + '\n');
  });

  it('starcoder: a clear error with a tokenizer lacking its tokens, and the layout with one that has them', () => {
    assert.throws(
      () => serializeExample(tok, { commit, chunks: [chunk()] }, 'starcoder'),
      (e: Error) => e instanceof FormatUnavailableError && /<commit_before>/.test(e.message),
    );
    const j = JSON.parse(gpt2Json('fn main() { let x = 1; } // some code'));
    const n = Object.keys(j.model.vocab).length + 2;
    ['<commit_before>', '<commit_msg>', '<commit_after>', '<file_sep>'].forEach((content, i) =>
      j.added_tokens.push({ id: n + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }),
    );
    const sc = tokenizerFromJSON(JSON.stringify(j));
    const ex = serializeExample(sc, { commit, chunks: [chunk()] }, 'starcoder');
    assert.ok(ex.text.includes(`<commit_before>${oldCode}\n<commit_msg>${commit.subject}`));
    assert.ok(ex.text.endsWith(`<commit_after>${newCode}\n`));
    assert.equal(ex.contextIds.filter((id) => id === n + 3).length, 3);
  });

  it('plain: no special ids, readable text', () => {
    const plain = loadTokenizer();
    const ex = serializeExample(plain, { commit, chunks: [chunk()] }, 'plain');
    for (const id of [...ex.contextIds, ...ex.targetIds]) assert.ok(id < 151643, `special id ${id}`);
    assert.ok(ex.text.includes(`Before:\n${oldCode}\nAfter:\n${newCode}\n`));
    assert.equal(plain.vocabSize, 151669, 'plain format adds no markers');
  });

  it('offsets map every token back to its text', () => {
    const text = `${oldCode}// 日本語 😀 e\u0301\r\n\t${newCode}`;
    const { ids, offsets } = tok.encode(text, { offsets: true });
    assert.equal(offsets!.length, ids.length);
    let covered = '';
    let last = 0;
    for (let k = 0; k < ids.length; k++) {
      const [a, b] = offsets![k];
      assert.ok(a <= b && b <= text.length);
      if (a >= last) covered += text.slice(a, b);
      last = Math.max(last, b);
      if (/^[\x20-\x7e\n\t]*$/.test(text.slice(a, b))) assert.equal(tok.decode([ids[k]]), text.slice(a, b));
    }
    assert.equal(covered, text);
  });

  it('rejects bad budgets and unknown formats clearly', () => {
    assert.throws(() => serializeExample(tok, { commit, chunks: [chunk()] }, 'seed', { oldCode: 0 }), /budget "oldCode"/);
    assert.throws(() => serializeExample(tok, { commit, chunks: [chunk()] }, 'nope' as never), /unknown format "nope"/);
  });
});
