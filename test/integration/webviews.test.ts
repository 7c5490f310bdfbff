/**
 * The three webview panels inside the extension host: payloads come from a real build (the CLI)
 * of a fixture Rust repository whose last commit message is hostile HTML; each panel must report
 * back (`rendered`) what it drew, with the hostile text as text and no smuggled elements.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FixtureRepo } from '../fixtures/repo';
import { loadTokenizer, MARKERS, serializeExample } from '../../src/core/tokenize';
import type { ChunkRecord, CommitInfo } from '../../src/core/types';
import {
  EXAMPLE_LANGUAGE,
  openExampleDocument,
  openFileAtCommit,
  restorePanel,
  showChunkContext,
  showOverview,
  showTokenBoundaries,
  VIEW_TYPES,
  type WebviewHandle,
} from '../../src/extension/webviews';
import type { RenderedMessage } from '../../src/webview/protocol';
import { overviewFromOutput } from '../../src/worker/overview';
import { tokenViewFromIds, tokenViewFromText } from '../../src/worker/payloads';

const HOSTILE = '<img src=x onerror=alert(1)>';

function rendered(h: WebviewHandle): RenderedMessage {
  const r = h.lastRendered();
  assert.ok(r, 'the page reported a render');
  return r;
}

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Commit Corpus webviews', () => {
  let repo: FixtureRepo;
  let out: string;
  let chunks: ChunkRecord[];
  let head: string;

  before(async function () {
    this.timeout(120_000);
    repo = FixtureRepo.create('cc-webviews-');
    repo.write('src/lib.rs', 'pub fn greet() -> String {\n    "hello".to_string()\n}\n');
    repo.commit('Add a greeting library');
    repo.write('src/counter.rs', 'pub struct Counter {\n    n: u64,\n}\n\nimpl Counter {\n    pub fn bump(&mut self) {\n        self.n += 1;\n    }\n}\n');
    repo.commit('Add a counter');
    repo.write('src/lib.rs', 'pub mod counter;\nuse crate::counter::Counter;\n\npub fn greet(c: &mut Counter) -> String {\n    c.bump();\n    "héllo → wörld".to_string()\n}\n');
    head = repo.commit(HOSTILE);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-webviews-out-'));
    // The real build, through the bundled CLI (the same engine the extension runs).
    const ext = vscode.extensions.getExtension('commit-corpus.commit-corpus');
    assert.ok(ext);
    execFileSync(process.execPath, [path.join(ext.extensionPath, 'dist', 'cli.js'), 'build', repo.dir, '--out', out], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    chunks = fs
      .readFileSync(path.join(out, 'chunks.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChunkRecord);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    repo?.dispose();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('Overview: draws every chart of a real build and reports its counts', async () => {
    const payload = await overviewFromOutput(out);
    assert.deepEqual(payload.examplesPerSplit.train + payload.examplesPerSplit.val + payload.examplesPerSplit.test > 0, true);
    const h = showOverview(payload);
    await h.ready;
    assert.equal(h.received[0].type, 'ready');
    const r = rendered(h);
    assert.equal(r.view, 'overview');
    assert.equal(r.counts.charts, 8);
    assert.equal(r.counts.commits, 3);
    assert.equal(r.counts.tokenLengths, payload.tokenLengths.length);
    assert.ok(r.counts.bars >= payload.commitsOverTime.length + 3, `bars: ${r.counts.bars}`);
    for (const s of ['Commits over time', 'Examples per split', 'Token length per example', 'Chunks by language', 'Chunks by kind', 'rust', 'fn', out])
      assert.ok(r.text.includes(s), `overview shows ${s}`);
    assert.equal(r.foreignElements, 0);
    assert.equal(h.panel.viewType, VIEW_TYPES.overview);
  });

  it('Token boundaries: one span per token of a serialized example, markers special, sections with budgets, hostile message as text', async () => {
    const tok = loadTokenizer();
    tok.withMarkers();
    const mine = chunks.filter((c) => c.commit === head);
    assert.ok(mine.length >= 2);
    const commit: CommitInfo = {
      hash: head,
      parents: [],
      author: { name: 'Fixture Author', email: 'a@example.com', timestamp: 0, timezoneOffset: 0 },
      committer: { name: 'Fixture Author', email: 'a@example.com', timestamp: 0, timezoneOffset: 0 },
      subject: HOSTILE,
      body: '',
      isMerge: false,
    };
    const ex = serializeExample(tok, { commit, chunks: mine }, 'seed');
    const ids = [...ex.contextIds, ...ex.targetIds];
    const payload = tokenViewFromIds(tok, ids, { title: `example ${head.slice(0, 8)}`, sections: ex.sections });
    assert.equal(payload.tokens.map((t) => t.text).join(''), ex.text, 'token texts concatenate to the example');
    const markerIds = new Set(Object.values(tok.withMarkers()));
    const h = showTokenBoundaries(payload);
    await h.ready;
    const r = rendered(h);
    assert.equal(r.view, 'tokens');
    assert.equal(r.counts.tokens, ids.length);
    assert.equal(r.counts.specials, ids.filter((i) => markerIds.has(i)).length);
    assert.equal(r.counts.sections, ex.sections.filter((s) => s.end > s.start).length);
    assert.equal(r.counts.chars, ex.text.length);
    assert.ok(r.text.includes(HOSTILE), 'the commit message is rendered as text');
    assert.ok(r.text.includes('<COMMIT_START>') && r.text.includes('<NEW_CODE_END>'));
    assert.ok(r.text.includes('héllo → wörld'), 'multi-byte characters survive');
    assert.ok(r.text.includes('10 / 64') || r.text.includes(' / 64'), 'message section shows used / budget');
    assert.equal(r.foreignElements, 0);
    assert.equal(r.whitespace, false);

    // The whitespace toggle: the page redraws with visible ·, →, ↵ and keeps the state.
    await h.panel.webview.postMessage({ type: 'setWhitespace', show: true });
    const ws = await waitFor('a whitespace render', () => (h.lastRendered()?.whitespace ? h.lastRendered() : undefined));
    assert.ok(ws.text.includes('·') && ws.text.includes('↵'));
    assert.equal(ws.counts.tokens, ids.length);
  });

  it('Token boundaries: the same panel shows selected text with exact offsets', async () => {
    const tok = loadTokenizer();
    const text = 'fn main() {\n\tprintln!("Zoë 🚀");\n}\n';
    const payload = tokenViewFromText(tok, text, { title: 'selection' });
    assert.equal(payload.tokens.map((t) => t.text).join(''), text);
    assert.equal(payload.tokens[payload.tokens.length - 1].byteEnd, Buffer.byteLength(text));
    const first = showTokenBoundaries(payload);
    await first.ready;
    const r = rendered(first);
    assert.equal(r.counts.tokens, payload.tokens.length);
    assert.equal(r.counts.bytes, Buffer.byteLength(text));
    assert.equal(r.counts.sections, 0);
    assert.equal(r.whitespace, true, 'the panel keeps its whitespace toggle for the next payload');
    assert.ok(r.text.includes('Zoë·🚀'), 'the space is drawn as ·, the emoji whole');
    assert.equal(
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPES.tokens)).length,
      1,
      'one Token boundaries panel, reused',
    );
  });

  it('Cross-file context: old and new code, each context item with kind, symbol, file, reason and cost', async () => {
    const chunk = chunks.find((c) => c.commit === head && c.qualifiedName === 'greet');
    assert.ok(chunk, 'the modified greet chunk');
    assert.ok(chunk.context.length >= 2, 'greet has cross-file context');
    const h = showChunkContext({
      chunk,
      commit: { hash: head, subject: HOSTILE, author: 'Fixture Author', date: new Date().toISOString() },
      contextTokens: chunk.context.map((c) => c.tokens ?? 0),
      oldTokens: 15,
      newTokens: 27,
      repoDir: repo.dir,
    });
    await h.ready;
    const r = rendered(h);
    assert.equal(r.view, 'context');
    assert.equal(r.counts.contextItems, chunk.context.length);
    assert.equal(r.counts.links, chunk.context.length + 1);
    assert.equal(
      r.counts.contextTokens,
      chunk.context.reduce((a, c) => a + (c.tokens ?? 0), 0),
    );
    assert.equal(r.counts.oldLines, chunk.oldCode.split('\n').length);
    assert.equal(r.counts.newLines, chunk.newCode.split('\n').length);
    assert.ok(r.text.includes(HOSTILE));
    for (const c of chunk.context) assert.ok(r.text.includes(c.symbol) && r.text.includes(c.path), `shows ${c.symbol} from ${c.path}`);
    assert.ok(r.text.includes('imported by this file') || r.text.includes('changed in the same commit'));
    // each item's rank within the budget, in order
    for (let i = 1; i <= chunk.context.length; i++) assert.ok(r.text.includes(`#${i}`), `rank #${i} shown`);
    assert.ok(r.text.includes('"héllo → wörld".to_string()'));
    assert.equal(r.foreignElements, 0);
  });

  it('openFile: opens the file at the commit (or the working-tree file) at the snippet, refuses paths outside the repository', async () => {
    const opened = await openFileAtCommit(repo.dir, { type: 'openFile', path: 'src/counter.rs', commit: head, search: 'impl Counter {\n    pub fn bump' });
    assert.equal(opened.line, 5);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.selection.active.line, 4);
    assert.match(editor.document.lineAt(4).text, /^impl Counter/);
    await assert.rejects(openFileAtCommit(repo.dir, { type: 'openFile', path: '../../etc/passwd', commit: head }), /outside the repository/);
  });

  it('restores a panel from its saved state (the serializer path after a reload)', async () => {
    const payload = await overviewFromOutput(out);
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES.overview, 'Dataset overview', vscode.ViewColumn.Active, {});
    const h = restorePanel('overview', panel, { view: 'overview', payload, whitespace: false });
    await h.ready;
    assert.equal(rendered(h).counts.charts, 8);
    assert.equal(rendered(h).counts.commits, 3);
  });

  it('opens a serialized example as a commit-corpus-example document', async () => {
    const line = fs.readFileSync(path.join(out, 'prompt_completion', 'train.jsonl'), 'utf8').split('\n')[0];
    const row = JSON.parse(line) as { prompt: string; completion: string };
    const example = row.prompt + row.completion;
    const editor = await openExampleDocument(example);
    assert.equal(editor.document.languageId, EXAMPLE_LANGUAGE);
    assert.equal(editor.document.getText(), example);
    assert.ok(MARKERS.some((m) => example.includes(m)));
  });
});
