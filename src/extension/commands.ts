/**
 * The commands besides the build: token boundaries, cross-file context, example document and JSON,
 * tokenizer selection, export, overview, and the Commits view's own commands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyDataset } from '../core/dataset/output';
import * as vscode from 'vscode';
import type { ChunkRecord, CommitInfo } from '../core/types';
import type { ContextViewPayload, TokenViewPayload } from '../webview/protocol';
import { analyzeAt } from './analysis';
import { pickFolder, type BuildOutcome, type BuildRunner } from './buildCommand';
import { CommitsProvider, type CommitsNode } from './commitsView';
import { Disposable } from './disposable';
import { reportError } from './errors';
import { SECTION, tokenizerPath } from './settings';
import type { PersistentState } from './state';
import { openExampleDocument, openFileAtCommit, showChunkContext, showOverview, showTokenBoundaries, type WebviewHandle } from './webviews';
import type { WorkerPool } from './workerPool';
import { FORMATS } from '../core/pipeline/schema';

type ChunkNode = Extract<CommitsNode, { type: 'chunk' }>;

type Format = (typeof FORMATS)[number];

/** What the commands last did, for the integration tests. */
export interface CommandTrace {
  tokens?: WebviewHandle;
  context?: WebviewHandle;
  overview?: WebviewHandle;
  copied?: string;
  example?: vscode.TextEditor;
}

/** Where a hover was: its "Show tokens" / "Show context" links act on the unit hovered, not on the cursor's. */
export interface HoverLocation {
  uri: string;
  line: number;
  character: number;
}

function isHoverLocation(v: unknown): v is HoverLocation {
  return typeof v === 'object' && v !== null && typeof (v as HoverLocation).uri === 'string' && typeof (v as HoverLocation).line === 'number';
}

function isChunkNode(v: unknown): v is ChunkNode {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'chunk';
}

function commitSummary(c: CommitInfo): ContextViewPayload['commit'] {
  return { hash: c.hash, subject: c.subject, author: c.author.name, date: new Date(c.committer.timestamp * 1000).toISOString() };
}

export class Commands extends Disposable {
  readonly trace: CommandTrace = {};

  constructor(
    private readonly pool: WorkerPool,
    private readonly builds: BuildRunner,
    private readonly commits: CommitsProvider,
    private readonly state: PersistentState,
    private readonly output: vscode.OutputChannel,
  ) {
    super();
    const reg = (id: string, fn: (...args: never[]) => unknown) =>
      this._register(
        vscode.commands.registerCommand(id, async (...args: never[]) => {
          try {
            return await fn(...args);
          } catch (err) {
            reportError(this.output, `"${id.replace(/^commitCorpus\./, '')}"`, err);
            return undefined;
          }
        }),
      );
    reg('commitCorpus.buildDataset', () => this.builds.run());
    reg('commitCorpus.rebuild', () => this.builds.run({ title: 'Commit Corpus: rebuilding (incremental)' }));
    reg('commitCorpus.exportDataset', (opts?: { outDir?: string; layout?: 'default' | 'seed'; format?: Format }) => this.exportDataset(opts));
    reg('commitCorpus.showTokenBoundaries', (node?: unknown) => this.showTokens(node));
    reg('commitCorpus.showChunkContext', (node?: unknown) => this.showContext(node));
    reg('commitCorpus.openExample', (node?: unknown) => this.openExample(node));
    reg('commitCorpus.copyExampleJson', (node?: unknown) => this.copyExample(node));
    reg('commitCorpus.selectTokenizer', (choice?: string) => this.selectTokenizer(choice));
    reg('commitCorpus.showOverview', () => this.showOverview());
    reg('commitCorpus.showDatasetInExplorer', () => this.showInExplorer());
    reg('commitCorpus.openDatasetCard', () => this.openCard());
    reg('commitCorpus.loadMoreCommits', () => this.commits.loadMore());
    reg('commitCorpus.refreshCommits', () => this.commits.refresh());
    reg('commitCorpus.filterCommits', (value?: string) => this.filter(value));
    reg('commitCorpus.clearCommitsFilter', () => this.filter(''));
    reg('commitCorpus.openFileDiff', (node: Extract<CommitsNode, { type: 'file' }>) => vscode.commands.executeCommand('vscode.diff', ...CommitsProvider.diffArgs(node)));
    reg('commitCorpus.openContextItem', (a: { repo: string; commit: string; path: string; search?: string }) =>
      openFileAtCommit(a.repo, { type: 'openFile', path: a.path, commit: a.commit, search: a.search }),
    );
  }

