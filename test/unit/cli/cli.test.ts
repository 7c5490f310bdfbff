/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON rows */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import { readRows } from '../../../src/core/dataset/rows';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from '../pipeline/fixture';

let repo: FixtureRepo;
let tmp: string;
let good: string;

function io(ttyErr = false) {
  const o = { out: '', err: '' };
  return { o, streams: { stdout: { write: (s: string) => (o.out += s) }, stderr: { write: (s: string) => (o.err += s), isTTY: ttyErr, columns: 100 } } };
}
const run = async (args: string[], signal?: AbortSignal, ttyErr = false) => {
  const { o, streams } = io(ttyErr);
  const code = await runCli(args, streams, { handleSigint: false, signal });
  return { code, ...o };
};
const SMALL = ['--context-window', '256', '--target-window', '32'];

before(async () => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cli-'));
  good = path.join(tmp, 'good');
  const r = await run(['build', repo.dir, '--out', good, '--json', ...SMALL]);
  assert.equal(r.code, 0, r.err);
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('build --json prints a summary; a rebuild is up to date; plain output names the folder', async () => {
  const again = await run(['build', repo.dir, '--out', good, '--json', ...SMALL]);
  assert.equal(again.code, 0);
  const j = JSON.parse(again.out);
  assert.equal(j.upToDate, true);
  assert.equal(j.commits.total, 12);
  assert.equal(again.err, '', 'with --json and stderr not a terminal, nothing on stderr');
  // a person watching: the bar on the terminal's stderr, the summary alone on stdout
  const watched = await run(['build', repo.dir, '--out', path.join(tmp, 'watched'), '--json', '--no-cache', ...SMALL], undefined, true);
  assert.equal(watched.code, 0, watched.err);
  assert.equal(JSON.parse(watched.out).upToDate, false);
  assert.match(watched.err, /\r.*tokens/, 'the progress bar is drawn on stderr');
  const plain = await run(['build', repo.dir, '--out', path.join(tmp, 'plain'), '--format', 'plain', '--mode', 'sequential', '--no-cache', ...SMALL]);
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /Dataset written to .*plain/);
  assert.match(plain.err, /tokens: \d+\/\d+/, 'plain progress lines when not a TTY');
  const seq = await readRows(path.join(tmp, 'plain'), 'train');
  assert.ok(seq.length > 0 && seq.every((e) => e.example_type === 'sequential'));
  assert.equal((await run(['verify', path.join(tmp, 'plain')])).code, 0);
});

