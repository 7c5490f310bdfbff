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
import { runPipeline, UsageError } from '../../../src/core/pipeline';
import { goodMessage } from '../../../src/core/hygiene/message';
import { verifyDataset } from '../../../src/core/dataset/verify';
import { forEachJsonl } from '../../../src/core/dataset/jsonl';
import { readRows } from '../../../src/core/dataset/rows';
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

const allRows = async (out: string) => (await Promise.all(['train', 'val', 'test'].map((s) => readRows(out, s)))).flat();
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
  ['seed', 'unit'],
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
    if (mode !== 'sequential') assert.equal(r.headed, r.checked, 'every prompt starts with the header');
    const rows = await allRows(out);
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
  const ds = await readRows(out, 'train');
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
    const rows = await allRows(out);
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

test('the message filter keeps imperative subjects of 3 to 60 words (CommitPackFT style)', () => {
  for (const s of ['Add square and make double wrap', 'fix(parser): handle empty input', 'Use checked_add so a huge length no longer wraps', 'Remove the unused config module'])
    assert.ok(goodMessage(s), s);
  for (const s of [
    'Initial math module',
    'Fix typo',
    'Merge branch main into dev',
    'Revert "Add x"',
    'Bump version to 1.2.3',
    'WIP add parser',
    'Add this, maybe?',
    'Release v1.2 with fixes',
    'Updated the docs for the API',
    '',
  ])
    assert.ok(!goodMessage(s), s);
});

test('--message-filter leaves out commits whose subject is no instruction, counted; --decontaminate drops examples sharing 10 words with a benchmark', async () => {
  const filtered = path.join(tmp, 'filtered');
  await runPipeline({ repo: repo.dir, out: filtered, cache: false, messageFilter: true });
  const st = JSON.parse(fs.readFileSync(path.join(filtered, 'dataset', 'stats.json'), 'utf8'));
  const commits = rowsOf(path.join(filtered, 'commits.jsonl'));
  assert.ok(st.commits_skipped.message > 0, 'some subjects are no instruction ("Initial math module")');
  assert.ok(commits.every((c) => goodMessage(c.subject as string)));
  assert.ok(!commits.some((c) => c.subject === 'Initial math module'));
  assert.match(fs.readFileSync(path.join(filtered, 'README.md'), 'utf8'), /Commit-message filter[^\n]*on \(\d+ commits left out\)/);

  // a benchmark whose solution is step_3's code (words of it, other layout): its examples go
  const bench = path.join(tmp, 'humaneval.jsonl');
  const solution = 'pub fn step_3(x: u32) -> u32 { let mut acc = x; acc = acc.rotate_left(3); acc = acc.rotate_left(4); acc }';
  fs.writeFileSync(bench, `${JSON.stringify({ task_id: 'X/0', prompt: 'Rotate.', canonical_solution: solution })}\n\n${JSON.stringify({ task_id: 'X/1', tests: ['short one'] })}\n`);
  const clean = path.join(tmp, 'clean');
  const base = { repo: repo.dir, cache: true, cacheDir: path.join(tmp, 'cache-decon') };
  await runPipeline({ ...base, out: clean, decontaminate: [bench] });
  const cst = JSON.parse(fs.readFileSync(path.join(clean, 'dataset', 'stats.json'), 'utf8'));
  assert.ok(cst.decontaminated > 0, 'the commit adding step_3 is dropped');
  const texts = ['train', 'val', 'test'].flatMap((s) => rowsOf(path.join(clean, 'prompt_completion', `${s}.jsonl`))).map((r) => `${r.prompt as string}${r.completion as string}`);
  assert.ok(texts.length > 0 && !texts.some((t) => t.includes('rotate_left(3);\n    acc = acc.rotate_left(4)')), 'no example holds the benchmark');
  assert.match(fs.readFileSync(path.join(clean, 'README.md'), 'utf8'), /Decontamination \(10-word overlap[^\n]*\d+ dropped/);
  assert.deepEqual((await verifyDataset(clean, { repo: repo.dir })).problems, []);
  // the benchmark's content keys the run: changed, it is no longer up to date
  assert.equal((await runPipeline({ ...base, out: clean, decontaminate: [bench] })).upToDate, true);
  fs.appendFileSync(bench, `${JSON.stringify({ prompt: 'one two three four five six seven eight nine ten eleven' })}\n`);
  assert.equal((await runPipeline({ ...base, out: clean, decontaminate: [bench] })).upToDate, false);
  // a missing or malformed benchmark is a one-sentence usage error, and nothing is written
  const bad = path.join(tmp, 'bad.jsonl');
  fs.writeFileSync(bad, '{"prompt": "x"}\nnot json\n');
  await assert.rejects(runPipeline({ repo: repo.dir, out: path.join(tmp, 'nope'), decontaminate: [bad] }), (e: Error) => e instanceof UsageError && /bad\.jsonl line 2 is not JSON/.test(e.message));
  await assert.rejects(
    runPipeline({ repo: repo.dir, out: path.join(tmp, 'nope'), decontaminate: [path.join(tmp, 'missing.jsonl')] }),
    (e: Error) => e instanceof UsageError && /missing\.jsonl cannot be read/.test(e.message),
  );
  assert.ok(!fs.existsSync(path.join(tmp, 'nope')));
});
