/**
 * Planted secrets end to end: a real repository holding every form of test/fixtures/secrets.ts — in files of many
 * syntaxes (added, then changed, so they are old code, new code and context), commit messages, file paths and
 * author names — built with the defaults. No secret may be found in any output file, in the cache, in the log, or
 * in the text the token ids decode to.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readRows } from '../../../src/core/dataset/rows';
import { decodeSafetensors } from '../../../src/core/dataset/safetensors';
import { runPipeline } from '../../../src/core/pipeline';
import { loadTokenizer } from '../../../src/core/tokenize';
import { FixtureRepo } from '../../fixtures/repo';
import { SECRET_CASES } from '../../fixtures/secrets';

let repo: FixtureRepo;
let tmp: string;
let out: string;
let cacheDir: string;
const logs: string[] = [];

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-secrets-'));
  out = path.join(tmp, 'out');
  cacheDir = path.join(tmp, 'cache');
  repo = FixtureRepo.create('cc-secrets-');
  repo.write('src/lib.rs', 'pub fn start() -> u32 { 1 }\n');
  repo.commit('Start');
  const files = new Map<string, string>();
  // (blank lines keep one-line files from looking minified: they are chunked, not skipped)
  for (const c of SECRET_CASES) if ('file' in c.where) files.set(c.where.file, `${files.get(c.where.file) ?? ''}${c.text}\n\n\n\n`);
  // every file added, then changed (the secret is old code, new code and context of the other files' chunks)
  for (const [f, text] of files) repo.write(f, text);
  repo.commit('Add configuration and clients');
  for (const [f, text] of files) repo.write(f, `${text}\n// changed\n${text.split('\n')[0]}\n`);
  repo.write('src/lib.rs', 'pub fn start() -> u32 { 2 }\n');
  repo.commit('Touch everything');
  for (const c of SECRET_CASES) {
    if ('message' in c.where) {
      repo.write('NOTES.txt', `${c.form}\n`);
      repo.commit(c.text);
    } else if ('path' in c.where) {
      repo.write(c.text, `notes for ${c.form}\n`);
      repo.commit(`Add notes (${c.form})`);
      repo.write(c.text, `more notes for ${c.form}\n`);
      repo.commit(`Change notes (${c.form})`);
    } else if ('author' in c.where) {
      repo.write('AUTHORS.txt', `${c.form}\n`);
      repo.commit(`Update authors (${c.form})`, { author: { name: c.text, email: 'someone@example.com' } });
    }
  }
  await runPipeline({ repo: repo.dir, out, cacheDir, layout: 'seed', contextWindow: 1024, targetWindow: 256 }, { log: (l) => logs.push(l) });
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test(`no planted secret (${SECRET_CASES.length} forms) is in any output file, the cache or the log`, () => {
  const places: Array<[string, string]> = [...walk(out), ...walk(cacheDir)].map((f) => [f, fs.readFileSync(f).toString('latin1') + fs.readFileSync(f).toString('utf8')]);
  places.push(['log', logs.join('\n')]);
  assert.ok(places.length > 20);
  const leaks: string[] = [];
  for (const c of SECRET_CASES) for (const [where, text] of places) if (text.includes(c.secret)) leaks.push(`${c.form} → ${path.relative(tmp, where)}`);
  assert.deepEqual(leaks, []);
});

test('no planted secret is in the text the token ids decode to (chunks and every example)', async () => {
  const tok = loadTokenizer(path.join(out, 'tokenizer', 'tokenizer.json'));
  const st = decodeSafetensors(fs.readFileSync(path.join(out, 'tokens.safetensors')));
  const texts = [tok.decode(st.tensors.token_ids.data as Int32Array)];
  for (const split of ['train', 'val', 'test'])
    for (const row of await readRows(out, split)) {
      const { input_ids, attention_mask } = row as { input_ids: number[]; attention_mask: number[] };
      texts.push(tok.decode(input_ids.filter((_, i) => attention_mask[i] === 1)));
    }
  const all = texts.join('\n');
  assert.ok(all.includes('<REDACTED_'), 'placeholders reach the ids');
  const leaks = SECRET_CASES.filter((c) => all.includes(c.secret)).map((c) => c.form);
  assert.deepEqual(leaks, []);
});

test('redactions are counted by kind in stats.json', () => {
  const stats = JSON.parse(fs.readFileSync(path.join(out, 'dataset', 'stats.json'), 'utf8')) as { redactions: Record<string, number> };
  for (const k of ['aws_key', 'github_token', 'password', 'generic_secret', 'auth_header', 'connection_string', 'email', 'ip_address', 'private_key', 'jwt']) {
    assert.ok((stats.redactions[k] ?? 0) >= 1, `${k}: ${JSON.stringify(stats.redactions)}`);
  }
});
