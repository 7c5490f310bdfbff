/**
 * Extension entry point: registers the command and the Commits view, and returns a small API
 * that the integration tests use to read what the last command did.
 */
import * as vscode from 'vscode';
import { BuildResult, buildDataset } from './buildCommand';
import { CommitsProvider } from './commitsView';
import { registerWebviews } from './webviews';

export interface CommitCorpusApi {
  /** Result of the last "Build training dataset" run in this window, if any. */
  lastResult(): BuildResult | undefined;
  /** Items currently shown at the top of the Commits view. */
  commitItems(): Promise<vscode.TreeItem[]>;
}

export function activate(context: vscode.ExtensionContext): CommitCorpusApi {
  const output = vscode.window.createOutputChannel('Commit Corpus');
  const commits = new CommitsProvider();
  let last: BuildResult | undefined;

  context.subscriptions.push(
    output,
    registerWebviews(context),
    vscode.window.registerTreeDataProvider('commitCorpus.commits', commits),
    vscode.commands.registerCommand('commitCorpus.buildDataset', async () => {
      const result = await buildDataset(output);
      if (result) {
        last = result;
        commits.refresh();
      }
      return result;
    }),
  );

  return {
    lastResult: () => last,
    commitItems: async () => (await commits.getChildren()).map((c) => commits.getTreeItem(c)),
  };
}

export function deactivate(): void {}
