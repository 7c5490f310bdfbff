/** Opens a file at a commit for the `openFile` message: the `commit-corpus:` blob if served, else the working-tree file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpenFileMessage } from '../../webview/protocol';
import { blobUri } from './uris';

/** 1-based line of the first line of `snippet` in `text` (trimmed match), or undefined. */
export function findSnippetLine(text: string, snippet: string | undefined): number | undefined {
  const first = snippet
    ?.split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
  if (!first) return undefined;
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() === first);
  const j = i >= 0 ? i : lines.findIndex((l) => l.includes(first));
  return j >= 0 ? j + 1 : undefined;
}

/** A repository-relative path that stays inside the repository, or undefined. */
export function safeJoin(repoDir: string, rel: string): string | undefined {
  const full = path.resolve(repoDir, rel);
  const root = path.resolve(repoDir);
  return full === root || !full.startsWith(root + path.sep) ? undefined : full;
}

export interface OpenedFile {
  uri: vscode.Uri;
  /** True when the blob provider served the file at the commit; false for the working-tree fallback. */
  atCommit: boolean;
  line: number | undefined;
}

export async function openFileAtCommit(repoDir: string, msg: OpenFileMessage): Promise<OpenedFile> {
  const full = safeJoin(repoDir, msg.path);
  if (!full) throw new Error(`refusing to open ${JSON.stringify(msg.path)}: outside the repository`);
  let doc: vscode.TextDocument | undefined;
  let atCommit = true;
  try {
    doc = await vscode.workspace.openTextDocument(blobUri(repoDir, msg.commit, msg.path));
  } catch {
    doc = undefined;
  }
  if (!doc) {
    atCommit = false;
    if (!fs.existsSync(full)) throw new Error(`${msg.path} at ${msg.commit.slice(0, 8)} cannot be shown: no blob provider and no such file in the working tree`);
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(full));
    void vscode.window.setStatusBarMessage(`Commit Corpus: showing the working-tree ${msg.path} (the version at ${msg.commit.slice(0, 8)} is not available)`, 5000);
  }
  const line = msg.line ?? findSnippetLine(doc.getText(), msg.search);
  const pos = new vscode.Position(Math.max(0, Math.min((line ?? 1) - 1, doc.lineCount - 1)), 0);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, selection: new vscode.Range(pos, pos) });
  return { uri: doc.uri, atCommit, line };
}
