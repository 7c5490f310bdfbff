/** Errors of engine calls as the extension sees them, and how they are shown (one sentence + "Show log"). */
import * as vscode from 'vscode';
import type { WorkerError } from '../worker/protocol';

/** The user (or a newer request) cancelled the call. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** The worker thread died (uncaught error, out of memory, exit); it is restarted for the next request. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

/** An error thrown by the engine inside the worker (name, message and stack carried over). */
export class EngineError extends Error {
  constructor(e: WorkerError) {
    super(e.message);
    this.name = e.name;
    if (e.stack) this.stack = e.stack;
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError');
}

/** One clear sentence for a notification. */
export function describeError(what: string, err: unknown): string {
  if (err instanceof WorkerCrashedError) return `Commit Corpus: the engine worker crashed while ${what} (${err.message}). It will be restarted for the next run.`;
  const text = err instanceof Error ? err.message : String(err);
  const sentence = text.split('\n')[0].replace(/\.$/, '');
  return `Commit Corpus: ${what} failed: ${sentence}.`;
}

/** Shows one sentence with "Show log"; the details (stack) go to the output channel. */
export function reportError(output: vscode.OutputChannel, what: string, err: unknown): string {
  const message = describeError(what, err);
  output.appendLine(`[error] ${message}`);
  if (err instanceof Error && err.stack) output.appendLine(err.stack);
  void vscode.window.showErrorMessage(message, 'Show log').then((choice) => {
    if (choice === 'Show log') output.show(true);
  });
  return message;
}