test('bad usage exits 2 with a message; failures exit 1; abort exits 130 and writes nothing', async () => {
  for (const args of [
    ['build', repo.dir, '--format', 'nope'],
    ['build', '--bogus'],
    ['frobnicate'],
    ['build', repo.dir, '--max-commits', 'x'],
    ['build', repo.dir, '--chunk-workers', '-1'],
    ['verify'],
    ['build', repo.dir, '--since', 'yesterdayish'],
    ['build', repo.dir, '--tokenizer', '/nope/tokenizer.json'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code} ${r.err}`);
    assert.match(r.err, /commit-corpus: .+/);
  }
  const notRepo = fs.mkdtempSync(path.join(tmp, 'empty-'));
  const r1 = await run(['build', notRepo, '--out', path.join(tmp, 'never')]);
  assert.equal(r1.code, 1);
  assert.match(r1.err, /not a git repository/i);
  const ac = new AbortController();
  ac.abort();
  const r2 = await run(['build', repo.dir, '--out', path.join(tmp, 'never'), '--no-cache'], ac.signal);
  assert.equal(r2.code, 130);
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /commit-corpus build \[repo…\]/);
  assert.match(help.out, /--chunk-workers N/);
  // each option's line is its description's whole first sentence ("e.g." does not end one)
  assert.match(help.out, /--decontaminate FILE +Benchmark files \(JSON Lines of prompts and solutions, e\.g\. HumanEval or MBPP; repeatable\):/);
  assert.doesNotMatch(help.out, /\b(e\.g|i\.e)\.\n/);
});

test('inspect prints stats; verify passes on good output', async () => {
  const i = await run(['inspect', good]);
  assert.equal(i.code, 0);
  assert.match(i.out, /train +\d+ examples from 8 commits/);
  assert.match(i.out, /redactions/);
  const v = await run(['verify', good, '--repo', repo.dir]);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /^OK: checked \d+ files, 12 commits/m);
});

async function corrupt(name: string, edit: (dir: string) => void | Promise<void>, from = good): Promise<string> {
  const dir = path.join(tmp, `bad-${name}`);
  fs.cpSync(from, dir, { recursive: true });
  await edit(dir);
  return dir;
}
/**
 * The default layout's rows of a split, edited: written back as dataset/{split}.jsonl (which verify reads before the
 * Parquet file, through the same row checks) in place of the Parquet file.
 */
async function editRows(dir: string, split: string, fn: (rows: any[]) => void): Promise<void> {
  const rows = await readRows(dir, split);
  fn(rows);
  fs.writeFileSync(path.join(dir, 'dataset', `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.rmSync(path.join(dir, 'dataset', `${split}.parquet`));
}
function editJsonl(file: string, fn: (rows: any[]) => void): void {
  const rows = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  fn(rows);
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

test('verify reports each kind of planted corruption', async () => {
  const cases: Array<[string, RegExp, (d: string) => void | Promise<void>]> = [
    ['blob', /^blob: chunk .* newCode is not in/m, (d) => editJsonl(path.join(d, 'chunks.jsonl'), (r) => (r.find((c) => c.newCode).newCode += '\nfn injected() {}'))],
    ['sha', /^file: tokenizer\/special_tokens.json: (sha256|size)/m, (d) => fs.appendFileSync(path.join(d, 'tokenizer', 'special_tokens.json'), ' ')],
    ['missing', /^file: dataset\/val.parquet is listed in the manifest but missing/m, (d) => fs.rmSync(path.join(d, 'dataset', 'val.parquet'))],
    [
      'leak',
      /^split-leak: dataset\/test.jsonl row \d+: commit \w+ belongs to train/m,
      async (d) => {
        const train = await readRows(d, 'train');
        await editRows(d, 'test', (r) => r.push(train[0]));
      },
    ],
    ['order', /^split-order: a train commit is newer than a val commit/m, (d) => editJsonl(path.join(d, 'commits.jsonl'), (r) => (r[0].committer_time = 4e9))],
    ['twice', /^commits: commit \w+ appears twice/m, (d) => editJsonl(path.join(d, 'commits.jsonl'), (r) => r.push({ ...r[0], split: 'test' }))],
    ['mask', /^mask: dataset\/train.jsonl row 1: attention_mask has values other than 1/m, (d) => editRows(d, 'train', (r) => (r[0].attention_mask[0] = 2))],
    ['length', /^length: dataset\/val.jsonl row 1: input_ids has length \d+, expected \d+/m, (d) => editRows(d, 'val', (r) => r[0].input_ids.pop())],
    ['label', /^label: dataset\/train.jsonl row 1: labels\[0\]/m, (d) => editRows(d, 'train', (r) => (r[0].labels[0] = r[0].input_ids[0]))],
    ['vocab', /^vocab: dataset\/train.jsonl row 2: input_ids holds id 999999999/m, (d) => editRows(d, 'train', (r) => (r[1].input_ids[0] = 999999999))],
    [
      'empty',
      /^example: dataset\/train.jsonl row 1: the completion is empty/m,
      (d) => editRows(d, 'train', (r) => Object.assign(r[0], { completion_tokens: 0, prompt_tokens: r[0].input_ids.length, labels: r[0].labels.fill(-100) })),
    ],
    // the Parquet file itself: another split's rows in its place leak commits, a cut file cannot be read
    ['parquet-leak', /^split-leak: dataset\/val.parquet row 1: commit \w+ belongs to train/m, (d) => fs.copyFileSync(path.join(d, 'dataset', 'train.parquet'), path.join(d, 'dataset', 'val.parquet'))],
    [
      'parquet-cut',
      /^file: dataset\/train.parquet cannot be read/m,
      (d) => fs.writeFileSync(path.join(d, 'dataset', 'train.parquet'), fs.readFileSync(path.join(d, 'dataset', 'train.parquet')).subarray(0, 100)),
    ],
    [
      'tokens',
      /^tokens: /m,
      (d) => {
        const p = path.join(d, 'tokens.safetensors');
        fs.writeFileSync(p, fs.readFileSync(p).subarray(0, 40));
      },
    ],
  ];
  for (const [name, re, edit] of cases) {
    const dir = await corrupt(name, edit);
    const v = await run(['verify', dir, '--repo', repo.dir]);
    assert.equal(v.code, 1, `${name}: verify should fail`);
    assert.match(v.out, re, `${name}: ${v.out}`);
  }
  // the seed layout's padded rows have checks of their own
  const seed = path.join(tmp, 'seed');
  assert.equal((await run(['build', repo.dir, '--out', seed, '--layout', 'seed', ...SMALL])).code, 0);
  assert.equal((await run(['verify', seed, '--repo', repo.dir])).code, 0, 'a seed-layout build verifies');
  const seedCases: Array<[string, RegExp, (d: string) => void]> = [
    ['seed-mask', /^mask: dataset\/train.jsonl row 1/m, (d) => editJsonl(path.join(d, 'dataset', 'train.jsonl'), (r) => (r[0].context_mask[0] = 2))],
    ['seed-length', /^length: dataset\/val.jsonl row 1: target has length 31/m, (d) => editJsonl(path.join(d, 'dataset', 'val.jsonl'), (r) => r[0].target.pop())],
    ['seed-label', /^label: dataset\/train.jsonl row 1: labels\[0\]/m, (d) => editJsonl(path.join(d, 'dataset', 'train.jsonl'), (r) => (r[0].labels[0] = r[0].input_ids[0]))],
    ['seed-vocab', /^vocab: dataset\/train.jsonl row 2: context holds id 999999999/m, (d) => editJsonl(path.join(d, 'dataset', 'train.jsonl'), (r) => (r[1].context[0] = 999999999))],
  ];
  for (const [name, re, edit] of seedCases) {
    const v = await run(['verify', await corrupt(name, edit, seed), '--repo', repo.dir]);
    assert.equal(v.code, 1, `${name}: verify should fail`);
    assert.match(v.out, re, `${name}: ${v.out}`);
  }
});

test('every setting of the table is a flag: the build records them in the manifest, a value out of range names the flag', async () => {
  const out = path.join(tmp, 'flags');
  const args = [
    'build',
    repo.dir,
    '--out',
    out,
    '--no-cache',
    ...SMALL,
    '--no-context',
    '--language',
    'rust',
    '--budget-example',
    '512',
    '--context-lines',
    '1',
    '--max-chunk-chars',
    '900',
    '--detect-renames',
    'similarity',
    '--near-dup-threshold',
    '0.8',
    '--include-merges',
    '--no-skip-bots',
  ];
  const r = await run(args);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).settings;
  assert.deepEqual(
    [s.context, s.languages, s.budgets.example, s.budgets.message, s.contextLines, s.maxChunkChars, s.detectRenames, s.nearDupThreshold, s.includeMerges, s.skipBots],
    [false, ['rust'], 512, 64, 1, 900, 'similarity', 0.8, true, false],
  );
  const bad = await run(['build', repo.dir, '--out', path.join(tmp, 'never'), '--budget-message', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--budget-message.*from 1 to 4096/);
  assert.equal(fs.existsSync(path.join(tmp, 'never')), false);
});
