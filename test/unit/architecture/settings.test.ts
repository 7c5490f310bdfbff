/**
 * One settings table (src/core/pipeline/schema.ts): package.json's editor settings, the engine's defaults and
 * bounds, and the CLI's flags all come from it. These tests fail when one of them drifts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { configurationProperties, ENGINE_SETTINGS, SETTINGS } from '../../../src/core/pipeline/schema';
import { resolveSettings } from '../../../src/core/pipeline/options';
import { UsageError } from '../../../src/core/errors';
import { HELP } from '../../../src/cli/run';
import { DEFAULT_BUDGETS } from '../../../src/core/tokenize/format';
import { createChunker } from '../../../src/core/chunk';
import { LANGUAGES, languageOfPath } from '../../../src/core/chunk/languages';
import { languageOf } from '../../../src/core/git/languages';
import { generatedManifest } from '../../tools/manifest';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));

test('package.json contributes exactly the settings of the table and the languages of the chunker (npm run manifest:write)', () => {
  assert.deepEqual(pkg.contributes.configuration.properties, configurationProperties(), 'run `npm run manifest:write`');
  assert.deepEqual(pkg, generatedManifest(pkg), 'run `npm run manifest:write`');
  const order = Object.entries(pkg.contributes.configuration.properties as Record<string, { order: number }>).sort((a, b) => a[1].order - b[1].order);
  assert.deepEqual(
    order.slice(0, 2).map(([k]) => k),
    ['commitCorpus.tokenizer', 'commitCorpus.outputDir'],
    'tokenizer and output first',
  );
});

test("the engine's resolved settings are the table's rows, with the table's defaults", () => {
  const s = resolveSettings({ repo: '.', out: 'o' }) as unknown as Record<string, unknown>;
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'splits') continue; // not a setting of either shell (the temporal 70/15/15 split)
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of Object.entries(v)) flat[`${k}.${kk}`] = vv;
    else flat[k] = v;
  }
  for (const [k, v] of Object.entries(flat)) {
    assert.ok(ENGINE_SETTINGS.has(k), `${k} has a row in the table`);
    assert.deepEqual(v, ENGINE_SETTINGS.get(k)!.default, `${k}'s default`);
  }
  // the rows the engine does not resolve are the options of a run itself
  assert.deepEqual([...ENGINE_SETTINGS.keys()].filter((k) => !(k in flat)).sort(), ['cache', 'cacheDir', 'out', 'tokenizer']);
});

test("every bound and choice of the table is enforced by the engine, naming the CLI's flag", () => {
  for (const s of SETTINGS) {
    if (!s.option || s.max === undefined) continue;
    const over = s.option.startsWith('budgets.') ? { budgets: { [s.option.slice(8)]: s.max + 1 } } : { [s.option]: s.max + 1 };
    assert.throws(
      () => resolveSettings({ repo: '.', out: 'o', ...over }),
      (e: Error) => e instanceof UsageError && e.message.includes(`--${s.flag}`),
      s.option,
    );
  }
  for (const s of SETTINGS.filter((x) => x.enum)) {
    for (const bad of s.type === 'array' ? [['nonsense'], [`${s.enum![0]},nonsense`]] : ['nonsense'])
      assert.throws(() => resolveSettings({ repo: '.', out: 'o', [s.option!]: bad }), UsageError, s.option);
  }
});

test("the tokenizer's own budget defaults are the table's", () => {
  for (const [k, v] of Object.entries(DEFAULT_BUDGETS)) assert.equal(v, ENGINE_SETTINGS.get(`budgets.${k}`)?.default, k);
});

test('--help names every flag of the table', () => {
  for (const s of SETTINGS) if (s.flag) assert.match(HELP, new RegExp(`--${s.flag}\\b`), s.flag);
});

test("the chunker's own default chunk size is the build's", async () => {
  const chunker = await createChunker({ context: false });
  const long = `fn f() {\n${'    let x = 1;\n'.repeat(400)}}\n`;
  const max = ENGINE_SETTINGS.get('maxChunkChars')!.default as number;
  const chunks = await chunker.chunkCommit(
    {
      commit: {
        hash: 'a'.repeat(40),
        parents: [],
        author: { name: 'a', email: '', timestamp: 0, timezoneOffset: 0 },
        committer: { name: 'a', email: '', timestamp: 0, timezoneOffset: 0 },
        subject: 's',
        body: '',
        isMerge: false,
      },
      files: [{ path: 'a.rs', change: 'added', language: 'rust', oldText: null, newText: long, newOid: 'b'.repeat(40), newMode: '100644' }],
    },
    { listTree: async () => [], readBlob: async () => new Uint8Array(), readText: async () => null },
  );
  chunker.dispose();
  assert.ok(chunks.length > 1, 'a long function is split');
  assert.ok(chunks.every((c) => c.newCode.length <= max) && chunks.some((c) => c.newCode.length > 4000), `parts up to ${max} characters`);
});

test('the history engine names each file of a chunker language as the chunker does', () => {
  for (const l of LANGUAGES) {
    for (const ext of l.extensions) {
      assert.equal(languageOf(`src/a.${ext}`), l.id, ext);
      assert.equal(languageOfPath(`src/a.${ext}`), l.id, ext);
    }
  }
});

test('every engine setting says what it changes, and so which cache it keys', () => {
  for (const s of SETTINGS) assert.equal(!!s.option, !!s.stage, `${s.option ?? s.flag ?? s.setting}: an engine setting has a stage, a shell's own has none`);
});
