/**
 * Runs inside the VS Code extension host, on the fixture workspace made by test/vscode/workspace.ts
 * (a small Rust repository). Drives the extension through its commands and reads what it did
 * through its exported API (tree items, hover timings, webview handles).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuildOutcome } from '../../src/extension/buildCommand';
import type { CommitCorpusApi } from '../../src/extension/extension';
import type { CommitsNode } from '../../src/extension/commitsView';
import type { WebviewHandle } from '../../src/extension/webviews';

const EXTENSION_ID = 'commit-corpus.commit-corpus';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has a workspace folder');
  return folder.uri.fsPath;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspaceDir(), encoding: 'utf8' }).trim();
}

async function waitFor<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

const cfg = () => vscode.workspace.getConfiguration('commitCorpus');

/**
 * Test aids are no registered settings (configuration updates refuse them): written into the workspace's
 * .vscode/settings.json beside the others, then awaited until the configuration has them (null: removed).
 */
async function testAids(values: Record<string, unknown> | null): Promise<void> {
  const file = path.join(workspaceDir(), '.vscode', 'settings.json');
  const now = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  for (const k of Object.keys(now)) if (k.startsWith('commitCorpus.debug.')) delete now[k];
  Object.assign(now, values ?? {});
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(now, null, 2));
  const ms = values?.['commitCorpus.debug.delayPerEventMs'];
  await waitFor('the test aids in the configuration', () => cfg().get('debug.delayPerEventMs') === ms, 10_000);
}

