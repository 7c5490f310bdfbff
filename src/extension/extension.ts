/**
 * Extension entry point: wires the worker pool, the build runner, the Commits view, the blob
 * provider, the hover, the commands, the status bar and the webviews; returns the API the
 * integration tests use.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProgressEvent } from '../core/types';
import { BlobContentProvider } from './blobProvider';
import { BuildRunner, type BuildOutcome } from './buildCommand';
import { Commands, type CommandTrace } from './commands';
import { CommitsProvider, type CommitsNode } from './commitsView';
import { HoverProvider } from './hover';
import { workerCount } from './settings';
import { PersistentState, type LastBuild } from './state';
import { BuildStatusBar } from './statusBar';
import { registerWebviews } from './webviews';
import { WorkerPool } from './workerPool';

export interface CommitCorpusApi {
  /** Outcome of the last build in this window. */
  lastOutcome(): BuildOutcome | undefined;
  lastBuild(): LastBuild | undefined;
  /** The Commits view's data: children of a node (roots without one) and their tree items. */
  tree: {
    children(node?: CommitsNode): Promise<CommitsNode[]>;
    item(node: CommitsNode): vscode.TreeItem;
    loadMore(): Promise<void>;
    loadedCommits(): number;
  };
  hover: { lastMs(): number };
  trace: CommandTrace;
  statusBar: () => { text: string; command: string | undefined };
  workers: { live(): number; started(): number; crashOne(): Promise<unknown> };
  cancelBuild(): void;
  buildProgress(): ProgressEvent | undefined;
}

export function activate(context: vscode.ExtensionContext): CommitCorpusApi {
  const output = vscode.window.createOutputChannel('Commit Corpus');
  context.subscriptions.push(output);
  const state = new PersistentState(context.workspaceState);
  const script = path.join(context.extensionPath, 'dist', 'worker.js');
  const pool = new WorkerPool(script, workerCount, (line) => output.appendLine(`[workers] ${line}`));
  const builds = new BuildRunner(pool, output, state);
  const commits = new CommitsProvider(pool, state);
  const status = new BuildStatusBar(state);
  const commands = new Commands(pool, builds, commits, state, output);
  const hover = new HoverProvider(pool);
  const view = vscode.window.createTreeView('commitCorpus.commits', { treeDataProvider: commits, showCollapseAll: true });
  const describe = () => {
    const f = state.commitsFilter;
    view.description = f ? `filter: ${f}` : undefined;
    const notBuilt = !state.lastBuild && commits.folderState === 'ready' ? 'Not built yet: build the training dataset to see chunks and token counts.' : '';
    view.message = [commits.filterSummary(), notBuilt].filter(Boolean).join(' ') || undefined;
  };
  void vscode.commands.executeCommand('setContext', 'commitCorpus.commitsFiltered', state.commitsFilter !== '');
  context.subscriptions.push(
    pool,
    builds,
    commits,
    status,
    commands,
    hover,
    view,
    new BlobContentProvider(pool),
    registerWebviews(context),
    commits.onDidLoad(() => describe()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['view.hideSkippedCommits', 'includeMerges', 'skipBots'].some((k) => e.affectsConfiguration(`commitCorpus.${k}`))) commits.rerender();
    }),
    builds.onDidBuild(() => {
      status.update();
      commits.refresh();
      describe();
    }),
  );

  return {
    lastOutcome: () => builds.lastOutcome,
    lastBuild: () => state.lastBuild,
    tree: {
      children: (node) => commits.getChildren(node),
      item: (node) => commits.getTreeItem(node),
      loadMore: () => commits.loadMore(),
      loadedCommits: () => commits.loadedCommits,
    },
    hover: { lastMs: () => hover.lastMs },
    trace: commands.trace,
    statusBar: () => ({ text: status.item.text, command: typeof status.item.command === 'string' ? status.item.command : status.item.command?.command }),
    workers: { live: () => pool.liveWorkers, started: () => pool.workersStarted, crashOne: () => pool.request({ kind: 'crash' }) },
    cancelBuild: () => builds.cancel(),
    buildProgress: () => builds.lastProgress,
  };
}

export function deactivate(): void {}
