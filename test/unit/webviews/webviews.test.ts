/** The vscode-free parts of the webviews: protocol validation, overviewFromOutput on a real build, token payloads, the .ccx grammar. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { runPipeline } from '../../../src/core/pipeline';
import { loadTokenizer, MARKERS } from '../../../src/core/tokenize';
import { monthlySeries, NotADatasetError, overviewFromOutput } from '../../../src/worker/overview';
import { readRows } from '../../../src/core/dataset/rows';
import { tokenViewFromIds, tokenViewFromText } from '../../../src/worker/payloads';
import { parsePageMessage, parsePageState } from '../../../src/webview/protocol';

describe('webview protocol', () => {
  it('accepts well-formed page messages and rejects the rest', () => {
    assert.deepEqual(parsePageMessage({ type: 'openFile', path: 'src/a.rs', commit: 'abc', line: 3 }), { type: 'openFile', path: 'src/a.rs', commit: 'abc', line: 3 });
    assert.equal(parsePageMessage({ type: 'openFile', path: 'src/a.rs', commit: 'abc', line: 0 }), undefined);
    assert.equal(parsePageMessage({ type: 'openFile', path: 1, commit: 'abc' }), undefined);
    assert.equal(parsePageMessage({ type: 'rendered', view: 'nope', counts: {}, text: '', foreignElements: 0 }), undefined);
    assert.equal(parsePageMessage({ type: 'copy' }), undefined);
    assert.equal(parsePageMessage('ready'), undefined);
    assert.equal(parsePageMessage({ type: 'eval', code: 'x' }), undefined);
    assert.deepEqual(parsePageMessage({ type: 'ready' }), { type: 'ready' });
    assert.equal(parsePageState({ view: 'tokens' }), undefined);
    assert.deepEqual(parsePageState({ view: 'overview', payload: { a: 1 }, whitespace: 'yes' }), { view: 'overview', payload: { a: 1 }, whitespace: false });
  });
});

describe('overviewFromOutput', () => {
  let repo: FixtureRepo;
  let out: string;
  before(async () => {
    repo = FixtureRepo.create('cc-overview-');
    repo.write('src/lib.rs', 'pub fn a() -> u32 {\n    1\n}\n');
    repo.commit('Add a', { date: '2024-01-15T10:00:00Z' });
    repo.write('src/lib.rs', 'pub fn a() -> u32 {\n    2\n}\n\npub fn b() {}\n');
    repo.write('assets/logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]));
    repo.commit('Change a, add b', { date: '2024-04-02T10:00:00Z' });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-overview-out-'));
    await runPipeline({ repo: repo.dir, out, cache: false });
  });
  after(() => {
    repo.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('reads commits per month (gaps filled), splits, token lengths, languages, kinds, skips', async () => {
    const p = await overviewFromOutput(out);
    assert.deepEqual(p.commitsOverTime, [
      { month: '2024-01', commits: 1 },
      { month: '2024-02', commits: 0 },
      { month: '2024-03', commits: 0 },
      { month: '2024-04', commits: 1 },
    ]);
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'dataset', 'stats.json'), 'utf8'));
    assert.deepEqual(p.examplesPerSplit, stats.examples);
    const rows = (await Promise.all(['train', 'val', 'test'].map((s) => readRows(out, s)))).flat();
    assert.deepEqual(
      p.tokenLengths,
      rows.map((r) => (r.prompt_tokens as number) + (r.completion_tokens as number)),
    );
    assert.equal(p.languages.rust, stats.languages.rust);
    assert.deepEqual(p.kinds, stats.kinds);
    assert.equal(p.skips.binary, 1);
    assert.equal(p.duplicates?.exact, 0);
  });

  it('says clearly when a folder is not a dataset', async () => {
    await assert.rejects(overviewFromOutput(repo.dir), (e: unknown) => e instanceof NotADatasetError && /manifest\.json is missing/.test(e.message));
  });

  it('fills months across a year boundary', () => {
    const t = (iso: string) => Date.parse(iso) / 1000;
    assert.deepEqual(
      monthlySeries([t('2023-11-30T23:00:00Z'), t('2024-01-01T00:00:00Z')]).map((m) => m.month),
      ['2023-11', '2023-12', '2024-01'],
    );
    assert.deepEqual(monthlySeries([]), []);
  });
});

describe('token payloads', () => {
  const tok = loadTokenizer();
  const markers = tok.withMarkers();

  it('from text: spans cover the text exactly, byte ranges add up, split characters stay whole', () => {
    const text = 'fn main() {\n\tprintln!("Zoë 🚀");\n}\n';
    const p = tokenViewFromText(tok, text, { title: 't' });
    assert.equal(p.tokens.map((t) => t.text).join(''), text);
    assert.equal(p.chars, text.length);
    for (let i = 1; i < p.tokens.length; i++) {
      assert.equal(p.tokens[i].start, p.tokens[i - 1].end);
      assert.equal(p.tokens[i].byteStart, p.tokens[i - 1].byteEnd);
    }
    assert.equal(p.tokens[p.tokens.length - 1].byteEnd, Buffer.byteLength(text));
    assert.ok(p.tokens.some((t) => t.text.includes('🚀')));
  });

  it('from ids: markers are special, texts concatenate to the decoded text', () => {
    const body = tok.encode('pub fn héllo() {}').ids;
    const ids = [markers['<NEW_CODE_START>'], ...body, markers['<NEW_CODE_END>']];
    const p = tokenViewFromIds(tok, ids, { title: 't', sections: [{ name: 'new', start: 0, end: ids.length, used: body.length, budget: 2048, truncated: false }] });
    assert.equal(p.tokens.map((t) => t.text).join(''), '<NEW_CODE_START>pub fn héllo() {}<NEW_CODE_END>');
    assert.deepEqual(
      p.tokens.map((t) => t.special),
      ids.map((_, i) => i === 0 || i === ids.length - 1),
    );
    assert.deepEqual(p.sections, [{ name: 'new', startToken: 0, endToken: ids.length, used: body.length, budget: 2048, truncated: false }]);
  });
});

describe('commit-corpus-example grammar', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', 'commit-corpus-example.tmLanguage.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

  it('colours every structure marker', () => {
    const res = [grammar.repository.truncated.match, ...grammar.repository.markers.patterns.map((p: { match?: string }) => p.match).filter(Boolean)].map((m: string) => new RegExp(`^(?:${m})$`));
    for (const m of MARKERS)
      assert.ok(
        res.some((re) => re.test(m)),
        `${m} is matched`,
      );
    assert.ok(!res.some((re) => re.test('<NOT_A_MARKER>')));
  });

  it('is contributed for the commit-corpus-example language (.ccx)', () => {
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'commit-corpus-example');
    assert.deepEqual(lang.extensions, ['.ccx']);
    const g = pkg.contributes.grammars.find((x: { language: string }) => x.language === 'commit-corpus-example');
    assert.equal(g.scopeName, grammar.scopeName);
    assert.ok(fs.existsSync(path.join(root, g.path)) && fs.existsSync(path.join(root, lang.configuration)));
    for (const v of ['tokenBoundaries', 'chunkContext', 'overview']) assert.ok(pkg.activationEvents.includes(`onWebviewPanel:commitCorpus.${v}`));
  });
});
