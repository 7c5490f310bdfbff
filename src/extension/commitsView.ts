/** The "Commits" tree view: the workspace's history, newest first (a first, flat version). */
import * as vscode from 'vscode';
import { CommitSummary, listCommits } from './history';

const PAGE = 200;

export class CommitsProvider implements vscode.TreeDataProvider<CommitSummary> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(c: CommitSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(c.subject || '(no message)', vscode.TreeItemCollapsibleState.None);
    item.description = c.hash.slice(0, 8);
    item.tooltip = `${c.hash}\n${c.author}, ${new Date(c.timestamp * 1000).toISOString()}\n\n${c.subject}`;
    item.iconPath = new vscode.ThemeIcon('git-commit');
    item.id = c.hash;
    return item;
  }

  async getChildren(element?: CommitSummary): Promise<CommitSummary[]> {
    if (element) return [];
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return [];
    try {
      return (await listCommits(folder.uri.fsPath, PAGE)).commits;
    } catch {
      // Not a repository: the view shows its welcome content instead.
      return [];
    }
  }
}
