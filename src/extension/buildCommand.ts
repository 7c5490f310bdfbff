/**
 * "Build training dataset" / "Rebuild (incremental)" / the build step of "Export dataset…":
 * runs the pipeline in a worker with a cancellable progress notification (phase, commits done/total,
 * ETA). Cancel goes the CLI's way (the worker's pipeline thread gets a grace period, then is terminated and its
 * temp folder removed); the pipeline writes into a temporary folder renamed at the end, so a cancelled build
 * leaves the previous output as it was.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { recoverOutput } from '../core/dataset/output';
import type { PipelineOptions } from '../core/pipeline/options';
import { PHASES, type Phase, type ProgressEvent } from '../core/types';
import type { BuildSummary } from '../worker/protocol';
import { Disposable } from './disposable';
import { isCancelled, reportError } from './errors';
import { debugDelay, pipelineOptions, workerCount } from './settings';
import type { LastBuild, PersistentState } from './state';
import type { WorkerPool } from './workerPool';

export type BuildOutcome =
  | { status: 'built'; folder: string; summary: BuildSummary; message: string }
  | { status: 'cancelled'; folder: string; outDir: string }
  | { status: 'failed'; folder: string; message: string }
  | { status: 'busy' };

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Turns pipeline progress events into a progress message and bar increments. */
export class ProgressTracker {
  private percent = 0;
  private phase: Phase | null = null;
  private phaseStart = 0;

  constructor(private readonly now: () => number = Date.now) {}

  update(e: ProgressEvent): { message: string; increment: number } {
    if (e.phase !== this.phase) {
      this.phase = e.phase;
      this.phaseStart = this.now();
    }
    const [a, b] = PHASES[e.phase].span;
    const frac = e.total && e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const target = a + (b - a) * frac;
    const increment = Math.max(0, target - this.percent);
    this.percent = Math.max(this.percent, target);
    let message: string = PHASES[e.phase].label;
    if (e.total !== undefined && e.phase === 'chunks') message += ` ${e.done}/${e.total} commits`;
    else if (e.total !== undefined && e.total > 1) message += ` ${e.done}/${e.total}`;
    if (e.total && e.done > 0 && e.done < e.total) {
      const elapsed = this.now() - this.phaseStart;
      message += ` · about ${formatDuration((elapsed / e.done) * (e.total - e.done))} left`;
    }
    return { message, increment };
  }
}

export class BuildRunner extends Disposable {
  private running: AbortController | undefined;
  private readonly built = this._register(new vscode.EventEmitter<LastBuild>());
  /** Fires after each successful build. */
  readonly onDidBuild = this.built.event;
  /** The last outcome (for tests). */
  lastOutcome: BuildOutcome | undefined;
  /** The last progress event of the running build (for tests). */
  lastProgress: ProgressEvent | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly output: vscode.OutputChannel,
    private readonly state: PersistentState,
  ) {
    super();
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Cancels the running build, if any (tests; the notification's Cancel does the same). */
  cancel(): void {
    this.running?.abort();
  }

  async run(opts: { folder?: vscode.Uri; overrides?: Partial<PipelineOptions>; title?: string } = {}): Promise<BuildOutcome | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage('Commit Corpus: a build is already running.');
      return (this.lastOutcome = { status: 'busy' });
    }
    const folder = opts.folder ?? (await pickFolder());
    if (!folder) return undefined;
    let options: PipelineOptions;
    try {
      options = pipelineOptions(folder, opts.overrides);
    } catch (err) {
      const message = reportError(this.output, 'reading the settings', err);
      return (this.lastOutcome = { status: 'failed', folder: folder.fsPath, message });
    }
    const ac = new AbortController();
    this.running = ac;
    this.lastProgress = undefined;
    const started = Date.now();
    this.output.appendLine(`[build] ${folder.fsPath} → ${options.out}`);
    try {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: opts.title ?? 'Commit Corpus: building dataset', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => ac.abort());
          const tracker = new ProgressTracker();
          progress.report({ message: 'starting the engine…' });
          let delay: ReturnType<typeof debugDelay>;
          TEST_AIDS: delay = debugDelay(); // dropped from the shipped bundles (esbuild dropLabels)
          return this.pool.request(
            { kind: 'build', options, workers: workerCount(), delay },
            {
              signal: ac.signal,
              onProgress: (e) => {
                this.lastProgress = e;
                progress.report(tracker.update(e));
              },
              onLog: (line) => this.output.appendLine(`[build] ${line}`),
            },
          );
        },
      );
      const examples = summary.examples.train + summary.examples.val + summary.examples.test;
      const last: LastBuild = {
        repo: folder.fsPath,
        outDir: summary.outDir,
        head: summary.head,
        commits: summary.commits.total,
        chunks: summary.chunks,
        examples,
        tokens: summary.tokens,
        finishedAt: Date.now(),
        durationMs: Date.now() - started,
      };
      await this.state.setLastBuild(last);
      this.built.fire(last);
      const rel = path.relative(folder.fsPath, summary.outDir) || summary.outDir;
      const message = `Commit Corpus: dataset built: ${summary.commits.total} commit${summary.commits.total === 1 ? '' : 's'}, ${summary.chunks} chunks, ${examples} examples in ${rel}${summary.upToDate ? ' (already up to date)' : ''}.`;
      this.output.appendLine(`[build] ${message} (${formatDuration(last.durationMs)})`);
      void vscode.window.showInformationMessage(message, 'Open folder', 'Show overview', 'Reveal in Explorer').then((choice) => {
        const uri = vscode.Uri.file(summary.outDir);
        if (choice === 'Open folder') void vscode.commands.executeCommand('revealFileInOS', uri);
        else if (choice === 'Show overview') void vscode.commands.executeCommand('commitCorpus.showOverview');
        else if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand('revealInExplorer', uri);
      });
      return (this.lastOutcome = { status: 'built', folder: folder.fsPath, summary, message });
    } catch (err) {
      // an engine worker terminated by the pool's backstop leaves its temp folder (and maybe a previous output moved aside): repaired here
      recoverOutput(options.out, process.pid);
      if (isCancelled(err)) {
        this.output.appendLine(`[build] cancelled after ${formatDuration(Date.now() - started)}`);
        void vscode.window.setStatusBarMessage('Commit Corpus: build cancelled, nothing was written.', 5000);
        return (this.lastOutcome = { status: 'cancelled', folder: folder.fsPath, outDir: options.out });
      }
      const message = reportError(this.output, 'building the dataset', err);
      return (this.lastOutcome = { status: 'failed', folder: folder.fsPath, message });
    } finally {
      this.running = undefined;
    }
  }
}

/** The workspace folder to build: the only one, or the user's pick in a multi-root workspace. */
export async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('Commit Corpus: open a folder with a git repository first.');
    return undefined;
  }
  if (folders.length === 1) return folders[0].uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Repository to build a dataset from' });
  return picked?.uri;
}