  private tokenizer(): string | undefined {
    return tokenizerPath(vscode.workspace.workspaceFolders?.[0]?.uri);
  }

  private format(): Format {
    const f = vscode.workspace.getConfiguration(SECTION).get<string>('format') ?? 'seed';
    return (FORMATS as readonly string[]).includes(f) ? (f as Format) : 'seed';
  }

  /** A hover's document and position, or the active editor's with its selected text ('' when none). */
  private async target(arg: unknown): Promise<{ doc: vscode.TextDocument; pos: vscode.Position; selected: string } | undefined> {
    if (isHoverLocation(arg)) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
      return { doc, pos: new vscode.Position(arg.line, arg.character), selected: '' };
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    return { doc: editor.document, pos: editor.selection.active, selected: editor.document.getText(editor.selection) };
  }

  /** The chunk of a tree node, or the one at a hover's position or the active editor's cursor (with the editor's commit = HEAD). */
  private async chunkFrom(node: unknown): Promise<{ chunk: ChunkRecord; commit: ContextViewPayload['commit']; repo: string; info: CommitInfo } | undefined> {
    if (isChunkNode(node)) return { chunk: node.chunk, commit: commitSummary(node.commit), repo: node.repo, info: node.commit };
    const t = await this.target(node);
    if (!t) {
      void vscode.window.showInformationMessage('Commit Corpus: put the cursor in a source file, or pick a chunk in the Commits view.');
      return undefined;
    }
    const a = await analyzeAt(this.pool, t.doc, t.pos);
    if (!a?.chunk) {
      void vscode.window.showInformationMessage('Commit Corpus: no semantic unit of a supported language at the cursor.');
      return undefined;
    }
    const repo = vscode.workspace.getWorkspaceFolder(t.doc.uri)?.uri.fsPath ?? path.dirname(t.doc.uri.fsPath);
    const now = Math.floor(Date.now() / 1000);
    const person = { name: 'working tree', email: '', timestamp: now, timezoneOffset: 0 };
    const info: CommitInfo = {
      hash: a.head ?? a.chunk.commit,
      parents: [],
      author: person,
      committer: person,
      subject: `${t.doc.fileName.split(/[\\/]/).pop()} (working tree)`,
      body: '',
      isMerge: false,
    };
    return { chunk: a.chunk, commit: commitSummary(info), repo, info };
  }

  async showTokens(node?: unknown): Promise<WebviewHandle | undefined> {
    let payload: TokenViewPayload;
    if (isChunkNode(node)) {
      payload = (await this.pool.request({ kind: 'exampleView', chunk: node.chunk, commit: node.commit, format: this.format(), tokenizer: this.tokenizer() })).payload;
    } else {
      const t = await this.target(node);
      if (!t) {
        void vscode.window.showInformationMessage('Commit Corpus: open a file (or select text) to see its tokens.');
        return undefined;
      }
      let text = t.selected;
      let title = `selection in ${path.basename(t.doc.fileName)}`;
      if (!text) {
        const a = await analyzeAt(this.pool, t.doc, t.pos);
        if (a) {
          const range = new vscode.Range(a.startLine - 1, 0, a.endLine - 1, t.doc.lineAt(a.endLine - 1).text.length);
          text = t.doc.getText(range);
          title = `${a.kind} ${a.qualifiedName}`;
        } else {
          text = t.doc.getText();
          title = path.basename(t.doc.fileName);
        }
      }
      payload = await this.pool.request({ kind: 'tokenView', text, title, tokenizer: this.tokenizer() });
    }
    const h = showTokenBoundaries(payload);
    this.trace.tokens = h;
    await h.ready;
    return h;
  }

