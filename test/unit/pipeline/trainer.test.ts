/**
 * The dataset's contract with trainers, on real git repositories: every example's prompt and completion text encode
 * (Hugging Face `tokenizers`, the exported tokenizer.json) into exactly its ids, in every format and mode; every
 * prompt starts with the header; no completion is empty; the trainer-shaped files are there and `verify` checks them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runPipeline } from '../../../src/core/pipeline';
import { verifyDataset } from '../../../src/core/dataset/verify';
import { forEachJsonl } from '../../../src/core/dataset/jsonl';
import { loadTokenizer } from '../../../src/core/tokenize/index';
import { FixtureRepo } from '../../fixtures/repo';
import { checkExact } from '../../tools/exact';
import { makeFixture } from './fixture';

let repo: FixtureRepo;
let tmp: string;

before(() => {
  repo = makeFixture();
  // long, non-ASCII, deeply indented code: windows cut inside it
  const body = Array.from({ length: 40 }, (_, i) => `        let naïve_${i} = "ünïcödé ✓ 😀 ${'─'.repeat(i % 9)}";\n\n        if naïve_${i}.len() > ${i} {\n            return;\n        }`).join('\n');
  repo.write('src/long.rs', `pub fn long_one() {\n${body}\n}\n`);
  repo.commit('Add a long function — ünïcödé');
  repo.write('src/long.rs', `pub fn long_one() {\n${body.replace(/return;/g, 'continue;')}\n}\n\npub fn long_two() -> u8 {\n    7\n}\n`);
  repo.commit('Continue instead of returning');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-trainer-'));
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const rowsOf = (file: string) => {
  const rows: Array<Record<string, unknown>> = [];
  forEachJsonl(file, (r) => void rows.push(r as Record<string, unknown>));
  return rows;
};

for (const [format, mode] of [
  ['seed', 'commit'],
  ['plain', 'commit'],
  ['repo', 'commit'],
  ['seed', 'sequential'],
] as const) {
  test(`${format} format, ${mode} mode: every prompt and completion encodes exactly into its ids (HF tokenizers)`, async () => {
    const out = path.join(tmp, `${format}-${mode}`);
    await runPipeline({ repo: repo.dir, out, cache: false, format, mode, contextWindow: 160, targetWindow: 48, emit: ['prompt-completion', 'messages', 'text'] });
    const r = await checkExact(out);
    assert.ok(r.checked > (mode === 'commit' ? 20 : 5), `${r.checked} examples`);
    assert.deepEqual(r.mismatches, []);
    assert.equal(r.promptExact, r.checked, 'prompts');
    assert.equal(r.completionExact, r.checked, 'completions');
    assert.equal(r.emptyCompletions, 0);
    if (mode === 'commit') assert.equal(r.headed, r.checked, 'every prompt starts with the header');
    const rows = ['train', 'val', 'test'].flatMap((s) => rowsOf(path.join(out, 'dataset', `${s}.jsonl`)));
    if (mode === 'commit')
      assert.ok(rows.some((e) => (e.parts as number) > 1) && rows.every((e) => (e.part as number) === (e.parts as number) - 1 || e.completion_cut === true), 'every part but the last is cut');
    assert.ok(rows.every((e) => Array.isArray(e.paths) && (e.paths as string[]).length > 0 && (e.languages as string[]).includes('rust')));
    const v = await verifyDataset(out, { repo: repo.dir });
    assert.deepEqual(v.problems, []);
  });
}

test('the trainer-shaped files: messages roles, text = prompt + completion, dataset_info.json names files that exist, row i = row i', async () => {
  const out = path.join(tmp, 'seed-commit');
  const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; formatting?: string }>;
  assert.deepEqual(Object.keys(info).sort(), ['commit_corpus_pc_test', 'commit_corpus_pc_train', 'commit_corpus_pc_val', 'commit_corpus_test', 'commit_corpus_train', 'commit_corpus_val']);
  for (const e of Object.values(info)) assert.ok(fs.existsSync(path.join(out, e.file_name)), e.file_name);
  assert.equal(info.commit_corpus_train.formatting, 'sharegpt');
  const pc = rowsOf(path.join(out, 'prompt_completion', 'train.jsonl'));
  const msgs = rowsOf(path.join(out, 'messages', 'train.jsonl'));
  const text = rowsOf(path.join(out, 'text', 'train.jsonl'));
  const ds = rowsOf(path.join(out, 'dataset', 'train.jsonl'));
  assert.ok(ds.length > 0 && pc.length === ds.length && msgs.length === ds.length && text.length === ds.length);
  ds.forEach((d, i) => {
    assert.equal(pc[i].commit_hash, d.commit_hash);
    const m = msgs[i].messages as Array<{ role: string; content: string }>;
    assert.deepEqual(
      m.map((x) => x.role),
      ['system', 'user', 'assistant'],
    );
    assert.equal(m[1].content, pc[i].prompt);
    assert.equal(m[2].content, pc[i].completion);
    assert.equal(text[i].text, `${pc[i].prompt as string}${pc[i].completion as string}`);
  });
  const card = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  for (const needle of ['prompt_completion/{s}.parquet', 'messages/train.jsonl', 'dataset_info.json', 'commit_corpus_train', 'DataCollatorForSeq2Seq', 'SFTTrainer', 'chat_template'])
    assert.ok(card.includes(needle), needle);
});

test('verify finds a prompt that does not encode into its ids', async () => {
  const out = path.join(tmp, 'tampered');
  fs.cpSync(path.join(tmp, 'plain-commit'), out, { recursive: true });
  const file = path.join(out, 'prompt_completion', 'train.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const first = JSON.parse(lines[0]) as { prompt: string };
  lines[0] = JSON.stringify({ ...first, prompt: first.prompt + ' ' });
  fs.writeFileSync(file, lines.join('\n'));
  const v = await verifyDataset(out, { noBlobs: true });
  assert.ok(
    v.problems.some((p) => p.startsWith('text: prompt_completion/train.jsonl row 1: the prompt')),
    v.problems.join('\n'),
  );
});

test("code holding a special token's literal is counted, never read as the token, and verify accepts it", async () => {
  const r = FixtureRepo.create('cc-literal-');
  try {
    r.write('src/chat.rs', 'pub fn end() -> &\'static str {\n    "<|im_end|>"\n}\n');
    r.commit('Add the chat template end');
    r.write('src/chat.rs', 'pub fn end() -> &\'static str {\n    "<|im_end|><COMMIT_START>"\n}\n');
    r.commit('Add a marker literal');
    const out = path.join(tmp, 'literal');
    await runPipeline({ repo: r.dir, out, cache: false, contextWindow: 160, targetWindow: 48 });
    const st = JSON.parse(fs.readFileSync(path.join(out, 'dataset', 'stats.json'), 'utf8'));
    const rows = ['train', 'val', 'test'].flatMap((s) => rowsOf(path.join(out, 'dataset', `${s}.jsonl`)));
    assert.equal(st.special_literals, rows.length, 'every example holds a literal');
    const tok = loadTokenizer();
    const m = tok.withMarkers();
    const imEnd = tok.tokenToId('<|im_end|>')!;
    for (const e of rows) {
      const ids = e.input_ids as number[];
      assert.equal(ids.filter((x) => x === m['<COMMIT_START>']).length, 1, 'only the header is a marker');
      assert.ok(!ids.includes(imEnd), 'the literal stays text');
    }
    assert.deepEqual((await verifyDataset(out, { repo: r.dir })).problems, []);
  } finally {
    r.dispose();
  }
});
