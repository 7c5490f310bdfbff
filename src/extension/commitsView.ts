/**
 * The "Commits" tree view: commits newest first, paged ("Load more…", 200 per page, read by a worker
 * with listCommits({skip, limit})) → changed files (icon and colour by change type, skip reason) →
 * chunks of the last build (kind icon, qualified name, token count). A path or language filter
 * narrows files and chunks.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChangeType, ChunkRecord, CommitInfo, UnitKind } from '../core/types';
import type { FileSummary } from '../worker/protocol';
import { EMPTY_COMMIT } from './blobProvider';
import { Disposable } from './disposable';
import type { PersistentState } from './state';
import { blobUri } from './webviews/uris';
import type { WorkerPool } from './workerPool';

export const PAGE_SIZE = 200;

export type ChunkRow = ChunkRecord & { tokens?: number };

export type CommitsNode =
  | { type: 'action' }
  | { type: 'commit'; repo: string; commit: CommitInfo }
  | { type: 'file'; repo: string; commit: CommitInfo; file: FileSummary; chunks: ChunkRow[] | null }
  | { type: 'chunk'; repo: string; commit: CommitInfo; chunk: ChunkRow }
  | { type: 'more'; loaded: number }
  | { type: 'error'; message: string };

const CHANGE_ICON: Record<ChangeType, [string, string]> = {
  added: ['diff-added', 'gitDecoration.addedResourceForeground'],
  modified: ['diff-modified', 'gitDecoration.modifiedResourceForeground'],
  deleted: ['diff-removed', 'gitDecoration.deletedResourceForeground'],
  renamed: ['diff-renamed', 'gitDecoration.renamedResourceForeground'],
};

const KIND_ICON: Record<UnitKind, string> = {
  fn: 'symbol-function',
  method: 'symbol-method',
  struct: 'symbol-struct',
  enum: 'symbol-enum',
  union: 'symbol-struct',
  trait: 'symbol-interface',
  impl: 'symbol-class',
  mod: 'symbol-namespace',
  macro: 'symbol-misc',
  const: 'symbol-constant',
  static: 'symbol-variable',
  type: 'symbol-type-parameter',
  use: 'symbol-package',
  class: 'symbol-class',
  interface: 'symbol-interface',
  import: 'symbol-package',
  'top-level': 'symbol-file',
  hunk: 'diff',
};

/** Does a file or chunk match the filter? A language id matches exactly; anything else is a path substring or `*` glob. */
export function matchesFilter(filter: string, filePath: string, language: string | null): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  if (language && language.toLowerCase() === f) return true;
  const p = filePath.toLowerCase();
  if (!f.includes('*')) return p.includes(f);
  const re = new RegExp(
    `^${f
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(p) || re.test(path.posix.basename(p));
}

export class CommitsProvider extends Disposable implements vscode.TreeDataProvider<CommitsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<CommitsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private commits: CommitInfo[] = [];
  private more = false;
  private loadedFor: string | undefined;
  private counts: Record<string, number> | undefined;
  private chunkCache = new Map<string, ChunkRow[]>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly state: PersistentState,
  ) {
    super();
  }

  /** The repository shown: the first file workspace folder. */
  repoDir(): string | undefined {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  }

  /** The last build, if it was of this repository. */
  private build() {
    const last = this.state.lastBuild;
    const repo = this.repoDir();
    return last && repo && path.resolve(last.repo) === path.resolve(repo) ? last : undefined;
  }

  /** Reload everything (after a build, or a new HEAD). */
  refresh(): void {
    this.commits = [];
    this.more = false;
    this.loadedFor = undefined;
    this.counts = undefined;
    this.chunkCache.clear();
    this.changed.fire(undefined);
  }

  /** Re-render with the current filter (keeps loaded pages). */
  rerender(): void {
    this.changed.fire(undefined);
  }

  async loadMore(): Promise<void> {
    const repo = this.repoDir();
    if (!repo || !this.more) return;
    const page = await this.pool.request({ kind: 'listCommits', repo, skip: this.commits.length, limit: PAGE_SIZE });
    this.commits.push(...page.commits);
    this.more = page.more;
    this.changed.fire(undefined);
  }

  get loadedCommits(): number {
    return this.commits.length;
  }

  getTreeItem(n: CommitsNode): vscode.TreeItem {
    switch (n.type) {
      case 'action': {
        const item = new vscode.TreeItem('Build training dataset', vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('database');
        item.description = 'to see chunks and token counts';
        item.command = { command: 'commitCorpus.buildDataset', title: 'Build training dataset' };
        item.contextValue = 'action';
        return item;
      }
      case 'commit': {
        const c = n.commit;
        const item = new vscode.TreeItem(c.subject || '(no message)', vscode.TreeItemCollapsibleState.Collapsed);
        const date = new Date(c.committer.timestamp * 1000).toISOString().slice(0, 10);
        const count = this.counts?.[c.hash];
        item.description = `${c.hash.slice(0, 8)} · ${date}${count !== undefined ? ` · ${count} chunk${count === 1 ? '' : 's'}` : ''}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${c.subject}\n\n${c.hash}\n${c.author.name} · ${new Date(c.committer.timestamp * 1000).toISOString()}`);
        item.iconPath = new vscode.ThemeIcon(c.isMerge ? 'git-merge' : 'git-commit');
        item.id = `commit:${c.hash}`;
        item.contextValue = 'commit';
        return item;
      }
      case 'file': {
        const f = n.file;
        const hasChunks = (n.chunks?.length ?? 0) > 0;
        const item = new vscode.TreeItem(path.posix.basename(f.path), hasChunks ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const dir = path.posix.dirname(f.path);
        const parts = [dir === '.' ? '' : dir];
        if (f.oldPath && f.oldPath !== f.path) parts.push(`← ${f.oldPath}`);
        if (f.skip) parts.push(`skipped: ${f.skip}`);
        else if (n.chunks) parts.push(`${n.chunks.length} chunk${n.chunks.length === 1 ? '' : 's'}`);
        item.description = parts.filter(Boolean).join(' · ');
        const [icon, color] = CHANGE_ICON[f.change];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(f.skip ? 'gitDecoration.ignoredResourceForeground' : color));
        item.tooltip = `${f.change}${f.skip ? ` (skipped: ${f.skip})` : ''}: ${f.path}`;
        item.id = `file:${n.commit.hash}:${f.path}`;
        item.contextValue = f.skip ? 'file.skipped' : 'file';
        item.command = { command: 'commitCorpus.openFileDiff', title: 'Open changes', arguments: [n] };
        return item;
      }
      case 'chunk': {
        const c = n.chunk;
        const item = new vscode.TreeItem(c.qualifiedName, vscode.TreeItemCollapsibleState.None);
        item.description = `${c.kind} · ${c.change}${c.tokens !== undefined ? ` · ${c.tokens} tokens` : ''}`;
        item.iconPath = new vscode.ThemeIcon(KIND_ICON[c.kind] ?? 'symbol-misc');
        item.tooltip = `${c.kind} ${c.qualifiedName} (${c.change})\n${c.context.length} context item${c.context.length === 1 ? '' : 's'}`;
        item.id = `chunk:${c.id}`;
        item.contextValue = 'chunk';
        item.command = { command: 'commitCorpus.showChunkContext', title: 'Show cross-file context', arguments: [n] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.description = `${n.loaded} commits shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'commitCorpus.loadMoreCommits', title: 'Load more commits' };
        item.contextValue = 'more';
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(n.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  async getChildren(n?: CommitsNode): Promise<CommitsNode[]> {
    const repo = this.repoDir();
    if (!repo) return [];
    try {
      if (!n) return await this.roots(repo);
      if (n.type === 'commit') return await this.files(n.repo, n.commit);
      if (n.type === 'file')
        return (n.chunks ?? []).filter((c) => matchesFilter(this.state.commitsFilter, c.path, c.language)).map((chunk) => ({ type: 'chunk', repo: n.repo, commit: n.commit, chunk }));
      return [];
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      // Not a repository: an empty tree lets the view show its welcome content.
      if (!n && /not a git repository/i.test(text)) return [];
      return [{ type: 'error', message: text.split('\n')[0] }];
    }
  }

  private async roots(repo: string): Promise<CommitsNode[]> {
    if (this.loadedFor !== repo) {
      this.loading ??= (async () => {
        const page = await this.pool.request({ kind: 'listCommits', repo, skip: 0, limit: PAGE_SIZE });
        this.commits = page.commits;
        this.more = page.more;
        this.loadedFor = repo;
      })().finally(() => (this.loading = undefined));
      await this.loading;
    }
    const build = this.build();
    if (build && !this.counts) {
      try {
        this.counts = await this.pool.request({ kind: 'buildCounts', outDir: build.outDir });
      } catch {
        this.counts = {};
      }
    }
    const nodes: CommitsNode[] = [];
    if (!build && this.commits.length) nodes.push({ type: 'action' });
    for (const commit of this.commits) nodes.push({ type: 'commit', repo, commit });
    if (this.more) nodes.push({ type: 'more', loaded: this.commits.length });
    return nodes;
  }

  private async files(repo: string, commit: CommitInfo): Promise<CommitsNode[]> {
    const files = await this.pool.request({ kind: 'commitFiles', repo, commit: commit.hash, parent: commit.parents[0] });
    const chunks = await this.chunksOf(commit.hash);
    const filter = this.state.commitsFilter;
    return files.filter((f) => matchesFilter(filter, f.path, f.language)).map((file) => ({ type: 'file', repo, commit, file, chunks: chunks ? chunks.filter((c) => c.path === file.path) : null }));
  }

  /** Chunks of a commit in the last build (null before any build). */
  async chunksOf(hash: string): Promise<ChunkRow[] | null> {
    const build = this.build();
    if (!build) return null;
    let list = this.chunkCache.get(hash);
    if (!list) {
      list = (await this.pool.request({ kind: 'buildChunks', outDir: build.outDir, commit: hash })) as ChunkRow[];
      this.chunkCache.set(hash, list);
    }
    return list;
  }

  /** `vscode.diff` arguments of a file node: old side at the first parent, new side at the commit. */
  static diffArgs(n: Extract<CommitsNode, { type: 'file' }>): [vscode.Uri, vscode.Uri, string] {
    const f = n.file;
    const parent = n.commit.parents[0];
    const left = blobUri(n.repo, f.change === 'added' || !parent ? EMPTY_COMMIT : parent, f.oldPath ?? f.path);
    const right = blobUri(n.repo, f.change === 'deleted' ? EMPTY_COMMIT : n.commit.hash, f.path);
    return [left, right, `${path.posix.basename(f.path)} (${n.commit.hash.slice(0, 8)})`];
  }
}