  async showContext(node?: unknown): Promise<WebviewHandle | undefined> {
    const c = await this.chunkFrom(node);
    if (!c) return undefined;
    const payload = await this.pool.request({ kind: 'contextView', chunk: c.chunk, commit: c.commit, repoDir: c.repo, tokenizer: this.tokenizer() });
    const h = showChunkContext(payload);
    this.trace.context = h;
    await h.ready;
    return h;
  }

  async openExample(node?: unknown): Promise<vscode.TextEditor | undefined> {
    const c = await this.chunkFrom(node);
    if (!c) return undefined;
    const ex = await this.pool.request({ kind: 'exampleView', chunk: c.chunk, commit: c.info, format: this.format(), tokenizer: this.tokenizer() });
    this.trace.example = await openExampleDocument(ex.text, { name: `${c.chunk.qualifiedName} · ${c.info.hash.slice(0, 8)}` });
    return this.trace.example;
  }

  async copyExample(node?: unknown): Promise<string | undefined> {
    const c = await this.chunkFrom(node);
    if (!c) return undefined;
    const format = this.format();
    const ex = await this.pool.request({ kind: 'exampleView', chunk: c.chunk, commit: c.info, format, tokenizer: this.tokenizer() });
    const json = JSON.stringify(
      {
        chunk_id: c.chunk.id,
        commit: c.chunk.commit,
        path: c.chunk.path,
        kind: c.chunk.kind,
        qualified_name: c.chunk.qualifiedName,
        format,
        tokenizer: ex.payload.tokenizer,
        text: ex.text,
        input_ids: ex.payload.tokens.map((t) => t.id),
        sections: ex.payload.sections ?? [],
      },
      null,
      2,
    );
    await vscode.env.clipboard.writeText(json);
    this.trace.copied = json;
    void vscode.window.setStatusBarMessage(`Commit Corpus: example of ${c.chunk.qualifiedName} copied as JSON`, 4000);
    return json;
  }

