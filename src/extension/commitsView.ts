/**
 * The "Commits" tree view: commits newest first, paged ("Load more…", 200 per page, read by a worker
 * with listCommits({skip, limit, filter})) → changed files (icon and colour by change type, skip reason) →
 * chunks of the last build (kind icon, qualified name, token count). A path or language filter keeps only
 * the commits that changed a matching file, and their matching files and chunks (counts too). Commits that are
 * not in the dataset (merge, bot, outside the build's selection, no chunk) are dimmed and say why, or hidden
 * (`commitCorpus.view.hideSkippedCommits`). The state of the folder (none, not a repository, no commits)
 * is the `commitCorpus.repoState` context key, which picks the view's welcome content.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isBotAuthor, matchesPathFilter } from '../core/git';
import type { ChangeType, ChunkRecord, CommitInfo, UnitKind } from '../core/types';
import type { FileSummary } from '../worker/protocol';
import { EMPTY_COMMIT } from './blobProvider';
import { Disposable } from './disposable';
import type { PersistentState } from './state';
import { blobUri } from './webviews/uris';
import type { WorkerPool } from './workerPool';

export const PAGE_SIZE = 200;

/** The badge a commit that is not in the dataset gets at the end of its row (never cut off like a description). */
const MARK_BADGE: Record<CommitMark, string> = { merge: 'M', bot: 'B', 'no chunks': '0', 'not selected': '–', 'newer than the last build': 'N' };
const MARK_SCHEME = 'commit-corpus-mark';

const MARK_TEXT: Record<CommitMark, string> = {
  merge: 'a merge commit (merges are left out unless "Include Merges" is on).',
  bot: 'the author is a bot (bot commits are left out unless "Skip Bots" is off).',
  'no chunks': 'none of its changed files gave a chunk (each file says why).',
  'not selected': "outside the build's range (since, until, max commits, ref) or its message filter.",
  'newer than the last build': 'committed after the last build: rebuild to add it.',
};

export type ChunkRow = ChunkRecord & { tokens?: number };

/** Why a commit is not in the dataset (undefined: it is, or will be). */
export type CommitMark = 'merge' | 'bot' | 'no chunks' | 'not selected' | 'newer than the last build';

export type RepoState = 'noFolder' | 'notGit' | 'empty' | 'ready';

export type CommitsNode =
  | { type: 'action' }
  | { type: 'commit'; repo: string; commit: CommitInfo; mark?: CommitMark }
  | { type: 'file'; repo: string; commit: CommitInfo; file: FileSummary; chunks: ChunkRow[] | null }
  | { type: 'chunk'; repo: string; commit: CommitInfo; chunk: ChunkRow }
  | { type: 'more'; loaded: number; searched: number; total: number }
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