describe('Commit Corpus extension', () => {
  let api: CommitCorpusApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<CommitCorpusApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    api = await ext.activate();
  });

  after(async () => {
    // Leave no panels behind for the next suite.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('contributes its commands and settings with defaults', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'buildDataset',
      'rebuild',
      'exportDataset',
      'showTokenBoundaries',
      'showChunkContext',
      'selectTokenizer',
      'showOverview',
      'copyExampleJson',
      'showDatasetInExplorer',
      'openDatasetCard',
    ]) {
      assert.ok(all.includes(`commitCorpus.${id}`), id);
    }
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: Array<{ command: string; title: string; category: string }> } };
    const cmd = pkg.contributes.commands.find((c) => c.command === 'commitCorpus.buildDataset');
    assert.equal(cmd?.title, 'Build training dataset');
    assert.equal(cmd?.category, 'Commit Corpus');
    assert.equal(cfg().get('workers'), 2);
    assert.equal(cfg().get('mode'), 'commit');
    assert.equal(cfg().get('format'), 'seed');
    assert.equal(cfg().get('hover.enabled'), true);
    assert.deepEqual(cfg().get('exclude'), []);
  });

  it('shows the history before any build, with a "Build training dataset" item first', async () => {
    const roots = await api.tree.children();
    assert.equal(roots[0].type, 'action');
    assert.equal(api.tree.item(roots[0]).command?.command, 'commitCorpus.buildDataset');
    const commits = roots.filter((n) => n.type === 'commit');
    assert.deepEqual(
      commits.map((n) => api.tree.item(n).label),
      git('log', '--format=%s').split('\n'),
    );
    assert.match(String(api.tree.item(commits[0]).description), new RegExp(`^${git('rev-parse', '--short=8', 'HEAD')} · \\d{4}-\\d\\d-\\d\\d$`));
  });

  it('runs "Build training dataset" in a worker and writes the dataset', async () => {
    const expected = Number(git('rev-list', '--count', 'HEAD'));
    const outcome = (await vscode.commands.executeCommand('commitCorpus.buildDataset')) as BuildOutcome;
    assert.equal(outcome.status, 'built', JSON.stringify(outcome));
    if (outcome.status !== 'built') return;
    assert.equal(outcome.summary.commits.total, expected);
    assert.equal(outcome.summary.head, git('rev-parse', 'HEAD'));
    const out = path.join(workspaceDir(), 'commit-corpus-out');
    assert.equal(outcome.summary.outDir, out);
    for (const f of ['manifest.json', 'chunks.jsonl', 'commits.jsonl']) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.ok(outcome.summary.chunks > 0);
    assert.match(outcome.message, /dataset built: 3 commits, \d+ chunks, \d+ examples in commit-corpus-out/);
    assert.ok(api.workers.live() >= 1 && api.workers.live() <= 2, `live workers: ${api.workers.live()}`);
    assert.equal(api.lastBuild()?.head, outcome.summary.head);
    assert.match(api.statusBar().text, /\$\(database\) 3 commits · \d+ examples? · just now/);
    assert.equal(api.statusBar().command, 'commitCorpus.showOverview');
  });

  it('shows commit → changed files → chunks in the Commits view after the build', async () => {
    const roots = await api.tree.children();
    assert.equal(roots[0].type, 'commit', 'no build action once built');
    const counter = roots.find((n) => n.type === 'commit' && n.commit.subject === 'Add a counter')!;
    assert.match(String(api.tree.item(counter).description), / · \d+ chunks?$/);
    const files = await api.tree.children(counter);
    const byPath = new Map(files.map((f) => [f.type === 'file' ? f.file.path : '', f]));
    const added = byPath.get('src/counter.rs')!;
    const modified = byPath.get('src/lib.rs')!;
    assert.ok(added && modified, [...byPath.keys()].join(', '));
    const addedIcon = api.tree.item(added).iconPath as vscode.ThemeIcon;
    assert.equal(addedIcon.id, 'diff-added');
    assert.equal(addedIcon.color?.id, 'gitDecoration.addedResourceForeground');
    assert.equal((api.tree.item(modified).iconPath as vscode.ThemeIcon).color?.id, 'gitDecoration.modifiedResourceForeground');
    assert.equal(api.tree.item(added).command?.command, 'commitCorpus.openFileDiff');
    const chunks = await api.tree.children(added);
    const names = chunks.map((c) => String(api.tree.item(c).label));
    assert.ok(
      names.some((n) => n.includes('Counter')),
      names.join(', '),
    );
    const item = api.tree.item(chunks[0]);
    assert.match(String(item.description), /· \d+ tokens$/);
    assert.equal(item.contextValue, 'chunk');
    assert.equal(item.command?.command, 'commitCorpus.showChunkContext');
  });

  it('serves both sides of a file diff through the commit-corpus: scheme', async () => {
    const roots = await api.tree.children();
    const greet = roots.find((n) => n.type === 'commit' && n.commit.subject === 'Greet by name')!;
    const file = (await api.tree.children(greet)).find((f) => f.type === 'file' && f.file.path === 'src/lib.rs') as Extract<CommitsNode, { type: 'file' }>;
    await vscode.commands.executeCommand('commitCorpus.openFileDiff', file);
    const docs = await waitFor('both sides open', () => {
      const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'commit-corpus' && d.uri.path === '/src/lib.rs');
      return open.length >= 2 ? open : undefined;
    });
    const texts = docs.map((d) => d.getText());
    assert.ok(
      texts.some((t) => t.includes('pub fn greet() -> String')),
      'old side',
    );
    assert.ok(
      texts.some((t) => t.includes('pub fn greet(name: &str) -> String')),
      'new side',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('answers hovers from the worker: unit, tokens, context; warm hovers are fast', async () => {
    const file = path.join(workspaceDir(), 'src', 'tick.rs');
    fs.writeFileSync(file, 'use crate::counter::Counter;\n\npub fn tick(c: &mut Counter) -> u64 {\n    c.bump();\n    1\n}\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const pos = new vscode.Position(2, 8); // inside `tick`
    const t0 = performance.now();
    const cold = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos)) as vscode.Hover[];
    const coldMs = performance.now() - t0;
    const text = hoverText(cold);
    assert.match(text, /`fn` \*\*tick\*\*/);
    assert.match(text, /\d+ tokens of a 2048-token budget/);
    assert.match(text, /⟦pub⟧⟦ fn⟧⟦ tick⟧/);
    assert.match(
      text,
      /- #\d `struct` Counter — \[src\/counter\\\.rs\]\(command:commitCorpus\.openContextItem[^)]*\) · defined elsewhere in the repository at this commit · (?:called or named in the code|named as a type) · \d+ tokens/,
    );
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const again = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 6))) as vscode.Hover[];
      warm.push(performance.now() - t);
      assert.match(hoverText(again), /\*\*tick\*\*/);
    }
    warm.sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)];
    console.log(`hover: cold ${coldMs.toFixed(1)} ms, warm median ${median.toFixed(1)} ms, max ${warm[warm.length - 1].toFixed(1)} ms (provider ${api.hover.lastMs().toFixed(1)} ms)`);
    assert.ok(median < 500, `warm hover median ${median} ms`);

    await cfg().update('hover.enabled', false, vscode.ConfigurationTarget.Workspace);
    try {
      const off = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos)) as vscode.Hover[];
      assert.doesNotMatch(hoverText(off), /Commit Corpus/);
    } finally {
      await cfg().update('hover.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('"Show token boundaries" draws the unit at the cursor, and a chunk\'s serialized example', async () => {
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(3, 4, 3, 4);
    const h = (await vscode.commands.executeCommand('commitCorpus.showTokenBoundaries')) as { received: Array<{ type: string; view?: string; counts?: Record<string, number>; text?: string }> };
    const r = h.received.filter((m) => m.type === 'rendered').pop()!;
    assert.equal(r.view, 'tokens');
    assert.ok((r.counts?.tokens ?? 0) > 10, JSON.stringify(r.counts));
    assert.match(r.text ?? '', /fn tick/);

    const roots = await api.tree.children();
    const counter = roots.find((n) => n.type === 'commit' && n.commit.subject === 'Add a counter')!;
    const file = (await api.tree.children(counter)).find((f) => f.type === 'file' && f.file.path === 'src/counter.rs')!;
    const chunk = (await api.tree.children(file))[0];
    const h2 = (await vscode.commands.executeCommand('commitCorpus.showTokenBoundaries', chunk)) as typeof h;
    const r2 = h2.received.filter((m) => m.type === 'rendered').pop()!;
    assert.ok((r2.counts?.specials ?? 0) > 0, `structure markers drawn: ${JSON.stringify(r2.counts)}`);
    assert.ok((r2.counts?.sections ?? 0) > 0, JSON.stringify(r2.counts));
  });

  it("the hover's Show tokens / Show context links act on the hovered unit, with the cursor elsewhere", async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(workspaceDir(), 'src', 'tick.rs')));
    editor.selection = new vscode.Selection(0, 0, 0, 0); // the cursor on the `use` line
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(2, 8))) as vscode.Hover[];
    const md = hoverText(hovers);
    const link = (cmd: string) => {
      const m = new RegExp(`\\(command:${cmd.replace('.', '\\.')}\\?([^)]*)\\)`).exec(md);
      assert.ok(m, `${cmd} link in ${md}`);
      return JSON.parse(decodeURIComponent(m[1])) as unknown[];
    };
    const tokens = (await vscode.commands.executeCommand('commitCorpus.showTokenBoundaries', ...link('commitCorpus.showTokenBoundaries'))) as WebviewHandle;
    const r = await waitFor('the hovered unit drawn', () => (/tick/.test(tokens.lastRendered()?.text ?? '') ? tokens.lastRendered() : undefined), 5000).catch(() => tokens.lastRendered());
    assert.match(r?.text ?? '', /fn tick/);
    assert.doesNotMatch(r?.text ?? '', /^use crate/m, 'not the unit at the cursor');
    const ctx = (await vscode.commands.executeCommand('commitCorpus.showChunkContext', ...link('commitCorpus.showChunkContext'))) as WebviewHandle;
    const r2 = await waitFor('the hovered chunk drawn', () => (/tick/.test(ctx.lastRendered()?.text ?? '') ? ctx.lastRendered() : undefined), 5000);
    assert.match(r2.text ?? '', /fn tick/);
  });

  it('"Show cross-file context" opens the context view for a chunk and for the cursor', async () => {
    const roots = await api.tree.children();
    const greet = roots.find((n) => n.type === 'commit' && n.commit.subject === 'Greet by name')!;
    const file = (await api.tree.children(greet)).find((f) => f.type === 'file' && f.file.path === 'src/lib.rs')!;
    const chunk = (await api.tree.children(file)).find((c) => c.type === 'chunk' && c.chunk.qualifiedName === 'greet')!;
    assert.ok(chunk, 'greet chunk');
    const h = (await vscode.commands.executeCommand('commitCorpus.showChunkContext', chunk)) as { received: Array<{ type: string; view?: string; text?: string }> };
    const r = h.received.filter((m) => m.type === 'rendered').pop()!;
    assert.equal(r.view, 'context');
    assert.match(r.text ?? '', /greet/);
    assert.match(r.text ?? '', /Greet by name/);

    // The panel is hidden behind the editor (its page reloads when shown again): the new payload must not be lost.
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceDir(), 'src', 'tick.rs'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(3, 4, 3, 4);
    const h2 = (await vscode.commands.executeCommand('commitCorpus.showChunkContext')) as WebviewHandle | undefined;
    assert.ok(h2, 'a context view for the cursor');
    const r2 = await waitFor('the cursor chunk drawn', () => (/tick/.test(h2.lastRendered()?.text ?? '') ? h2.lastRendered() : undefined), 5000).catch(() => h2.lastRendered());
    assert.match(r2?.text ?? '', /fn tick/, `${JSON.stringify(h2.received.map((m) => m.type))}: ${h2.lastRendered()?.text}`);
    assert.match(r2?.text ?? '', /Counter/);
  });

  it("copies a chunk's example as JSON and opens it as a .ccx document", async () => {
    const roots = await api.tree.children();
    const counter = roots.find((n) => n.type === 'commit' && n.commit.subject === 'Add a counter')!;
    const file = (await api.tree.children(counter)).find((f) => f.type === 'file' && f.file.path === 'src/counter.rs')!;
    const chunk = (await api.tree.children(file))[0] as Extract<CommitsNode, { type: 'chunk' }>;
    await vscode.commands.executeCommand('commitCorpus.copyExampleJson', chunk);
    const json = JSON.parse(await vscode.env.clipboard.readText()) as { chunk_id: string; text: string; input_ids: number[]; format: string };
    assert.equal(json.chunk_id, chunk.chunk.id);
    assert.equal(json.format, 'seed');
    assert.ok(json.input_ids.length > 0 && json.text.length > 0);
    const editor = (await vscode.commands.executeCommand('commitCorpus.openExample', chunk)) as vscode.TextEditor;
    assert.equal(editor.document.languageId, 'commit-corpus-example');
    assert.equal(editor.document.getText(), json.text);
    // named after its unit and commit, not "Untitled-1"
    assert.equal(path.posix.basename(editor.document.uri.path), `${chunk.chunk.qualifiedName} · ${chunk.commit.hash.slice(0, 8)}.ccx`);
    assert.equal(editor.document.isUntitled, false);
  });

  it('"Show overview" opens the overview of the last build', async () => {
    const h = (await vscode.commands.executeCommand('commitCorpus.showOverview')) as { received: Array<{ type: string; view?: string }> };
    assert.ok(h.received.some((m) => m.type === 'rendered' && m.view === 'overview'));
  });

  it('"Select tokenizer…" writes the setting (bundled = empty) and refuses a missing file', async () => {
    assert.equal(await vscode.commands.executeCommand('commitCorpus.selectTokenizer', ''), '');
    assert.equal(cfg().get('tokenizer'), '');
    const bad = await vscode.commands.executeCommand('commitCorpus.selectTokenizer', '/nonexistent/tokenizer.json');
    assert.equal(bad, undefined);
    assert.equal(cfg().get('tokenizer'), '');
  });

  it('"Export dataset…" writes the chosen layout and format into the chosen folder', async () => {
    const out = path.join(workspaceDir(), '.export-test');
    const outcome = (await vscode.commands.executeCommand('commitCorpus.exportDataset', { outDir: out, layout: 'default', format: 'plain' })) as BuildOutcome;
    assert.equal(outcome.status, 'built', JSON.stringify(outcome));
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { settings: { format: string } };
    assert.equal(manifest.settings.format, 'plain');
    fs.rmSync(out, { recursive: true, force: true });
  });

  // the cancel path of the CLI (runPipelineInThread) in every phase: the pipeline thread sleeps at each progress
  // event of that phase (a test aid, not in the shipped bundles), the build is cancelled as the phase starts
  for (const phase of ['history', 'chunks', 'tokens', 'examples', 'write'] as const) {
    it(`cancels a build in its ${phase} phase within a second or two and leaves no dataset folder`, async () => {
      await cfg().update('outputDir', 'cancelled-out', vscode.ConfigurationTarget.Workspace);
      await cfg().update('cache', false, vscode.ConfigurationTarget.Workspace);
      await testAids({ 'commitCorpus.debug.delayPerEventMs': 4000, 'commitCorpus.debug.delayPhase': phase });
      const out = path.join(workspaceDir(), 'cancelled-out');
      try {
        const running = vscode.commands.executeCommand('commitCorpus.buildDataset') as Thenable<BuildOutcome>;
        await waitFor(`the ${phase} phase`, () => api.buildProgress()?.phase === phase, 60_000);
        const t0 = performance.now();
        api.cancelBuild();
        const outcome = await running;
        const ms = performance.now() - t0;
        console.log(`cancel in ${phase}: build stopped ${ms.toFixed(0)} ms after Cancel`);
        assert.equal(outcome.status, 'cancelled');
        assert.ok(ms < 2500, `stopped after ${ms} ms`);
        assert.equal(fs.existsSync(out), false, 'no dataset folder');
        assert.deepEqual(
          fs.readdirSync(workspaceDir()).filter((n) => n.includes('cancelled-out')),
          [],
          'no temporary folder',
        );
      } finally {
        await cfg().update('outputDir', undefined, vscode.ConfigurationTarget.Workspace);
        await cfg().update('cache', undefined, vscode.ConfigurationTarget.Workspace);
        await testAids(null);
      }
    });
  }

  it('reports a crashed worker and restarts one for the next request', async () => {
    // every live worker crashed (a cancelled build no longer costs a worker, so several may be alive): the next
    // request has to start a new one
    for (let i = 0; i < 16 && (i === 0 || api.workers.live() > 0); i++) {
      await assert.rejects(api.workers.crashOne(), (err: Error) => err.name === 'WorkerCrashedError' && /deliberate crash/.test(err.message));
    }
    assert.equal(api.workers.live(), 0);
    const started = api.workers.started();
    const roots = await api.tree.children();
    assert.ok(roots.length > 0);
    const outcome = (await vscode.commands.executeCommand('commitCorpus.rebuild')) as BuildOutcome;
    assert.equal(outcome.status, 'built');
    assert.ok(api.workers.started() > started);
  });

  it('counts a new commit on "Rebuild (incremental)"', async () => {
    const before = api.lastBuild()?.commits ?? 0;
    fs.rmSync(path.join(workspaceDir(), 'src', 'tick.rs'), { force: true });
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'Empty commit from the test'], { cwd: workspaceDir() });
    const outcome = (await vscode.commands.executeCommand('commitCorpus.rebuild')) as BuildOutcome;
    assert.equal(outcome.status, 'built', JSON.stringify(outcome));
    if (outcome.status === 'built') assert.equal(outcome.summary.commits.total, before + 1);
    const roots = await api.tree.children();
    assert.equal(api.tree.item(roots[0]).label, 'Empty commit from the test');
  });
});