  /** Quick pick: bundled, tokenizers in the local Hugging Face cache, "Browse…"; writes commitCorpus.tokenizer. */
  async selectTokenizer(choice?: string): Promise<string | undefined> {
    let value = choice;
    if (value === undefined) {
      const local = await this.pool.request({ kind: 'findTokenizers' });
      const current = vscode.workspace.getConfiguration(SECTION).get<string>('tokenizer') ?? '';
      type Item = vscode.QuickPickItem & { value?: string };
      const items: Item[] = [
        { label: '$(package) Qwen3 (bundled)', description: current ? '' : 'current', value: '' },
        ...(local.length ? [{ label: 'Hugging Face cache', kind: vscode.QuickPickItemKind.Separator } as Item] : []),
        ...local.map((t) => ({ label: `$(file) ${t.model}`, description: t.path === current ? 'current' : '', detail: t.path, value: t.path })),
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        { label: '$(folder-opened) Browse…', value: undefined },
      ];
      const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Tokenizer used for token counts, budgets and the dataset' });
      if (!picked) return undefined;
      value = picked.value;
      if (value === undefined) {
        const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this tokenizer', filters: { 'tokenizer.json': ['json'] } });
        if (!files?.[0]) return undefined;
        value = files[0].fsPath;
      }
    }
    if (value && !fs.existsSync(value)) throw new Error(`tokenizer not found: ${value}`);
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SECTION).update('tokenizer', value, target);
    void vscode.window.setStatusBarMessage(`Commit Corpus: tokenizer ${value || 'Qwen3 (bundled)'}`, 4000);
    return value;
  }

  /** Export: a folder, a layout and a format; copies the last build when it already has them, else builds. */
  async exportDataset(opts: { outDir?: string; layout?: 'default' | 'seed'; format?: Format } = {}): Promise<BuildOutcome | { status: 'copied'; outDir: string } | undefined> {
    const folder = await pickFolder();
    if (!folder) return undefined;
    let outDir = opts.outDir;
    if (!outDir) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here', title: 'Folder to export the dataset into', defaultUri: folder });
      if (!picked?.[0]) return undefined;
      outDir = path.join(picked[0].fsPath, 'commit-corpus-dataset');
    }
    const cfg = vscode.workspace.getConfiguration(SECTION, folder);
    const layout =
      opts.layout ?? ((await vscode.window.showQuickPick(['default', 'seed'], { placeHolder: "Layout (seed also writes the seed project's file names)" })) as 'default' | 'seed' | undefined);
    if (!layout) return undefined;
    const format = opts.format ?? ((await vscode.window.showQuickPick([...FORMATS], { placeHolder: 'Serialization format of the examples' })) as Format | undefined);
    if (!format) return undefined;
    const last = this.state.lastBuild;
    const same =
      last &&
      path.resolve(last.repo) === folder.fsPath &&
      (cfg.get<string>('layout') ?? 'default') === layout &&
      (cfg.get<string>('format') ?? 'seed') === format &&
      fs.existsSync(path.join(last.outDir, 'manifest.json'));
    if (same) {
      // the same rule as a build's output: only a new, empty or earlier-exported folder is replaced
      try {
        copyDataset(last.outDir, outDir, [{ label: 'repository', path: folder.fsPath }], folder.fsPath);
      } catch (e) {
        void vscode.window.showErrorMessage(`Commit Corpus: ${(e as Error).message}`);
        return undefined;
      }
      void vscode.window.showInformationMessage(`Commit Corpus: dataset exported to ${outDir}.`);
      return { status: 'copied', outDir };
    }
    return this.builds.run({ folder, overrides: { out: outDir, layout, format, cache: true }, title: 'Commit Corpus: exporting dataset' });
  }

  /** The last build's output folder, or undefined after offering to build one. */
  private async builtDataset(): Promise<string | undefined> {
    const last = this.state.lastBuild;
    if (last && fs.existsSync(path.join(last.outDir, 'manifest.json'))) return last.outDir;
    const choice = await vscode.window.showInformationMessage('Commit Corpus: no dataset built yet.', 'Build training dataset');
    if (choice) await vscode.commands.executeCommand('commitCorpus.buildDataset');
    return undefined;
  }

  /**
   * "Show in Explorer": the dataset folder selected in the Explorer when it is in the workspace; else the
   * system's file manager (desktop), or its path to copy (web, where the browser cannot open a folder).
   */
  async showInExplorer(): Promise<'explorer' | 'os' | 'path' | undefined> {
    const out = await this.builtDataset();
    if (!out) return undefined;
    const uri = vscode.Uri.file(out);
    if (vscode.workspace.getWorkspaceFolder(uri)) {
      await vscode.commands.executeCommand('revealInExplorer', uri);
      return 'explorer';
    }
    if (vscode.env.uiKind === vscode.UIKind.Desktop) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return 'os';
    }
    void vscode.window.showInformationMessage(`Commit Corpus: the dataset is in ${out}, outside the workspace.`, 'Copy path').then((c) => {
      if (c) void vscode.env.clipboard.writeText(out);
    });
    return 'path';
  }

  /** "Open dataset card": the build's README.md in the Markdown preview. */
  async openCard(): Promise<vscode.Uri | undefined> {
    const out = await this.builtDataset();
    if (!out) return undefined;
    const card = vscode.Uri.file(path.join(out, 'README.md'));
    if (!fs.existsSync(card.fsPath)) throw new Error(`the dataset in ${out} has no README.md`);
    await vscode.commands.executeCommand('markdown.showPreview', card);
    return card;
  }

  async showOverview(): Promise<WebviewHandle | undefined> {
    const outDir = await this.builtDataset();
    if (!outDir) return undefined;
    const payload = await this.pool.request({ kind: 'overview', outDir });
    const h = showOverview(payload);
    this.trace.overview = h;
    await h.ready;
    return h;
  }

  private async filter(value?: string): Promise<string | undefined> {
    let v = value;
    if (v === undefined) {
      v = await vscode.window.showInputBox({
        title: 'Filter the Commits view',
        prompt: 'A path part or glob (src/, *.rs) or a language (rust, python). Empty: no filter.',
        value: this.state.commitsFilter,
      });
      if (v === undefined) return undefined;
    }
    await this.state.setCommitsFilter(v.trim());
    await vscode.commands.executeCommand('setContext', 'commitCorpus.commitsFiltered', v.trim() !== '');
    this.commits.rerender();
    return v.trim();
  }
}
