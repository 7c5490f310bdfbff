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
import * as fs from 'node:fs';
import { PHASES, type Phase, type ProgressEvent } from '../core/types';
import type { BuildSummary } from '../worker/protocol';
import { Disposable } from './disposable';
import { isCancelled, reportError } from './errors';
import { formatDuration, ProgressTracker, type PhaseWeights } from './progress';
import { debugDelay, pipelineOptions, workerCount } from './settings';
import type { LastBuild, PersistentState } from './state';
import type { WorkerPool } from './workerPool';

export type BuildOutcome =
  | { status: 'built'; folder: string; summary: BuildSummary; message: string }
  | { status: 'cancelled'; folder: string; outDir: string }
  | { status: 'failed'; folder: string; message: string }
  | { status: 'busy' };

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
          // one ETA for the whole build, weighted by what each phase took in the last build of this folder
          const tracker = new ProgressTracker(this.state.phaseWeights(folder.fsPath));
          progress.report({ message: 'starting the engine…' });
          // the ETA counts down between events too
          const tick = setInterval(() => this.lastProgress && progress.report(tracker.update(this.lastProgress)), 1000);
          let delay: ReturnType<typeof debugDelay>;
          TEST_AIDS: delay = debugDelay(); // dropped from the shipped bundles (esbuild dropLabels)
          try {
            return await this.pool.request(
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
          } finally {
            clearInterval(tick);
          }
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
      const phases = phaseTimings(summary.outDir);
      if (!summary.upToDate && phases) await this.state.setPhaseWeights(folder.fsPath, phases);
      this.built.fire(last);
      const rel = path.relative(folder.fsPath, summary.outDir) || summary.outDir;
      const message = `Commit Corpus: dataset built: ${summary.commits.total} commit${summary.commits.total === 1 ? '' : 's'}, ${summary.chunks} chunks, ${examples} examples in ${rel}${summary.upToDate ? ' (already up to date)' : ''}.`;
      this.output.appendLine(`[build] ${message} (${formatDuration(last.durationMs)})`);
      if (phases && !summary.upToDate) this.output.appendLine(`[build] phases: ${(Object.keys(phases) as Phase[]).map((p) => `${PHASES[p].label} ${formatDuration(phases[p]!)}`).join(' · ')}`);
      const actions = { 'Show in Explorer': 'commitCorpus.showDatasetInExplorer', 'Open dataset card': 'commitCorpus.openDatasetCard', 'Show overview': 'commitCorpus.showOverview' } as const;
      void vscode.window.showInformationMessage(message, ...(Object.keys(actions) as Array<keyof typeof actions>)).then((choice) => {
        if (choice) void vscode.commands.executeCommand(actions[choice]);
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

/** What each phase took (ms), from the manifest of a build (its `phases` timings); null when unreadable. */
function phaseTimings(outDir: string): PhaseWeights | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { phases?: Array<{ phase: string; duration_ms: number }> };
    const w: PhaseWeights = {};
    for (const p of m.phases ?? []) if (p.phase in PHASES) w[p.phase as Phase] = p.duration_ms;
    return Object.keys(w).length ? w : null;
  } catch {
    return null;
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