export class CommitsProvider extends Disposable implements vscode.TreeDataProvider<CommitsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<CommitsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = this._register(new vscode.EventEmitter<void>());
  /** Fires when the roots were computed (the view's message and description follow it). */
  readonly onDidLoad = this.loaded.event;
  private commits: CommitInfo[] = [];
  private more = false;
  /** Where the next page starts and how many commits the repository has (from the last page). */
  private next = 0;
  private total = 0;
  private loadedFor: string | undefined;
  /** The filter the loaded pages were read with. */
  private loadedFilter = '';
  /** Chunks per commit of the last build: all of them, and those of files matching the filter. */
  private counts: Record<string, number> | undefined;
  private shownCounts: Record<string, number> | undefined;
  private repoState: RepoState | undefined;
  private chunkCache = new Map<string, ChunkRow[]>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly state: PersistentState,
  ) {
    super();
    // a commit that is not in the dataset: its label dimmed, like an ignored file's, and a badge saying why
    this._register(
      vscode.window.registerFileDecorationProvider({
        provideFileDecoration: (uri) => {
          if (uri.scheme !== MARK_SCHEME) return undefined;
          const mark = uri.query as CommitMark;
          return MARK_BADGE[mark] ? { badge: MARK_BADGE[mark], color: new vscode.ThemeColor('disabledForeground'), tooltip: `not in dataset: ${mark}` } : undefined;
        },
      }),
    );
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
    this.next = 0;
    this.loadedFor = undefined;
    this.counts = undefined;
    this.shownCounts = undefined;
    this.chunkCache.clear();
    this.changed.fire(undefined);
  }

  /** Re-render (a new filter reloads the pages with it; a view setting applies to the loaded ones). */
  rerender(): void {
    this.changed.fire(undefined);
  }

  async loadMore(): Promise<void> {
    const repo = this.repoDir();
    if (!repo || !this.more) return;
    const page = await this.pool.request({ kind: 'listCommits', repo, skip: this.next, limit: PAGE_SIZE, filter: this.loadedFilter });
    this.commits.push(...page.commits);
    this.more = page.more;
    this.next = page.next;
    this.changed.fire(undefined);
  }

  get loadedCommits(): number {
    return this.commits.length;
  }

  /** What the view's message says about the filter ('' without one). */
  filterSummary(): string {
    const f = this.state.commitsFilter;
    if (!f || this.loadedFor === undefined) return '';
    const n = this.commits.length;
    const searched = this.more ? `the newest ${this.next} of ${this.total}` : `all ${this.total}`;
    return `Filter "${f}": ${n} commit${n === 1 ? '' : 's'} changed a matching file, in ${searched} commits.`;
  }

  /**
   * Why each loaded commit is not in the dataset, if it is not (see CommitMark): the settings, the last build and
   * the position of its HEAD read once for the whole list.
   */
  private marks(): Array<CommitMark | undefined> {
    const cfg = vscode.workspace.getConfiguration('commitCorpus');
    const build = this.build();
    const counts = this.counts;
    if (!build || !counts) {
      const merges = cfg.get<boolean>('includeMerges') ?? false;
      const bots = cfg.get<boolean>('skipBots', true);
      return this.commits.map((c) => (c.isMerge && !merges ? 'merge' : bots && isBotAuthor(c.author.name, c.author.email) ? 'bot' : undefined));
    }
    const head = this.commits.findIndex((x) => x.hash === build.head);
    return this.commits.map((c, at) => {
      const n = counts[c.hash];
      if (n === 0) return 'no chunks';
      if (n !== undefined) return undefined;
      if (c.isMerge) return 'merge';
      if (isBotAuthor(c.author.name, c.author.email)) return 'bot';
      return head > 0 && at < head ? 'newer than the last build' : 'not selected';
    });
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
        const count = this.shownCounts?.[c.hash];
        const mark = n.mark;
        // the mark first: a narrow sidebar cuts the end of a description
        item.description = mark
          ? `not in dataset: ${mark} · ${c.hash.slice(0, 8)} · ${date}`
          : `${c.hash.slice(0, 8)} · ${date}${count !== undefined ? ` · ${count} chunk${count === 1 ? '' : 's'}` : ''}`;
        const why = mark ? `\n\nNot in the dataset: ${MARK_TEXT[mark]}` : '';
        item.tooltip = new vscode.MarkdownString().appendText(`${c.subject}\n\n${c.hash}\n${c.author.name} · ${new Date(c.committer.timestamp * 1000).toISOString()}${why}`);
        item.iconPath = new vscode.ThemeIcon(c.isMerge ? 'git-merge' : 'git-commit', mark ? new vscode.ThemeColor('disabledForeground') : undefined);
        item.id = `commit:${c.hash}`;
        item.contextValue = mark ? 'commit.skipped' : 'commit';
        if (mark) item.resourceUri = vscode.Uri.from({ scheme: MARK_SCHEME, path: `/${c.hash}`, query: mark });
        return item;
      }
      case 'file': {
        const f = n.file;
        const hasChunks = (n.chunks?.length ?? 0) > 0;
        const item = new vscode.TreeItem(path.posix.basename(f.path), hasChunks ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const dir = path.posix.dirname(f.path);
        // a skip reason first: a narrow sidebar cuts the end of a description
        const parts = [f.skip ? `skipped: ${f.skip}${f.skipDetail ? ` (${f.skipDetail})` : ''}` : '', dir === '.' ? '' : dir];
        if (f.oldPath && f.oldPath !== f.path) parts.push(`← ${f.oldPath}`);
        if (!f.skip && n.chunks) parts.push(`${n.chunks.length} chunk${n.chunks.length === 1 ? '' : 's'}`);
        item.description = parts.filter(Boolean).join(' · ');
        const [icon, color] = CHANGE_ICON[f.change];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(f.skip ? 'gitDecoration.ignoredResourceForeground' : color));
        item.tooltip = `${f.change}${f.skip ? ` (skipped: ${f.skip}${f.skipDetail ? `, ${f.skipDetail}` : ''})` : ''}: ${f.path}`;
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
        const filtered = this.loadedFilter !== '';
        const item = new vscode.TreeItem(filtered ? 'Search further…' : 'Load more…', vscode.TreeItemCollapsibleState.None);
        item.description = filtered ? `${n.loaded} matching · ${n.searched} of ${n.total} commits searched` : `${n.loaded} of ${n.total} commits shown`;
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
    if (!repo) {
      this.setRepoState('noFolder');
      return [];
    }
    try {
      if (!n) return await this.roots(repo);
      if (n.type === 'commit') return await this.files(n.repo, n.commit);
      if (n.type === 'file')
        return (n.chunks ?? []).filter((c) => matchesPathFilter(this.state.commitsFilter, c.path, c.language)).map((chunk) => ({ type: 'chunk', repo: n.repo, commit: n.commit, chunk }));
      return [];
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      // Not a repository: an empty tree lets the view show its welcome content.
      if (!n && /not a git repository/i.test(text)) {
        this.setRepoState('notGit');
        return [];
      }
      return [{ type: 'error', message: text.split('\n')[0] }];
    }
  }

  /** The folder's state as the last roots saw it. */
  get folderState(): RepoState | undefined {
    return this.repoState;
  }

  private setRepoState(s: RepoState): void {
    if (this.repoState === s) return;
    this.repoState = s;
    void vscode.commands.executeCommand('setContext', 'commitCorpus.repoState', s);
  }

  private async roots(repo: string): Promise<CommitsNode[]> {
    const filter = this.state.commitsFilter;
    if (this.loadedFor !== repo || this.loadedFilter !== filter) {
      this.loading ??= (async () => {
        const page = await this.pool.request({ kind: 'listCommits', repo, skip: 0, limit: PAGE_SIZE, filter });
        this.commits = page.commits;
        this.more = page.more;
        this.next = page.next;
        this.total = page.total;
        this.loadedFor = repo;
        this.loadedFilter = filter;
        this.shownCounts = undefined;
      })().finally(() => (this.loading = undefined));
      await this.loading;
    }
    this.setRepoState(this.total === 0 ? 'empty' : 'ready');
    const build = this.build();
    if (build && !this.counts) this.counts = await this.countsOf(build.outDir, '');
    if (build && !this.shownCounts) this.shownCounts = filter ? await this.countsOf(build.outDir, filter) : this.counts;
    const hide = vscode.workspace.getConfiguration('commitCorpus').get<boolean>('view.hideSkippedCommits') ?? false;
    const nodes: CommitsNode[] = [];
    if (!build && this.total > 0) nodes.push({ type: 'action' });
    const marks = this.marks();
    this.commits.forEach((commit, i) => {
      const mark = marks[i];
      if (!(hide && mark)) nodes.push({ type: 'commit', repo, commit, ...(mark ? { mark } : {}) });
    });
    if (this.more) nodes.push({ type: 'more', loaded: this.commits.length, searched: this.next, total: this.total });
    this.loaded.fire();
    return nodes;
  }

  private async countsOf(outDir: string, filter: string): Promise<Record<string, number>> {
    try {
      return await this.pool.request({ kind: 'buildCounts', outDir, filter });
    } catch {
      return {};
    }
  }

  private async files(repo: string, commit: CommitInfo): Promise<CommitsNode[]> {
    const files = await this.pool.request({ kind: 'commitFiles', repo, commit: commit.hash, parent: commit.parents[0] });
    const chunks = await this.chunksOf(commit.hash);
    const filter = this.state.commitsFilter;
    return files.filter((f) => matchesPathFilter(filter, f.path, f.language)).map((file) => ({ type: 'file', repo, commit, file, chunks: chunks ? chunks.filter((c) => c.path === file.path) : null }));
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
