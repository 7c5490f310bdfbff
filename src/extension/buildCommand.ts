/**
 * "Commit Corpus: Build training dataset". For now a thin shell: it reads the workspace's history
 * and reports how many commits it would process. The pipeline (issues 3–7) plugs in here.
 */
import * as vscode from 'vscode';
import { listCommits } from './history';

export interface BuildResult {
  /** Repository root that was read. */
  repository: string;
  /** Commits reachable from HEAD. */
  commits: number;
  /** HEAD commit hash, or null for an empty repository. */
  head: string | null;
  durationMs: number;
}

export async function buildDataset(output: vscode.OutputChannel): Promise<BuildResult | undefined> {
  const folder = await pickFolder();
  if (!folder) return undefined;
  const started = Date.now();
  try {
    output.appendLine(`Reading history of ${folder.fsPath}…`);
    const { root: repository, commits } = await listCommits(folder.fsPath);
    const result: BuildResult = {
      repository,
      commits: commits.length,
      head: commits[0]?.hash ?? null,
      durationMs: Date.now() - started,
    };
    const message = `Commit Corpus: ${result.commits} commit${result.commits === 1 ? '' : 's'} reachable from HEAD in ${repository}.`;
    output.appendLine(message);
    void vscode.window.showInformationMessage(message);
    return result;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    output.appendLine(`Error: ${text}`);
    if (err instanceof Error && err.stack) output.appendLine(err.stack);
    void vscode.window.showErrorMessage(`Commit Corpus: ${text}`, 'Show log').then((choice) => {
      if (choice) output.show();
    });
    return undefined;
  }
}

/** The workspace folder to read: the only one, or the user's pick in a multi-root workspace. */
async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('Commit Corpus: open a folder with a git repository first.');
    return undefined;
  }
  if (folders.length === 1) return folders[0].uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Repository to build a dataset from' });
  return picked?.uri;
}
